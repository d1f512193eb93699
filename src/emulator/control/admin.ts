/**
 * @module emulator/control/admin
 * Control API, operator part: faults, the clock, webhook verification and read-only inspection.
 *
 * | route | body | answer |
 * |---|---|---|
 * | `GET /emulator/v1/faults` | — | `{webhook: FaultSettings, payload: PayloadVariants}` |
 * | `PATCH /emulator/v1/faults` | `{webhook?: Partial<FaultSettings>, payload?: {codeWithErrorDetails?, redirectUriSpelling?}}` | the new settings (webhook: duplicate, delayMs, reorder, signature valid\|wrong\|missing\|sha256, bodyFormat compact\|pretty, sendTimeSkewMs) |
 * | `GET /emulator/v1/clock` | — | `{now, nowMs, offsetMs}` |
 * | `POST /emulator/v1/clock/advance` | `{ms}` (≥ 0) | `{now, nowMs, offsetMs}` |
 * | `POST /emulator/v1/webhook/verify` | — | `{url, ok, status, detail}` (handshake with the current URL and token) |
 * | `GET /emulator/v1/agent?name=` | — | the Agent (default: the provisioned one) |
 * | `GET /emulator/v1/messages?conversation=` | — | `{entries}`: the raw conversation log |
 * | `GET /emulator/v1/deliveries?conversation=&agent=` | — | `{deliveries}`: webhook deliveries (no signing keys) |
 * | `GET /emulator/v1/state` | — | summary: names, paths, webhook URL, counts, clock |
 */
import { formatGoogleTimestamp } from '../device/google-timestamp.ts'
import { notNow, readControlBody, type ControlDeps } from './device-actions.ts'
import { EmulatorError } from '../http/errors.ts'
import { jsonReply, type Reply } from '../http/http-io.ts'
import type { JSONObject } from '../state/resource-store.ts'
import type { RequestContext, Router } from '../http/router.ts'
import type { FaultSettings } from '../webhook/faults.ts'

/** Registers the operator routes of the control API. */
export function addAdminControlRoutes(router: Router, deps: ControlDeps): void {
  router
    .add('GET', '/emulator/v1/faults', () => jsonReply(faultsView(deps)))
    .add('PATCH', '/emulator/v1/faults', (ctx) => setFaults(deps, ctx))
    .add('GET', '/emulator/v1/clock', () => jsonReply(clockView(deps)))
    .add('POST', '/emulator/v1/clock/advance', (ctx) => advanceClock(deps, ctx))
    .add('POST', '/emulator/v1/webhook/verify', (ctx) => verifyWebhook(deps, ctx))
    .add('GET', '/emulator/v1/agent', (ctx) => getAgent(deps, ctx))
    .add('GET', '/emulator/v1/messages', (ctx) => listMessages(deps, ctx))
    .add('GET', '/emulator/v1/deliveries', (ctx) => listDeliveries(deps, ctx))
    .add('GET', '/emulator/v1/state', () => jsonReply(stateView(deps)))
}

function faultsView(deps: ControlDeps): JSONObject {
  return { webhook: { ...deps.dispatcher.faults }, payload: { ...deps.payloadVariants } }
}

const NUMBER_FAULTS = ['duplicate', 'delayMs', 'sendTimeSkewMs'] as const
const SIGNATURE_FAULTS: readonly FaultSettings['signature'][] = ['valid', 'wrong', 'missing', 'sha256']

function mergeWebhookFaults(current: FaultSettings, patch: JSONObject): FaultSettings {
  const next: FaultSettings = { ...current }
  for (const [key, value] of Object.entries(patch)) {
    if ((NUMBER_FAULTS as readonly string[]).includes(key)) {
      if (typeof value !== 'number' || !Number.isInteger(value) || value < 0) {
        throw new EmulatorError('INVALID_ARGUMENT', `webhook.${key}: must be a non-negative integer`)
      }
      next[key as (typeof NUMBER_FAULTS)[number]] = value
    } else if (key === 'reorder') {
      if (typeof value !== 'boolean') {
        throw new EmulatorError('INVALID_ARGUMENT', 'webhook.reorder: must be a boolean')
      }
      next.reorder = value
    } else if (key === 'signature') {
      if (!SIGNATURE_FAULTS.includes(value as FaultSettings['signature'])) {
        throw new EmulatorError('INVALID_ARGUMENT', `webhook.signature: must be one of ${SIGNATURE_FAULTS.join(', ')}`)
      }
      next.signature = value as FaultSettings['signature']
    } else if (key === 'bodyFormat') {
      if (value !== 'compact' && value !== 'pretty') {
        throw new EmulatorError('INVALID_ARGUMENT', 'webhook.bodyFormat: must be compact or pretty')
      }
      next.bodyFormat = value
    } else {
      throw new EmulatorError('INVALID_ARGUMENT', `webhook.${key}: unknown fault`)
    }
  }
  return next
}

async function setFaults(deps: ControlDeps, ctx: RequestContext): Promise<Reply> {
  const body = await readControlBody(ctx)
  const webhook = body['webhook'] ?? {}
  const payload = body['payload'] ?? {}
  if (typeof webhook !== 'object' || webhook === null || typeof payload !== 'object' || payload === null) {
    throw new EmulatorError('INVALID_ARGUMENT', 'webhook and payload must be objects')
  }
  const nextFaults = mergeWebhookFaults(deps.dispatcher.faults, webhook as JSONObject)
  const p = payload as JSONObject
  for (const key of Object.keys(p)) {
    if (key !== 'codeWithErrorDetails' && key !== 'redirectUriSpelling') {
      throw new EmulatorError('INVALID_ARGUMENT', `payload.${key}: unknown variant`)
    }
  }
  const codeWithErrorDetails = p['codeWithErrorDetails']
  if (codeWithErrorDetails !== undefined && typeof codeWithErrorDetails !== 'boolean') {
    throw new EmulatorError('INVALID_ARGUMENT', 'payload.codeWithErrorDetails: must be a boolean')
  }
  const spelling = p['redirectUriSpelling']
  if (spelling !== undefined && spelling !== 'redirectUri' && spelling !== 'redirect_uri') {
    throw new EmulatorError('INVALID_ARGUMENT', 'payload.redirectUriSpelling: must be redirectUri or redirect_uri')
  }
  deps.dispatcher.faults = nextFaults
  if (codeWithErrorDetails !== undefined) deps.payloadVariants.codeWithErrorDetails = codeWithErrorDetails
  if (spelling !== undefined) deps.payloadVariants.redirectUriSpelling = spelling
  deps.logger.info({ event: 'control.faults', faults: faultsView(deps) }, 'faults changed')
  return jsonReply(faultsView(deps))
}

function clockView(deps: ControlDeps): JSONObject {
  const nowMs = deps.clock.now()
  return { now: formatGoogleTimestamp(nowMs), nowMs, offsetMs: deps.clock.offsetMs }
}

async function advanceClock(deps: ControlDeps, ctx: RequestContext): Promise<Reply> {
  const ms = (await readControlBody(ctx))['ms']
  if (typeof ms !== 'number' || !Number.isFinite(ms) || ms < 0) {
    throw new EmulatorError('INVALID_ARGUMENT', 'ms: must be a non-negative number')
  }
  deps.clock.advance(ms)
  deps.logger.info({ event: 'control.clock.advanced', ms }, 'clock advanced')
  return jsonReply(clockView(deps))
}

async function verifyWebhook(deps: ControlDeps, ctx: RequestContext): Promise<Reply> {
  await readControlBody(ctx)
  const url = deps.webhook.effectiveUrl()
  if (url === undefined) {
    throw notNow('No webhook URL is configured.')
  }
  const result = await deps.dispatcher.verifyWebhook(url, deps.webhook.clientToken)
  return jsonReply({ url, ...result })
}

function getAgent(deps: ControlDeps, ctx: RequestContext): Reply {
  const name = ctx.url.searchParams.get('name') ?? deps.defaultAgentName
  const agent = deps.resources.getAgent(name)
  if (agent === undefined) throw new EmulatorError('NOT_FOUND', `Unknown agent ${name}.`)
  return jsonReply(agent.agent)
}

function listMessages(deps: ControlDeps, ctx: RequestContext): Reply {
  const id = ctx.url.searchParams.get('conversation')
  const log = id === null ? deps.conversations.listAllLogs() : deps.conversations.listLog(id)
  const entries = log.map((e) => ({ ...e, createTime: formatGoogleTimestamp(e.createTime) }))
  return jsonReply({ entries })
}

function listDeliveries(deps: ControlDeps, ctx: RequestContext): Reply {
  const filter: { agentName?: string; conversationId?: string } = {}
  const agent = ctx.url.searchParams.get('agent')
  const conversation = ctx.url.searchParams.get('conversation')
  if (agent !== null) filter.agentName = agent
  if (conversation !== null) filter.conversationId = conversation
  return jsonReply({ deliveries: deps.dispatcher.list(filter) })
}

function stateView(deps: ControlDeps): JSONObject {
  return {
    url: deps.baseUrl,
    partnerName: deps.partnerName,
    brandName: deps.brandName,
    agentName: deps.defaultAgentName,
    keyFilePath: deps.keyFilePath,
    webhookClientTokenPath: deps.webhookClientTokenPath,
    webhookUrl: deps.webhook.effectiveUrl() ?? null,
    standInOrigin: deps.standInOrigin,
    counts: {
      agents: deps.resources.countAgents(),
      conversations: deps.conversations.countConversations(),
      logEntries: deps.conversations.countLog(),
      deliveries: deps.dispatcher.count(),
    },
    clock: clockView(deps),
  }
}
