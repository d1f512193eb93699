/**
 * @module emulator/google-api/business-messages
 * The emulated Business Messages API v1 (docs/contract-decisions.md §2):
 * `conversations.messages.create`, `conversations.events.create`,
 * `conversations.messages.updateReceipt` and `conversations.surveys.create`. Checks run in Google's
 * documented order of outcomes: 401/403 for the token, 403 `PERMISSION_DENIED` for an unknown or
 * foreign conversation (not 404, docs/contract-decisions.md §2.6), 400 `INVALID_ARGUMENT` for a
 * broken rule, 409 `ALREADY_EXISTS` for a reused id, 429 `RESOURCE_EXHAUSTED` for the 61st message
 * within 60 s or a second survey within 24 h. Accepted items are logged in the conversation and
 * returned with their `name` (docs/contract-decisions.md §2.1).
 */
import type { Clock } from '../../core/clock.ts'
import type { Logger } from '../../core/logger.ts'
import { InvalidArgumentError } from '../../errors.ts'
import { authenticate } from './auth.ts'
import type { ConversationStore, Conversation } from '../state/conversation-store.ts'
import { EmulatorError } from '../http/errors.ts'
import { rejectUnknownNames, requiredObject } from './field-checks.ts'
import { jsonReply, type Reply } from '../http/http-io.ts'
import { parseJSONObjectBody } from '../http/lenient-json.ts'
import type { JSONObject, ResourceStore } from '../state/resource-store.ts'
import type { RequestContext, Router } from '../http/router.ts'
import type { TokenStore } from '../state/access-tokens.ts'
import { normaliseMessage, validateMessage, validateRepresentative } from './validate-message.ts'

export interface BusinessMessagesDeps {
  conversations: ConversationStore
  resources: ResourceStore
  tokens: TokenStore
  clock: Clock
  logger: Logger
  partnerName: string
}

/**
 * At most this many agent messages per conversation within {@link RATE_WINDOW_MS}
 * (docs/contract-decisions.md §2.6).
 */
export const MESSAGES_PER_WINDOW = 60
export const RATE_WINDOW_MS = 60_000
/** One survey per conversation per 24 h (docs/contract-decisions.md §2.5). */
export const SURVEY_WINDOW_MS = 24 * 60 * 60 * 1000
export const EVENT_TYPES = ['TYPING_STARTED', 'TYPING_STOPPED', 'REPRESENTATIVE_JOINED', 'REPRESENTATIVE_LEFT'] as const

const ALREADY_EXISTS = 'Requested entity already exists'

/** Registers the BM routes on `router`. */
export function addBusinessMessagesRoutes(router: Router, deps: BusinessMessagesDeps): void {
  const guarded =
    (handler: (ctx: RequestContext, conversation: Conversation) => Promise<Reply>) =>
    (ctx: RequestContext): Promise<Reply> => {
      authenticate(ctx.headers, 'businessmessages', deps.tokens, deps.clock)
      return handler(ctx, requireOwnConversation(deps, ctx.params['conversationId'] ?? ''))
    }
  router
    .add(
      'POST',
      '/v1/conversations/:conversationId/messages',
      guarded((ctx, c) => createMessage(deps, ctx, c)),
    )
    .add(
      'POST',
      '/v1/conversations/:conversationId/events',
      guarded((ctx, c) => createEvent(deps, ctx, c)),
    )
    .add(
      'PATCH',
      '/v1/conversations/:conversationId/messages/:messageId/receipt',
      guarded((ctx, c) => updateReceipt(deps, ctx, c)),
    )
    .add(
      'POST',
      '/v1/conversations/:conversationId/surveys',
      guarded((ctx, c) => createSurvey(deps, ctx, c)),
    )
}

/**
 * The conversation, if it exists and its agent belongs to this partner; else 403
 * (docs/contract-decisions.md §2.6).
 */
function requireOwnConversation(deps: BusinessMessagesDeps, id: string): Conversation {
  const conversation = deps.conversations.getConversation(id)
  const agent = conversation === undefined ? undefined : deps.resources.getAgent(conversation.agentName)
  if (
    conversation === undefined ||
    agent === undefined ||
    deps.resources.partnerOfBrand(agent.brandName) !== deps.partnerName
  ) {
    throw new EmulatorError('PERMISSION_DENIED', 'The caller does not have permission')
  }
  return conversation
}

function queryParam(ctx: RequestContext, camel: string, snake: string): string | null {
  return ctx.url.searchParams.get(camel) ?? ctx.url.searchParams.get(snake)
}

function parseBool(raw: string | null, field: string): boolean {
  if (raw === null || raw === '' || raw === 'false') return false
  if (raw === 'true') return true
  throw new InvalidArgumentError(field, 'must be true or false')
}

async function createMessage(
  deps: BusinessMessagesDeps,
  ctx: RequestContext,
  conversation: Conversation,
): Promise<Reply> {
  const forceFallback = parseBool(queryParam(ctx, 'forceFallback', 'force_fallback'), 'forceFallback')
  const body = parseJSONObjectBody(await ctx.readText(), 'message')
  validateMessage(body)
  if (forceFallback && (typeof body['fallback'] !== 'string' || body['fallback'] === '')) {
    throw new InvalidArgumentError('message.fallback', 'required when forceFallback is true')
  }
  const messageId = body['messageId'] as string
  const name = `conversations/${conversation.id}/messages/${messageId}`
  const now = deps.clock.now()
  if (deps.conversations.findItem(conversation.id, 'message', messageId) !== undefined) {
    throw new EmulatorError('ALREADY_EXISTS', ALREADY_EXISTS)
  }
  const recent = deps.conversations.countSince(conversation.id, 'message', 'agent', now - RATE_WINDOW_MS + 1)
  if (recent >= MESSAGES_PER_WINDOW) {
    throw new EmulatorError(
      'RESOURCE_EXHAUSTED',
      `Quota exceeded: at most ${MESSAGES_PER_WINDOW} messages per minute per conversation. Retry with exponential backoff.`,
      { headers: { 'retry-after': '1' } },
    )
  }
  const { name: _ignored, ...sent } = body
  const stored = { name, ...normaliseMessage(sent), ...(forceFallback ? { forceFallback: true } : {}) }
  deps.conversations.append({
    conversationId: conversation.id,
    direction: 'agent',
    kind: 'message',
    itemId: messageId,
    name,
    body: stored,
    bubble: true,
    createTime: now,
  })
  deps.logger.info(
    { event: 'bm.message.created', conversationId: conversation.id, messageId },
    'agent message accepted',
  )
  return jsonReply({ name, ...sent })
}

function requireQueryId(ctx: RequestContext, camel: string, snake: string): string {
  const id = queryParam(ctx, camel, snake)
  if (id === null || id === '') throw new InvalidArgumentError(camel, 'required')
  return id
}

async function createEvent(
  deps: BusinessMessagesDeps,
  ctx: RequestContext,
  conversation: Conversation,
): Promise<Reply> {
  const eventId = requireQueryId(ctx, 'eventId', 'event_id')
  const body = parseJSONObjectBody(await ctx.readText(), 'event')
  rejectUnknownNames(body, ['name', 'eventType', 'representative'], 'event')
  const eventType = body['eventType']
  if (typeof eventType !== 'string' || !(EVENT_TYPES as readonly string[]).includes(eventType)) {
    throw new InvalidArgumentError('event.eventType', `must be one of ${EVENT_TYPES.join(', ')}`)
  }
  if (body['representative'] !== undefined && body['representative'] !== null) {
    validateRepresentative(requiredObject(body, 'representative', 'event.representative'), 'event.representative')
  }
  const name = `conversations/${conversation.id}/events/${eventId}`
  const event: JSONObject = { name, eventType }
  if (body['representative'] !== undefined) event['representative'] = body['representative']
  const entry = deps.conversations.append({
    conversationId: conversation.id,
    direction: 'agent',
    kind: 'event',
    itemId: eventId,
    name,
    body: event,
    bubble: false,
    createTime: deps.clock.now(),
  })
  if (entry === undefined) throw new EmulatorError('ALREADY_EXISTS', ALREADY_EXISTS)
  return jsonReply(event)
}

async function updateReceipt(
  deps: BusinessMessagesDeps,
  ctx: RequestContext,
  conversation: Conversation,
): Promise<Reply> {
  const messageId = ctx.params['messageId'] ?? ''
  const body = parseJSONObjectBody(await ctx.readText(), 'receipt')
  rejectUnknownNames(body, ['name', 'receiptType'], 'receipt')
  if (body['receiptType'] !== 'READ') throw new InvalidArgumentError('receipt.receiptType', 'must be READ')
  const message = deps.conversations.findItem(conversation.id, 'message', messageId)
  if (message === undefined || message.direction !== 'user') {
    throw new EmulatorError('NOT_FOUND', 'Requested entity was not found.')
  }
  const name = `conversations/${conversation.id}/messages/${messageId}/receipt`
  const receipt = { name, receiptType: 'READ' }
  deps.conversations.append({
    conversationId: conversation.id,
    direction: 'agent',
    kind: 'receipt',
    name,
    body: receipt,
    bubble: false,
    createTime: deps.clock.now(),
  })
  return jsonReply(receipt)
}

async function createSurvey(
  deps: BusinessMessagesDeps,
  ctx: RequestContext,
  conversation: Conversation,
): Promise<Reply> {
  const surveyId = requireQueryId(ctx, 'surveyId', 'survey_id')
  rejectUnknownNames(parseJSONObjectBody(await ctx.readText(), 'survey'), ['name'], 'survey')
  const now = deps.clock.now()
  if (deps.conversations.findItem(conversation.id, 'survey', surveyId) !== undefined) {
    throw new EmulatorError('ALREADY_EXISTS', ALREADY_EXISTS)
  }
  if (deps.conversations.countSince(conversation.id, 'survey', 'agent', now - SURVEY_WINDOW_MS + 1) > 0) {
    throw new EmulatorError(
      'RESOURCE_EXHAUSTED',
      'A survey was already sent in this conversation within the last 24 hours.',
    )
  }
  const name = `conversations/${conversation.id}/surveys/${surveyId}`
  deps.conversations.append({
    conversationId: conversation.id,
    direction: 'agent',
    kind: 'survey',
    itemId: surveyId,
    name,
    body: { name },
    bubble: false,
    createTime: now,
  })
  return jsonReply({ name })
}
