/**
 * @module emulator/control/device-actions
 * What the simulated user's device does, shared by the control API modules: turning a user action
 * into Google's `UserMessage` payload (via `device/payloads.ts`), recording it in the conversation
 * log, and queueing it with the webhook dispatcher. Also the control API's small request helpers.
 */
import { randomUUID } from 'node:crypto'
import type { OffsetClock } from '../../core/clock.ts'
import type { Logger } from '../../core/logger.ts'
import type { Conversation, ConversationStore, LogEntry, LogKind } from '../state/conversation-store.ts'
import { userMessagePayload, type PayloadVariants, type UserEvent } from '../device/payloads.ts'
import { EmulatorError } from '../http/errors.ts'
import { parseJSONObjectBody } from '../http/lenient-json.ts'
import type { JSONObject, ResourceStore } from '../state/resource-store.ts'
import type { RequestContext } from '../http/router.ts'
import type { WebhookConfig } from '../state/webhook-config.ts'
import type { WebhookDispatcher } from '../webhook/dispatcher.ts'

/** Everything the control API modules share. */
export interface ControlDeps {
  conversations: ConversationStore
  resources: ResourceStore
  dispatcher: WebhookDispatcher
  webhook: WebhookConfig
  clock: OffsetClock
  logger: Logger
  /** The provisioned agent: the default for new conversations. */
  defaultAgentName: string
  partnerName: string
  brandName: string
  keyFilePath: string
  webhookClientTokenPath: string
  /** Base URL of the emulator (`http://127.0.0.1:PORT`). */
  baseUrl: string
  /** Origin that stands in for https://business.google.com in the browser demo. */
  standInOrigin: string
  /** Payload-level fault variants (mutable; set through the faults route). */
  payloadVariants: PayloadVariants
}

/** What a user action produced: the webhook request id and the delivery row id. */
export interface DeliveredAction {
  requestId: string
  deliveryId: number
}

/** How the action appears in the conversation log. */
export interface LogShape {
  kind: LogKind
  itemId?: string
  name?: string
  bubble: boolean
}

/** Builds the payload of `event`, logs it in the conversation and queues its webhook delivery. */
export function deliverUserEvent(
  deps: ControlDeps,
  conversation: Conversation,
  event: UserEvent,
  shape: LogShape,
): DeliveredAction {
  const agent = deps.resources.getAgent(conversation.agentName)?.agent
  const bm = agent?.['businessMessagesAgent'] as JSONObject | undefined
  const customAgentId = typeof bm?.['customAgentId'] === 'string' ? bm['customAgentId'] : undefined
  const now = deps.clock.now()
  const requestId = randomUUID()
  const payload = userMessagePayload(
    {
      agentName: conversation.agentName,
      conversationId: conversation.id,
      customAgentId,
      entryPoint: conversation.entryPoint,
      displayName: conversation.displayName,
      locale: conversation.locale,
    },
    event,
    now,
    requestId,
    deps.payloadVariants,
  )
  deps.conversations.append({
    conversationId: conversation.id,
    direction: 'user',
    ...shape,
    body: payload,
    createTime: now,
  })
  const delivery = deps.dispatcher.enqueue(conversation.agentName, payload)
  deps.logger.info(
    { event: 'device.action', type: event.type, conversationId: conversation.id, requestId },
    'user action queued',
  )
  return { requestId, deliveryId: delivery.id }
}

/** The conversation named in the path, or 404. */
export function requireConversation(deps: ControlDeps, ctx: RequestContext): Conversation {
  const conversation = deps.conversations.getConversation(ctx.params['conversationId'] ?? '')
  if (conversation === undefined) throw new EmulatorError('NOT_FOUND', 'Unknown conversation.')
  return conversation
}

/**
 * Reads a control API body. POSTs must say `Content-Type: application/json`, which a cross-site
 * HTML form cannot send without a CORS preflight (the emulator answers none).
 */
export async function readControlBody(ctx: RequestContext): Promise<JSONObject> {
  const type = String(ctx.headers['content-type'] ?? '').toLowerCase()
  if (!type.startsWith('application/json')) {
    throw new EmulatorError('INVALID_ARGUMENT', 'Content-Type must be application/json.', { httpStatus: 415 })
  }
  return parseJSONObjectBody(await ctx.readText(), 'request')
}

/** A `FAILED_PRECONDITION` answered with 409 (the control API's "not now"). */
export function notNow(message: string): EmulatorError {
  return new EmulatorError('FAILED_PRECONDITION', message, { httpStatus: 409 })
}

/** The newest entry that counts as a message, if it is an agent message. */
export function newestAgentMessage(deps: ControlDeps, conversationId: string): LogEntry | undefined {
  const newest = deps.conversations.newestBubble(conversationId)
  return newest !== undefined && newest.direction === 'agent' && newest.kind === 'message' ? newest : undefined
}

/** The suggestions of a logged agent message. */
export function suggestionsOf(entry: LogEntry): JSONObject[] {
  const s = entry.body['suggestions']
  return Array.isArray(s) ? (s.filter((x) => typeof x === 'object' && x !== null) as JSONObject[]) : []
}
