/**
 * @module google/business-communications/client
 * Typed client for the parts of the Business Communications API v1 that bm-oauth needs: reading and
 * patching agents (the `authorizationConfig` seed step) and partners (the webhook URL).
 *
 * @see docs/contract-decisions.md §1.3 (methods), §1.4 (the OAuth configuration call), §1.6
 * (partner webhook)
 */
import { InvalidArgumentError } from '../../errors.ts'
import { GoogleHTTP, type GoogleClientOptions } from '../http.ts'
import { parseAgentName, parseBrandName, parsePartnerName } from '../resource-names.ts'
import { isHttpURL } from '../url.ts'
import type { Agent, ListAgentsResponse, Partner } from './types.ts'

/** Google's Business Communications API origin. */
export const BUSINESS_COMMUNICATIONS_BASE_URL = 'https://businesscommunications.googleapis.com/'

const FIELD_PATH = /^[A-Za-z_][A-Za-z0-9_-]*(\.[A-Za-z0-9_-]+)*$/

/**
 * Normalises a FieldMask to its comma-separated wire form.
 * @throws {InvalidArgumentError} `updateMask: …` for an empty mask or a malformed path.
 */
export function formatUpdateMask(updateMask: readonly string[] | string): string {
  const paths = (typeof updateMask === 'string' ? updateMask.split(',') : updateMask).map((p) => p.trim())
  if (paths.length === 0 || paths.every((p) => p === '')) {
    throw new InvalidArgumentError('updateMask', 'at least one field path is required')
  }
  for (const path of paths) {
    if (!FIELD_PATH.test(path)) {
      throw new InvalidArgumentError('updateMask', 'each entry must be a dotted field path')
    }
  }
  return paths.join(',')
}

/** One page of `brands.agents.list`; `nextPageToken` is absent on the last page. */
export interface AgentPage {
  agents: Agent[]
  nextPageToken?: string
}

export interface ListAgentsOptions {
  pageSize?: number
  pageToken?: string
}

/**
 * Business Communications API client.
 * @example
 * ```ts
 * const bc = new BusinessCommunicationsClient({ credentials })
 * await bc.setAuthorizationEndpoint('brands/1111/agents/2222', 'https://provider.example/authorize')
 * ```
 */
export class BusinessCommunicationsClient {
  readonly #http: GoogleHTTP

  constructor(options: GoogleClientOptions) {
    this.#http = new GoogleHTTP({ ...options, baseUrl: options.baseUrl ?? BUSINESS_COMMUNICATIONS_BASE_URL })
  }

  /** `brands.agents.get`. */
  async getAgent(name: string): Promise<Agent> {
    return this.#http.request<Agent>({ method: 'GET', path: `v1/${parseAgentName(name).name}` })
  }

  /** `brands.agents.patch`: `PATCH /v1/{name}?updateMask=a,b`; returns the whole updated agent. */
  async patchAgent(name: string, agentPatch: Agent, updateMask: readonly string[] | string): Promise<Agent> {
    return this.#http.request<Agent>({
      method: 'PATCH',
      path: `v1/${parseAgentName(name).name}`,
      query: { updateMask: formatUpdateMask(updateMask) },
      body: agentPatch,
    })
  }

  /** `brands.agents.list`: one page. */
  async listAgents(brandName: string, options: ListAgentsOptions = {}): Promise<AgentPage> {
    if (options.pageSize !== undefined && !(Number.isInteger(options.pageSize) && options.pageSize > 0)) {
      throw new InvalidArgumentError('pageSize', 'must be a positive integer')
    }
    const page = await this.#http.request<ListAgentsResponse>({
      method: 'GET',
      path: `v1/${parseBrandName(brandName).name}/agents`,
      query: { pageSize: options.pageSize, pageToken: options.pageToken },
    })
    const agents = page.agents ?? []
    return page.nextPageToken ? { agents, nextPageToken: page.nextPageToken } : { agents }
  }

  /** Every agent of a brand, following `nextPageToken` until the last page. */
  async *listAllAgents(brandName: string, options: { pageSize?: number } = {}): AsyncGenerator<Agent, void, undefined> {
    let pageToken: string | undefined
    do {
      const request: ListAgentsOptions = options.pageSize === undefined ? {} : { pageSize: options.pageSize }
      if (pageToken !== undefined) request.pageToken = pageToken
      const page = await this.listAgents(brandName, request)
      yield* page.agents
      pageToken = page.nextPageToken
    } while (pageToken !== undefined)
  }

  /** `partners.get`. */
  async getPartner(name: string): Promise<Partner> {
    return this.#http.request<Partner>({ method: 'GET', path: `v1/${parsePartnerName(name).name}` })
  }

  /** `partners.patch`. A list field named in the mask (e.g. `productCapabilities`) is replaced whole. */
  async patchPartner(name: string, partnerPatch: Partner, updateMask: readonly string[] | string): Promise<Partner> {
    return this.#http.request<Partner>({
      method: 'PATCH',
      path: `v1/${parsePartnerName(name).name}`,
      query: { updateMask: formatUpdateMask(updateMask) },
      body: partnerPatch,
    })
  }

  /**
   * Sets the agent's OAuth authorization endpoint (the documented seed call,
   * docs/contract-decisions.md §1.4).
   * @throws {InvalidArgumentError} `endpointUrl: must be an absolute http(s) URL`
   */
  async setAuthorizationEndpoint(agentName: string, endpointUrl: string): Promise<Agent> {
    if (!isHttpURL(endpointUrl)) {
      throw new InvalidArgumentError('endpointUrl', 'must be an absolute http(s) URL')
    }
    return this.patchAgent(
      agentName,
      { businessMessagesAgent: { authorizationConfig: { endpointUrl } } },
      'businessMessagesAgent.authorizationConfig',
    )
  }

  /**
   * Sets the partner-level Business Messages webhook (docs/contract-decisions.md §1.6). This
   * replaces the whole `productCapabilities` list, as Google's own snippet does.
   * @throws {InvalidArgumentError} `webhookUrl: must be an absolute http(s) URL`
   */
  async setPartnerWebhook(partnerName: string, webhookUrl: string): Promise<Partner> {
    if (!isHttpURL(webhookUrl)) throw new InvalidArgumentError('webhookUrl', 'must be an absolute http(s) URL')
    return this.patchPartner(
      partnerName,
      { productCapabilities: [{ product: 'BUSINESS_MESSAGES', businessMessagesCapability: { webhookUrl } }] },
      'productCapabilities',
    )
  }
}
