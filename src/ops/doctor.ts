/**
 * @module ops/doctor
 * `bm-oauth doctor`: independent checks of a deployment, each a ✓ or ✗ with a remediation hint.
 * Provider (discovery, S256, auth method, the four redirect URIs), agent (its
 * `authorizationConfig.endpointUrl` is the provider's authorization endpoint) and webhook
 * (handshake, signed delivery, forged delivery refused). One failing check never stops the others.
 */
import { systemClock, type Clock } from '../core/clock.ts'
import type { FetchLike } from '../core/fetch.ts'
import { GoogleAPIError, isBmOAuthError } from '../errors.ts'
import type { BusinessCommunicationsClient } from '../google/business-communications/client.ts'
import { webhookURLOf, type BmOAuthConfig } from './config.ts'
import {
  checkAuthMethod,
  checkDiscovery,
  checkRedirectURIs,
  checkS256,
  type ProviderMetadata,
} from './doctor-provider.ts'
import { fail, pass, type DoctorCheck, type DoctorContext, type DoctorReport } from './doctor-types.ts'
import { checkHandshake, checkRejectsForgery, checkSignedDelivery } from './doctor-webhook.ts'
import { businessCommunicationsClientFor } from './google-clients.ts'

export type { DoctorCheck, DoctorReport } from './doctor-types.ts'

export interface DoctorOptions {
  fetch?: FetchLike
  clock?: Clock
  /** Deadline per request in ms (default 10 s). */
  timeoutMs?: number
  /** Webhook URL to test instead of the configured one. */
  webhookUrl?: string | undefined
  /** Business Communications client (default: built from the configuration's Google settings). */
  businessCommunications?: () => Promise<Pick<BusinessCommunicationsClient, 'getAgent'>>
}

/** Runs every check and reports; `ok` is true only when all pass. */
export async function runDoctor(config: BmOAuthConfig, options: DoctorOptions = {}): Promise<DoctorReport> {
  const ctx: DoctorContext = {
    fetch: options.fetch ?? globalThis.fetch,
    clock: options.clock ?? systemClock,
    timeoutMs: options.timeoutMs ?? 10_000,
  }
  const checks: DoctorCheck[] = []
  const discovery = await checkDiscovery(ctx, config)
  checks.push(discovery.check, checkS256(discovery.metadata), checkAuthMethod(config, discovery.metadata))
  checks.push(...(await checkRedirectURIs(ctx, config, discovery.metadata)))
  const bc =
    options.businessCommunications ??
    (() => businessCommunicationsClientFor(config, { fetch: ctx.fetch, timeoutMs: ctx.timeoutMs }))
  checks.push(await checkAgentEndpoint(config, discovery.metadata, bc))
  const webhookUrl = options.webhookUrl ?? webhookURLOf(config)
  checks.push(await checkHandshake(ctx, config, webhookUrl))
  checks.push(await checkSignedDelivery(ctx, config, webhookUrl))
  checks.push(await checkRejectsForgery(ctx, config, webhookUrl))
  return { ok: checks.every((c) => c.status === 'pass'), checks }
}

/** The agent's `authorizationConfig.endpointUrl` must be the provider's authorization endpoint. */
async function checkAgentEndpoint(
  config: BmOAuthConfig,
  metadata: ProviderMetadata | undefined,
  businessCommunications: () => Promise<Pick<BusinessCommunicationsClient, 'getAgent'>>,
): Promise<DoctorCheck> {
  const id = 'agent.endpoint-url'
  const title = 'agent authorizationConfig.endpointUrl'
  if (config.agent === undefined) return fail(id, title, 'no agent configured', 'pass --agent or set BM_OAUTH_AGENT')
  let endpointUrl: string | undefined
  try {
    const agent = await (await businessCommunications()).getAgent(config.agent)
    endpointUrl = agent.businessMessagesAgent?.authorizationConfig?.endpointUrl
  } catch (err) {
    if (err instanceof GoogleAPIError)
      return fail(
        id,
        title,
        `${config.agent}: ${err.httpStatus} ${err.rpcStatus}`,
        'check the agent name and the service account',
      )
    const detail = isBmOAuthError(err) ? `${err.code}: ${err.message}` : 'Business Communications API unreachable'
    return fail(id, title, detail, 'check google.keyFile (BM_OAUTH_KEY_FILE) and google.baseUrl')
  }
  const fix =
    metadata === undefined
      ? undefined
      : `bm-oauth configure-oauth --agent ${config.agent} --endpoint-url ${metadata.authorizationEndpoint}`
  if (endpointUrl === undefined) return fail(id, title, `${config.agent} has no endpointUrl`, fix)
  if (metadata === undefined) return fail(id, title, `is ${endpointUrl}; provider metadata unavailable to compare`)
  if (endpointUrl === metadata.authorizationEndpoint) return pass(id, title, `${config.agent} → ${endpointUrl}`)
  return fail(
    id,
    title,
    `is ${endpointUrl}, but the provider's authorization endpoint is ${metadata.authorizationEndpoint}`,
    fix,
  )
}
