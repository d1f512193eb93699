/**
 * @module channel/business-messages/outbound
 * Pure mapping of a neutral {@link OutgoingMessage} to a Business Messages `Message`, and the
 * deterministic message ids that make re-sending idempotent: a delivery processed again (after a
 * crash or a retry) sends each message with the same `messageId`, Google answers
 * `ALREADY_EXISTS`, and the message counts as sent without a second bubble
 * (docs/contract-decisions.md §10 "crash semantics").
 */
import { createHash } from 'node:crypto'
import {
  authenticationRequestSuggestion,
  openUrlSuggestion,
  replySuggestion,
} from '../../google/business-messages/builders.ts'
import type { Message, Representative } from '../../google/business-messages/types.ts'
import type { OutgoingMessage } from '../types.ts'

/** How every message of the agent is dressed. */
export interface BusinessMessagesStyle {
  /** Default `{ representativeType: 'BOT' }`. */
  readonly representative: Representative
  /**
   * Appended to the prompt text as `fallback`, for clients that cannot show the sign-in chip
   * (docs/contract-decisions.md §4.4).
   */
  readonly signInFallback: string
}

/** The default fallback: where to go when the chip cannot be shown. */
export const DEFAULT_SIGN_IN_FALLBACK =
  'If you cannot see a sign-in button, update your Google Maps or Search app, or sign in on our website.'

/** The default representative of an automated agent. */
export const BOT_REPRESENTATIVE: Representative = Object.freeze({ representativeType: 'BOT' }) as Representative

/**
 * A message id that is the same for the same (conversation, delivery, position) every time:
 * the first 128 bits of a SHA-256, formatted as a UUID. `salt` separates messages whose content
 * must differ on a re-send (a prompt with a new PKCE challenge gets a new id, so the chip on the
 * newest message always matches the pending verifier).
 */
export function deterministicMessageId(parts: {
  conversationId: string
  deliveryId: string
  index: number
  salt?: string
}): string {
  const hex = createHash('sha256')
    .update(JSON.stringify([parts.conversationId, parts.deliveryId, parts.index, parts.salt ?? '']))
    .digest('hex')
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20, 32)}`
}

/** The Business Messages form of `message`, with `messageId` and the agent's representative. */
export function toBusinessMessage(message: OutgoingMessage, messageId: string, style: BusinessMessagesStyle): Message {
  const common = { messageId, representative: style.representative }
  switch (message.type) {
    case 'text': {
      // A link is an open-URL chip; suggestions are reply chips (docs/api.md §3).
      if (message.link !== undefined) {
        const { text, url } = message.link
        return { ...common, text: message.text, suggestions: [openUrlSuggestion(text, url, 'bm-oauth:open-url')] }
      }
      if (message.suggestions === undefined) return { ...common, text: message.text }
      const suggestions = message.suggestions.map((s) => replySuggestion(s.text, s.postbackData))
      return { ...common, text: message.text, suggestions }
    }
    case 'sign-in-prompt': {
      const { clientId, codeChallenge, scopes } = message
      return {
        ...common,
        text: message.text,
        fallback: `${message.text} ${style.signInFallback}`,
        // One chip only, on this (the newest) message: chips vanish under newer messages
        // (docs/contract-decisions.md §4.4).
        suggestions: [authenticationRequestSuggestion({ clientId, codeChallenge, scopes })],
      }
    }
    case 'live-agent-offer':
      return { ...common, text: message.text, fallback: message.text, suggestions: [{ liveAgentRequest: {} }] }
  }
}
