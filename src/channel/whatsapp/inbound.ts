/**
 * @module channel/whatsapp/inbound
 * Pure mapping of a parsed WhatsApp webhook event to the neutral {@link InboundMessage}, plus the
 * three things only WhatsApp has and the runtime must act on (docs/whatsapp-decisions.md §3.2–§3.5):
 * a non-text message to answer with "text only", a user id that changed, and a sent message that
 * failed. The conversation is the user key (BSUID, else wa_id) under the phone-number id.
 */
import type { WhatsAppErrorInfo, WhatsAppEvent } from '../../whatsapp/parse.ts'
import { RESERVED_POSTBACK_PREFIX } from '../reply.ts'
import type { ConversationKey, IgnoredInbound, InboundMessage } from '../types.ts'

/** The channel id of WhatsApp conversations. */
export const WHATSAPP_CHANNEL = 'whatsapp'

/** The postback of the "talk to a person" button this channel sends for a live-agent offer. */
export const LIVE_AGENT_POSTBACK = `${RESERVED_POSTBACK_PREFIX}live-agent`

/** The short answer to every message the agent cannot read. */
export const TEXT_ONLY_NOTICE = 'I can only read text here. Please type your message.'

/** What a WhatsApp event asks of the runtime. */
export type WhatsAppInbound =
  | { readonly kind: 'inbound'; readonly key: ConversationKey; readonly message: InboundMessage }
  /** Media, location, contacts, unknown: answer {@link TEXT_ONLY_NOTICE}, each time. */
  | { readonly kind: 'text-only'; readonly key: ConversationKey; readonly deliveryId: string; readonly what: string }
  /** Move the user's grant, pending sign-in and state from `key` to `newKey` (or revoke and tell them). */
  | {
      readonly kind: 'user-changed'
      readonly key: ConversationKey
      readonly newKey: ConversationKey
      readonly deliveryId: string
    }
  /** A sent message failed (131047 outside the 24-hour window, …): a metric and a logged reason, no retry. */
  | {
      readonly kind: 'send-failed'
      readonly deliveryId: string
      readonly agent: string
      readonly messageId: string
      readonly conversation?: string
      readonly errors: readonly WhatsAppErrorInfo[]
    }
  | IgnoredInbound

/** Maps one event (docs/whatsapp-decisions.md §3). */
export function toWhatsAppInbound(event: WhatsAppEvent): WhatsAppInbound {
  if (event.kind === 'status') {
    // Statuses de-duplicate by (wamid, status), so the delivery id is both.
    const deliveryId = `${event.messageId}:${event.status}`
    if (event.status !== 'failed') return { kind: 'ignored', deliveryId, what: `status ${event.status}` }
    return {
      kind: 'send-failed',
      deliveryId,
      agent: event.phoneNumberId,
      messageId: event.messageId,
      ...(event.recipientKey === undefined ? {} : { conversation: event.recipientKey }),
      errors: event.errors,
    }
  }
  if (event.kind === 'error') {
    return { kind: 'ignored', deliveryId: `errors:${event.errors.map((e) => e.code).join(',')}`, what: 'errors' }
  }
  const key: ConversationKey = { channel: WHATSAPP_CHANNEL, agent: event.phoneNumberId, conversation: event.user.key }
  const deliveryId = event.messageId
  const base = {
    deliveryId,
    conversationId: event.user.key,
    user: event.user.profileName === undefined ? {} : { displayName: event.user.profileName },
  }
  const inbound = (message: InboundMessage): WhatsAppInbound => ({ kind: 'inbound', key, message })
  const content = event.content
  switch (content.type) {
    case 'text':
      return inbound({ ...base, kind: 'text', text: content.text })
    case 'button_reply':
    case 'list_reply':
      if (content.id === LIVE_AGENT_POSTBACK) return inbound({ ...base, kind: 'live-agent-request' })
      return inbound({ ...base, kind: 'suggestion', text: content.title, postbackData: content.id })
    case 'quick_reply':
      return inbound({
        ...base,
        kind: 'suggestion',
        text: content.text,
        ...(content.payload === undefined ? {} : { postbackData: content.payload }),
      })
    case 'media':
      return { kind: 'text-only', key, deliveryId, what: content.messageType }
    case 'unsupported':
      return { kind: 'text-only', key, deliveryId, what: content.messageType }
    case 'reaction':
      return { kind: 'ignored', deliveryId, conversationId: event.user.key, what: 'reaction' }
    case 'user_changed_user_id':
    case 'user_changed_number': {
      // The old key: the previous BSUID where Meta names it, else the sender (the old number).
      const from = content.previousUserId ?? event.user.key
      const to = content.newUserId ?? content.newWaId
      if (to === undefined || to === from) {
        return { kind: 'ignored', deliveryId, conversationId: from, what: `${content.type} without a new id` }
      }
      return {
        kind: 'user-changed',
        key: { ...key, conversation: from },
        newKey: { ...key, conversation: to },
        deliveryId,
      }
    }
    case 'system':
      return { kind: 'ignored', deliveryId, conversationId: event.user.key, what: `system ${content.systemType}` }
  }
}
