/**
 * @module emulator/control/conversations
 * Control API, conversation part: the simulated user opens conversations and acts in them.
 *
 * | route | body | answer |
 * |---|---|---|
 * | `POST /emulator/v1/conversations` | `{agent?, entryPoint?, displayName?, locale?}` | `{conversationId, conversation}` |
 * | `GET /emulator/v1/conversations?agent=` | — | `{conversations: Conversation[]}` |
 * | `GET /emulator/v1/conversations/:id` | — | `{conversation, welcomeMessage, transcript}` (oldest first; `chipsActive` on the newest message only) |
 * | `POST /emulator/v1/conversations/:id/messages` | `{text}` | `{messageId, name, requestId, deliveryId}` |
 * | `POST /emulator/v1/conversations/:id/suggestions` | `{index, message?}` (default: newest message) | `{requestId, deliveryId}` |
 * | `POST /emulator/v1/conversations/:id/typing` | `{isTyping}` | `{requestId, deliveryId}` |
 * | `POST /emulator/v1/conversations/:id/receipts` | `{receiptType: DELIVERED\|READ, messages?}` (default: all agent messages) | `{requestId, deliveryId}` |
 *
 * Tapping a reply/action chip sends `suggestionResponse`, a `liveAgentRequest` chip sends
 * `userStatus.requestedLiveAgent`; an `authenticationRequest` chip is tapped through the sign-in
 * routes. Chips are tappable only while their message is the newest one
 * (docs/contract-decisions.md §2.2), else 409.
 */
import { randomUUID } from 'node:crypto'
import type { UserEvent } from '../device/payloads.ts'
import { formatGoogleTimestamp } from '../device/google-timestamp.ts'
import {
  deliverUserEvent,
  newestAgentMessage,
  notNow,
  readControlBody,
  requireConversation,
  suggestionsOf,
  type ControlDeps,
} from './device-actions.ts'
import type { Conversation, LogEntry } from '../state/conversation-store.ts'
import { EmulatorError } from '../http/errors.ts'
import { optionalString } from '../google-api/field-checks.ts'
import { jsonReply, type Reply } from '../http/http-io.ts'
import type { JSONObject } from '../state/resource-store.ts'
import type { RequestContext, Router } from '../http/router.ts'

/** `EntryPoint` enum (docs/contract-decisions.md §3.3). */
export const ENTRY_POINTS: readonly string[] = [
  'ENTRY_POINT_UNSPECIFIED',
  'PLACESHEET',
  'MAPS',
  'FEATURED_SNIPPETS',
  'SITELINKS',
  'WEB_WIDGET',
  'URL',
  'LOCAL_PACK',
  'PREVIEW',
]

/** Registers the conversation routes of the control API. */
export function addConversationControlRoutes(router: Router, deps: ControlDeps): void {
  const base = '/emulator/v1/conversations'
  router
    .add('POST', base, (ctx) => openConversation(deps, ctx))
    .add('GET', base, (ctx) => listConversations(deps, ctx))
    .add('GET', `${base}/:conversationId`, (ctx) => jsonReply(conversationView(deps, requireConversation(deps, ctx))))
    .add('POST', `${base}/:conversationId/messages`, (ctx) => sendText(deps, ctx))
    .add('POST', `${base}/:conversationId/suggestions`, (ctx) => tapSuggestion(deps, ctx))
    .add('POST', `${base}/:conversationId/typing`, (ctx) => setTyping(deps, ctx))
    .add('POST', `${base}/:conversationId/receipts`, (ctx) => sendReceipts(deps, ctx))
}

function listConversations(deps: ControlDeps, ctx: RequestContext): Reply {
  const agent = ctx.url.searchParams.get('agent') ?? undefined
  return jsonReply({ conversations: deps.conversations.listConversations(agent) })
}

async function openConversation(deps: ControlDeps, ctx: RequestContext): Promise<Reply> {
  const body = await readControlBody(ctx)
  const agentName = optionalString(body, 'agent', 'agent') ?? deps.defaultAgentName
  const agent = deps.resources.getAgent(agentName)
  if (agent === undefined) throw new EmulatorError('NOT_FOUND', `Unknown agent ${agentName}.`)
  const entryPoint = optionalString(body, 'entryPoint', 'entryPoint') ?? 'PLACESHEET'
  if (!ENTRY_POINTS.includes(entryPoint)) {
    throw new EmulatorError('INVALID_ARGUMENT', `entryPoint: must be one of ${ENTRY_POINTS.join(', ')}`)
  }
  const bm = agent.agent['businessMessagesAgent'] as JSONObject | undefined
  const locale =
    optionalString(body, 'locale', 'locale') ?? (typeof bm?.['defaultLocale'] === 'string' ? bm['defaultLocale'] : 'en')
  if (!/^[A-Za-z]{2,8}(-[A-Za-z0-9]{1,8})*$/.test(locale)) {
    throw new EmulatorError('INVALID_ARGUMENT', 'locale: must be a BCP 47 tag')
  }
  const conversation: Conversation = {
    id: randomUUID(),
    agentName,
    entryPoint,
    displayName: optionalString(body, 'displayName', 'displayName') ?? 'Emulated User',
    locale,
    createdAt: deps.clock.now(),
  }
  deps.conversations.insertConversation(conversation)
  deps.logger.info(
    { event: 'device.conversation.opened', conversationId: conversation.id, agent: agentName },
    'conversation opened',
  )
  return jsonReply({ conversationId: conversation.id, conversation }, 201)
}

/** The conversation with its welcome message and transcript, newest last. */
export function conversationView(deps: ControlDeps, conversation: Conversation): JSONObject {
  const newest = deps.conversations.newestBubble(conversation.id)
  const transcript = deps.conversations.listLog(conversation.id).map((e) => transcriptEntry(e, newest?.seq))
  const agent = deps.resources.getAgent(conversation.agentName)?.agent
  const settings = (agent?.['businessMessagesAgent'] as JSONObject | undefined)?.['conversationalSettings'] as
    | Record<string, JSONObject>
    | undefined
  const welcome = settings?.[conversation.locale]?.['welcomeMessage']
  return { conversation, welcomeMessage: welcome ?? null, transcript }
}

function transcriptEntry(entry: LogEntry, newestSeq: number | undefined): JSONObject {
  const view: JSONObject = {
    seq: entry.seq,
    direction: entry.direction,
    kind: entry.kind,
    createTime: formatGoogleTimestamp(entry.createTime),
  }
  if (entry.name !== undefined) view['name'] = entry.name
  if (entry.itemId !== undefined) view['id'] = entry.itemId
  view['content'] = entry.body
  if (entry.direction === 'agent' && entry.kind === 'message' && suggestionsOf(entry).length > 0) {
    view['chipsActive'] = entry.seq === newestSeq
  }
  return view
}

async function sendText(deps: ControlDeps, ctx: RequestContext): Promise<Reply> {
  const conversation = requireConversation(deps, ctx)
  const text = optionalString(await readControlBody(ctx), 'text', 'text')
  if (text === undefined || text === '') throw new EmulatorError('INVALID_ARGUMENT', 'text: required')
  const messageId = randomUUID()
  const name = `conversations/${conversation.id}/messages/${messageId}`
  const done = deliverUserEvent(
    deps,
    conversation,
    { type: 'text', messageId, text },
    { kind: 'message', itemId: messageId, name, bubble: true },
  )
  return jsonReply({ messageId, name, ...done })
}

async function tapSuggestion(deps: ControlDeps, ctx: RequestContext): Promise<Reply> {
  const conversation = requireConversation(deps, ctx)
  const body = await readControlBody(ctx)
  const index = body['index'] ?? 0
  if (typeof index !== 'number' || !Number.isInteger(index) || index < 0) {
    throw new EmulatorError('INVALID_ARGUMENT', 'index: must be a non-negative integer')
  }
  const newest = newestAgentMessage(deps, conversation.id)
  const wanted = optionalString(body, 'message', 'message')
  if (newest === undefined || (wanted !== undefined && wanted !== newest.name)) {
    throw notNow('The chips of that message are no longer shown: it is not the newest message.')
  }
  const suggestion = suggestionsOf(newest)[index]
  if (suggestion === undefined) {
    throw new EmulatorError('INVALID_ARGUMENT', `index: the message has no suggestion ${index}`)
  }
  const messageName = newest.name ?? ''
  if (suggestion['liveAgentRequest'] !== undefined) {
    return jsonReply(
      deliverUserEvent(deps, conversation, { type: 'live-agent' }, { kind: 'userStatus', bubble: false }),
    )
  }
  if (suggestion['authenticationRequest'] !== undefined) {
    throw notNow('Sign-in chips are tapped through POST /emulator/v1/conversations/:id/signin/start.')
  }
  const kind = suggestion['reply'] !== undefined ? 'reply' : 'action'
  const chip = (suggestion[kind] ?? {}) as JSONObject
  const event: UserEvent = {
    type: 'suggestion',
    message: messageName,
    postbackData: typeof chip['postbackData'] === 'string' ? chip['postbackData'] : '',
    text: typeof chip['text'] === 'string' ? chip['text'] : '',
    suggestionType: kind === 'reply' ? 'REPLY' : 'ACTION',
  }
  return jsonReply(deliverUserEvent(deps, conversation, event, { kind: 'suggestionResponse', bubble: true }))
}

async function setTyping(deps: ControlDeps, ctx: RequestContext): Promise<Reply> {
  const conversation = requireConversation(deps, ctx)
  const isTyping = (await readControlBody(ctx))['isTyping']
  if (typeof isTyping !== 'boolean') throw new EmulatorError('INVALID_ARGUMENT', 'isTyping: must be a boolean')
  return jsonReply(
    deliverUserEvent(deps, conversation, { type: 'typing', isTyping }, { kind: 'userStatus', bubble: false }),
  )
}

async function sendReceipts(deps: ControlDeps, ctx: RequestContext): Promise<Reply> {
  const conversation = requireConversation(deps, ctx)
  const body = await readControlBody(ctx)
  const receiptType = body['receiptType']
  if (receiptType !== 'DELIVERED' && receiptType !== 'READ') {
    throw new EmulatorError('INVALID_ARGUMENT', 'receiptType: must be DELIVERED or READ')
  }
  const agentMessages = deps.conversations
    .listLog(conversation.id)
    .filter((e) => e.direction === 'agent' && e.kind === 'message' && e.name !== undefined)
    .map((e) => e.name as string)
  const requested = body['messages']
  let messageNames = agentMessages
  if (requested !== undefined) {
    if (!Array.isArray(requested) || requested.some((m) => typeof m !== 'string' || !agentMessages.includes(m))) {
      throw new EmulatorError('INVALID_ARGUMENT', 'messages: must list names of agent messages of this conversation')
    }
    messageNames = requested as string[]
  }
  if (messageNames.length === 0) throw notNow('There is no agent message to acknowledge.')
  return jsonReply(
    deliverUserEvent(
      deps,
      conversation,
      { type: 'receipts', receiptType, messageNames },
      { kind: 'receipts', bubble: false },
    ),
  )
}
