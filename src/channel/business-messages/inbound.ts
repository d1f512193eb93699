/**
 * @module channel/business-messages/inbound
 * Pure mapping of a parsed Business Messages webhook event to the neutral {@link InboundMessage}.
 * Only this adapter knows which webhook kinds exist; the runner sees text, chip taps, sign-in
 * results and live-agent requests, and nothing else.
 */
import type { WebhookEvent } from '../../webhook/types.ts'
import type { AuthorizationResult, IgnoredInbound, InboundMessage, InboundUser } from '../types.ts'

/**
 * Maps a webhook event. Events without a conversation, and kinds the runner does not act on
 * (receipts, typing, surveys, unknown), come back as `ignored`.
 */
export function toInboundMessage(event: WebhookEvent): InboundMessage | IgnoredInbound {
  const deliveryId = event.dedupeKey
  const conversationId = event.conversationId
  if (conversationId === undefined || conversationId === '') {
    return { kind: 'ignored', deliveryId, what: `${event.kind} without conversation` }
  }
  const base = { deliveryId, conversationId, user: userOf(event) }
  switch (event.kind) {
    case 'message':
      return { ...base, kind: 'text', text: event.message.text }
    case 'suggestion': {
      const { text, postbackData } = event.suggestion
      const tapped = { ...base, kind: 'suggestion' as const, text: text ?? postbackData ?? '' }
      return postbackData === undefined ? tapped : { ...tapped, postbackData }
    }
    case 'authentication':
      return { ...base, kind: 'authorization', result: authorizationResultOf(event.authentication) }
    case 'live-agent-request':
      return event.liveAgentRequest.requested === false
        ? { kind: 'ignored', deliveryId, conversationId, what: 'live-agent-request (false)' }
        : { ...base, kind: 'live-agent-request' }
    default:
      return { kind: 'ignored', deliveryId, conversationId, what: event.kind }
  }
}

/** Error details win over a code sent alongside them (P10); a missing outcome stays missing. */
function authorizationResultOf(
  outcome: Extract<WebhookEvent, { kind: 'authentication' }>['authentication'],
): AuthorizationResult {
  switch (outcome.outcome) {
    case 'code':
      return outcome.redirectUri === undefined
        ? { type: 'code', code: outcome.code }
        : { type: 'code', code: outcome.code, redirectUri: outcome.redirectUri }
    case 'error':
      return outcome.errorDescription === undefined
        ? { type: 'error', error: outcome.error }
        : { type: 'error', error: outcome.error, description: outcome.errorDescription }
    case 'missing':
      return { type: 'missing' }
  }
}

function userOf(event: WebhookEvent): InboundUser {
  const context = event.context
  const locale = context?.resolvedLocale ?? context?.userDeviceLocale
  return {
    ...(context?.userDisplayName === undefined ? {} : { displayName: context.userDisplayName }),
    ...(locale === undefined ? {} : { locale }),
  }
}
