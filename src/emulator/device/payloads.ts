/**
 * @module emulator/device/payloads
 * Pure builders of the `UserMessage` JSON Google POSTed to an agent's webhook
 * (docs/contract-decisions.md §3.1–3.4), with Google's field names and key order (`agent`,
 * `conversationId`, `customAgentId`, `requestId`, the one payload key, `context`, `sendTime`).
 * Payload-level faults (an auth code that also carries `errorDetails`, the `redirect_uri` spelling
 * of Google's test payloads) are opt-in variants.
 */
import { createHash } from 'node:crypto'
import { formatGoogleTimestamp } from './google-timestamp.ts'

/** Who is talking to which agent, as Google puts it into every delivery. */
export interface ConversationContext {
  agentName: string
  conversationId: string
  customAgentId: string | undefined
  /** `EntryPoint` enum name, e.g. `PLACESHEET` (docs/contract-decisions.md §3.3). */
  entryPoint: string
  displayName: string
  /** BCP 47; used for both `userInfo.userDeviceLocale` and `resolvedLocale`. */
  locale: string
}

/** Something the simulated user did. */
export type UserEvent =
  | { type: 'text'; messageId: string; text: string }
  | { type: 'suggestion'; message: string; postbackData: string; text: string; suggestionType: 'REPLY' | 'ACTION' }
  | { type: 'typing'; isTyping: boolean }
  | { type: 'live-agent' }
  | { type: 'receipts'; receiptType: 'DELIVERED' | 'READ'; messageNames: string[] }
  | { type: 'auth-code'; code: string; redirectUri: string }
  | { type: 'auth-error'; error: string; errorDescription?: string }

/** Payload-level fault injection and rendering knobs. */
export interface PayloadVariants {
  /** An `auth-code` payload also carries `errorDetails` (proto zero value `ERROR_UNSPECIFIED`). */
  codeWithErrorDetails?: boolean
  /**
   * Key of the redirect URI: `redirectUri` (reference, default) or `redirect_uri` (Google's
   * test-framework payloads).
   */
  redirectUriSpelling?: 'redirectUri' | 'redirect_uri'
  /** When the user acted (the payload's `createTime`); default `nowMs`. */
  createTimeMs?: number
  /** Digits below the millisecond in both timestamps (0–999 999); default derived from `requestId`. */
  subMillisecondNanos?: number
}

/**
 * Builds the webhook body for one user event.
 *
 * @param ctx The conversation the event belongs to.
 * @param event What the user did.
 * @param nowMs Send time (epoch ms, from the emulator's clock).
 * @param requestId Unique per user message; stays the same on every redelivery
 * (docs/contract-decisions.md §3.1).
 * @param variants Optional faults and timestamp knobs.
 * @see https://developers.google.com/business-communications/business-messages/reference/rest/v1/UserMessage
 * @example
 * const body = userMessagePayload(ctx, { type: 'text', messageId: 'm-1', text: 'Hi' }, Date.now(), 'r-1')
 */
export function userMessagePayload(
  ctx: ConversationContext,
  event: UserEvent,
  nowMs: number,
  requestId: string,
  variants: PayloadVariants = {},
): Record<string, unknown> {
  const nanos = variants.subMillisecondNanos ?? nanosFromRequestId(requestId)
  const createTime = formatGoogleTimestamp(variants.createTimeMs ?? nowMs, nanos)
  const [key, value] = payloadEntry(ctx, event, createTime, variants)
  const body: Record<string, unknown> = { agent: ctx.agentName, conversationId: ctx.conversationId }
  if (ctx.customAgentId !== undefined) body['customAgentId'] = ctx.customAgentId
  body['requestId'] = requestId
  body[key] = value
  body['context'] = {
    entryPoint: ctx.entryPoint,
    userInfo: { displayName: ctx.displayName, userDeviceLocale: ctx.locale },
    resolvedLocale: ctx.locale,
  }
  body['sendTime'] = formatGoogleTimestamp(nowMs, nanos)
  return body
}

/** The union member of `UserMessage` for an event: its key and its value. */
function payloadEntry(
  ctx: ConversationContext,
  event: UserEvent,
  createTime: string,
  variants: PayloadVariants,
): [string, Record<string, unknown>] {
  switch (event.type) {
    case 'text':
      return [
        'message',
        {
          messageId: event.messageId,
          name: `conversations/${ctx.conversationId}/messages/${event.messageId}`,
          text: event.text,
          createTime,
        },
      ]
    case 'suggestion':
      return [
        'suggestionResponse',
        {
          message: event.message,
          postbackData: event.postbackData,
          createTime,
          text: event.text,
          type: event.suggestionType,
        },
      ]
    case 'typing':
      return ['userStatus', { isTyping: event.isTyping, createTime }]
    case 'live-agent':
      return ['userStatus', { requestedLiveAgent: true, createTime }]
    case 'receipts':
      return [
        'receipts',
        { receipts: event.messageNames.map((message) => ({ message, receiptType: event.receiptType })), createTime },
      ]
    case 'auth-code':
      return ['authenticationResponse', authCodeResponse(event.code, event.redirectUri, variants)]
    case 'auth-error': {
      const errorDetails: Record<string, string> = { error: event.error }
      if (event.errorDescription !== undefined) errorDetails['errorDescription'] = event.errorDescription
      return ['authenticationResponse', { errorDetails }]
    }
  }
}

function authCodeResponse(code: string, redirectUri: string, variants: PayloadVariants): Record<string, unknown> {
  const response: Record<string, unknown> = { code, [variants.redirectUriSpelling ?? 'redirectUri']: redirectUri }
  if (variants.codeWithErrorDetails === true) {
    response['errorDetails'] = { error: 'ERROR_UNSPECIFIED', errorDescription: '' }
  }
  return response
}

/** Stable pseudo-nanoseconds so timestamps carry nine significant-looking digits like Google's. */
function nanosFromRequestId(requestId: string): number {
  return createHash('sha256').update(requestId).digest().readUIntBE(0, 3) % 1_000_000
}
