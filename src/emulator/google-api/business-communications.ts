/**
 * @module emulator/google-api/business-communications
 * The emulated Business Communications API v1 (docs/contract-decisions.md §1): `brands.agents` get
 * / patch / list / create / delete, `brands.get`, and `partners.get` / `patch`. Agents are stored
 * whole, so every field round-trips. Patches follow the FieldMask rules of {@link applyFieldMask};
 * the agent name in a body is ignored; unknown agents answer 404 `NOT_FOUND`
 * (docs/contract-decisions.md §10 Q8).
 *
 * Webhook by API (docs/contract-decisions.md §1.6, §10 "webhook key via API"): when
 * `partners.patch` sets a new BUSINESS_MESSAGES `webhookUrl`, a new client token is generated and
 * the verification handshake runs with it; then the token is persisted (it becomes the signing key)
 * together with the new URL and returned in `businessMessagesCapability.webhookClientToken`. The
 * handshake's outcome is stored as `businessMessagesCapability.webhookVerification` ({verified,
 * httpStatus, detail, checkTime}); both are our extensions. Deliveries are attempted even when
 * verification failed (a local agent is often started after the emulator); the failure is logged as
 * a warning.
 */
import type { Clock } from '../../core/clock.ts'
import type { Logger } from '../../core/logger.ts'
import { authenticate } from './auth.ts'
import { EmulatorError } from '../http/errors.ts'
import {
  AGENT_SCHEMA,
  PARTNER_SCHEMA,
  applyFieldMask,
  checkKnownFields,
  impliedMask,
  parseUpdateMask,
  type FieldSchema,
} from './field-mask.ts'
import { formatGoogleTimestamp } from '../device/google-timestamp.ts'
import { jsonReply, type Reply } from '../http/http-io.ts'
import { parseJSONObjectBody } from '../http/lenient-json.ts'
import { newWebhookClientToken, randomNumericId } from '../state/provision.ts'
import { checkAgent, checkPartner } from './resource-rules.ts'
import type { JSONObject, ResourceStore } from '../state/resource-store.ts'
import type { RequestContext, Router } from '../http/router.ts'
import type { TokenStore } from '../state/access-tokens.ts'
import { businessMessagesCapability, type WebhookConfig } from '../state/webhook-config.ts'
import type { HandshakeResult } from '../webhook/dispatcher.ts'

export interface BusinessCommunicationsDeps {
  resources: ResourceStore
  tokens: TokenStore
  clock: Clock
  logger: Logger
  partnerName: string
  webhook: WebhookConfig
  verifyWebhook: (url: string, clientToken: string) => Promise<HandshakeResult>
}

export const DEFAULT_PAGE_SIZE = 50
export const MAX_PAGE_SIZE = 100
const NOT_FOUND = 'Requested entity was not found.'

/** Registers the BC routes on `router`. */
export function addBusinessCommunicationsRoutes(router: Router, deps: BusinessCommunicationsDeps): void {
  const guarded =
    (handler: (ctx: RequestContext) => Promise<Reply> | Reply) =>
    (ctx: RequestContext): Promise<Reply> | Reply => {
      authenticate(ctx.headers, 'businesscommunications', deps.tokens, deps.clock)
      return handler(ctx)
    }
  const agentPath = '/v1/brands/:brandId/agents/:agentId'
  router
    .add(
      'GET',
      agentPath,
      guarded((ctx) => jsonReply(requireAgent(deps, agentName(ctx)))),
    )
    .add(
      'PATCH',
      agentPath,
      guarded((ctx) => patchAgent(deps, ctx)),
    )
    .add(
      'DELETE',
      agentPath,
      guarded((ctx) => deleteAgent(deps, agentName(ctx))),
    )
    .add(
      'GET',
      '/v1/brands/:brandId/agents',
      guarded((ctx) => listAgents(deps, ctx)),
    )
    .add(
      'POST',
      '/v1/brands/:brandId/agents',
      guarded((ctx) => createAgent(deps, ctx)),
    )
    .add(
      'GET',
      '/v1/brands/:brandId',
      guarded((ctx) => jsonReply(requireBrand(deps, `brands/${ctx.params['brandId']}`))),
    )
    .add(
      'GET',
      '/v1/partners/:partnerId',
      guarded((ctx) => jsonReply(partnerView(deps, requirePartner(deps, ctx)))),
    )
    .add(
      'PATCH',
      '/v1/partners/:partnerId',
      guarded((ctx) => patchPartner(deps, ctx)),
    )
}

function agentName(ctx: RequestContext): string {
  return `brands/${ctx.params['brandId']}/agents/${ctx.params['agentId']}`
}

function requireAgent(deps: BusinessCommunicationsDeps, name: string): JSONObject {
  const stored = deps.resources.getAgent(name)
  if (stored === undefined) throw new EmulatorError('NOT_FOUND', NOT_FOUND)
  return stored.agent
}

function requireBrand(deps: BusinessCommunicationsDeps, name: string): JSONObject {
  const brand = deps.resources.getBrand(name)
  if (brand === undefined) throw new EmulatorError('NOT_FOUND', NOT_FOUND)
  return brand
}

/** Applies a FieldMask patch (explicit, implied or `*`) of `body` onto `current`. */
function patchResource(current: JSONObject, body: JSONObject, rawMask: string | null, schema: FieldSchema): JSONObject {
  const mask = parseUpdateMask(rawMask, schema)
  if (mask === undefined) return applyFieldMask(current, body, impliedMask(body, schema))
  if (mask.length === 1 && mask[0] === '*') {
    const topLevel = typeof schema === 'object' && 'fields' in schema ? Object.keys(schema.fields) : []
    return applyFieldMask(
      current,
      body,
      topLevel.filter((k) => k !== 'name'),
    )
  }
  return applyFieldMask(current, body, mask)
}

function updateMaskParam(ctx: RequestContext): string | null {
  return ctx.url.searchParams.get('updateMask') ?? ctx.url.searchParams.get('update_mask')
}

async function patchAgent(deps: BusinessCommunicationsDeps, ctx: RequestContext): Promise<Reply> {
  const name = agentName(ctx)
  const body = checkKnownFields(parseJSONObjectBody(await ctx.readText(), 'agent'), AGENT_SCHEMA, 'agent')
  const current = requireAgent(deps, name)
  const updated = { ...patchResource(current, body, updateMaskParam(ctx), AGENT_SCHEMA), name }
  checkAgent(updated)
  deps.resources.updateAgent(name, updated)
  deps.logger.info({ event: 'bc.agent.patched', agent: name, updateMask: updateMaskParam(ctx) }, 'agent patched')
  return jsonReply(updated)
}

function deleteAgent(deps: BusinessCommunicationsDeps, name: string): Reply {
  if (!deps.resources.deleteAgent(name)) throw new EmulatorError('NOT_FOUND', NOT_FOUND)
  deps.logger.info({ event: 'bc.agent.deleted', agent: name }, 'agent deleted')
  return jsonReply({})
}

async function createAgent(deps: BusinessCommunicationsDeps, ctx: RequestContext): Promise<Reply> {
  const brandName = `brands/${ctx.params['brandId']}`
  const body = checkKnownFields(parseJSONObjectBody(await ctx.readText(), 'agent'), AGENT_SCHEMA, 'agent')
  requireBrand(deps, brandName)
  const name = `${brandName}/agents/${randomNumericId(10)}`
  const agent = { ...body, name }
  checkAgent(agent)
  deps.resources.insertAgent(name, brandName, agent)
  deps.logger.info({ event: 'bc.agent.created', agent: name }, 'agent created')
  return jsonReply(agent)
}

interface PageToken {
  b: string
  s: number
}

function listAgents(deps: BusinessCommunicationsDeps, ctx: RequestContext): Reply {
  const brandName = `brands/${ctx.params['brandId']}`
  requireBrand(deps, brandName)
  const rawSize = ctx.url.searchParams.get('pageSize') ?? ctx.url.searchParams.get('page_size')
  let pageSize = DEFAULT_PAGE_SIZE
  if (rawSize !== null && rawSize !== '') {
    if (!/^\d+$/.test(rawSize)) {
      throw new EmulatorError('INVALID_ARGUMENT', 'pageSize: must be a non-negative integer')
    }
    pageSize = Number(rawSize) === 0 ? DEFAULT_PAGE_SIZE : Math.min(Number(rawSize), MAX_PAGE_SIZE)
  }
  const rawToken = ctx.url.searchParams.get('pageToken') ?? ctx.url.searchParams.get('page_token') ?? ''
  const afterSeq = rawToken === '' ? 0 : decodePageToken(rawToken, brandName)
  const page = deps.resources.listAgents(brandName, afterSeq, pageSize + 1)
  const agents = page.slice(0, pageSize)
  const body: JSONObject = { agents: agents.map((a) => a.agent) }
  const last = agents[agents.length - 1]
  if (page.length > pageSize && last !== undefined) {
    body['nextPageToken'] = Buffer.from(JSON.stringify({ b: brandName, s: last.seq } satisfies PageToken)).toString(
      'base64url',
    )
  }
  return jsonReply(body)
}

function decodePageToken(raw: string, brandName: string): number {
  try {
    const token = JSON.parse(Buffer.from(raw, 'base64url').toString('utf8')) as PageToken
    if (token.b === brandName && Number.isSafeInteger(token.s) && token.s >= 0) return token.s
  } catch {
    // fall through to the error below
  }
  throw new EmulatorError('INVALID_ARGUMENT', 'pageToken: invalid page token')
}

function requirePartner(deps: BusinessCommunicationsDeps, ctx: RequestContext): JSONObject {
  const name = `partners/${ctx.params['partnerId']}`
  const partner = name === deps.partnerName ? deps.resources.getPartner(name) : undefined
  if (partner === undefined) throw new EmulatorError('NOT_FOUND', NOT_FOUND)
  return partner
}

/** The partner as answered: the stored resource plus the current client token next to a set webhook. */
function partnerView(deps: BusinessCommunicationsDeps, partner: JSONObject): JSONObject {
  const view = structuredClone(partner)
  const cap = businessMessagesCapability(view)
  if (cap !== undefined && typeof cap['webhookUrl'] === 'string' && cap['webhookUrl'] !== '') {
    cap['webhookClientToken'] = deps.webhook.clientToken
  }
  return view
}

async function patchPartner(deps: BusinessCommunicationsDeps, ctx: RequestContext): Promise<Reply> {
  const body = checkKnownFields(parseJSONObjectBody(await ctx.readText(), 'partner'), PARTNER_SCHEMA, 'partner')
  const current = requirePartner(deps, ctx)
  const previousUrl = deps.webhook.partnerWebhookUrl()
  const updated = { ...patchResource(current, body, updateMaskParam(ctx), PARTNER_SCHEMA), name: deps.partnerName }
  checkPartner(updated)
  const cap = businessMessagesCapability(updated)
  if (cap !== undefined) {
    delete cap['webhookClientToken'] // output only; never stored in the resource
    delete cap['webhookVerification']
  }
  const newUrl = typeof cap?.['webhookUrl'] === 'string' && cap['webhookUrl'] !== '' ? cap['webhookUrl'] : undefined
  if (newUrl !== undefined && newUrl !== previousUrl) {
    // The handshake runs with a candidate token while the old URL and key stay in force, so
    // deliveries meanwhile still reach the old URL signed with its own key. Then the new key and the
    // new URL are installed together, with no await in between.
    const candidate = newWebhookClientToken()
    const result = await deps.verifyWebhook(newUrl, candidate)
    if (cap !== undefined) cap['webhookVerification'] = verificationRecord(result, deps.clock.now())
    const log = { event: 'bc.partner.webhook', ok: result.ok, status: result.status, detail: result.detail }
    if (result.ok) deps.logger.info(log, 'webhook verified')
    else deps.logger.warn(log, 'webhook verification failed; deliveries are attempted anyway')
    deps.webhook.installClientToken(candidate)
  } else if (cap !== undefined && newUrl === previousUrl) {
    const old = businessMessagesCapability(current)?.['webhookVerification']
    if (old !== undefined) cap['webhookVerification'] = old
  }
  deps.resources.savePartner(deps.partnerName, updated)
  return jsonReply(partnerView(deps, updated))
}

function verificationRecord(result: HandshakeResult, nowMs: number): JSONObject {
  const record: JSONObject = { verified: result.ok, detail: result.detail, checkTime: formatGoogleTimestamp(nowMs) }
  if (result.status !== undefined) record['httpStatus'] = result.status
  return record
}
