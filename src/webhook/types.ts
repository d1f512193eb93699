/**
 * @module webhook/types
 * Inbound webhook events as the rest of bm-oauth sees them: a discriminated union on `kind`, with
 * neutral camelCase names and lenient values already normalised (string booleans coerced, both
 * field spellings accepted). The Google wire shape is described in docs/contract-decisions.md §3;
 * it lives only in `parse-event.ts`, which produces these types.
 */

/**
 * Fields every event may carry. Only `kind` and `dedupeKey` are always present
 * (docs/contract-decisions.md §3.1: receipts lack `requestId`).
 */
export interface WebhookEventBase {
  /**
   * Stable identity of the delivery, used for de-duplication: `r:<requestId>` when present, else
   * `m:<conversationId>/<messageId>`, else `b:<sha256 hex of the raw body>` (a redelivery of the
   * same bytes dedupes; a re-serialised body would not, which Google does not do).
   */
  dedupeKey: string
  requestId?: string
  /** `brands/{b}/agents/{a}`. */
  agent?: string
  conversationId?: string
  customAgentId?: string
  /** `sendTime` as sent (may be a placeholder such as `SEND_TIME` in Google's test payloads). */
  sendTime?: string
  /** `sendTime` in epoch ms when it is a valid RFC 3339 timestamp. */
  sendTimeMs?: number
  context?: WebhookContext
}

export interface WebhookContext {
  entryPoint?: string
  userDisplayName?: string
  userDeviceLocale?: string
  resolvedLocale?: string
  customContext?: string
  placeId?: string
  nearPlaceId?: string
  widgetUrl?: string
  widgetContext?: string
}

export interface MessageEvent extends WebhookEventBase {
  kind: 'message'
  message: { messageId?: string; name?: string; text: string; createTime?: string }
}

export interface SuggestionEvent extends WebhookEventBase {
  kind: 'suggestion'
  suggestion: { message?: string; postbackData?: string; text?: string; type?: string; createTime?: string }
}

/**
 * The outcome of the user's sign-in at the provider. `error` wins when Google sent both a code and
 * error details (security case P10; Google's own test payload does this). `missing` means neither
 * (or the code was withheld from storage, see inbox-store): the flow must re-prompt, never guess.
 */
export type AuthenticationOutcome =
  | { outcome: 'code'; code: string; redirectUri?: string }
  | { outcome: 'error'; error: string; errorDescription?: string; codeAlsoPresent: boolean; redirectUri?: string }
  | { outcome: 'missing'; redirectUri?: string }

export interface AuthenticationEvent extends WebhookEventBase {
  kind: 'authentication'
  authentication: AuthenticationOutcome
}

export interface ReceiptsEvent extends WebhookEventBase {
  kind: 'receipts'
  receipts: { receipts: Array<{ message?: string; receiptType?: string }>; createTime?: string }
}

export interface TypingEvent extends WebhookEventBase {
  kind: 'typing'
  /** `undefined` when the value was a placeholder (e.g. `"BOOLEAN"`). */
  typing: { isTyping: boolean | undefined; createTime?: string }
}

export interface LiveAgentRequestEvent extends WebhookEventBase {
  kind: 'live-agent-request'
  liveAgentRequest: { requested: boolean | undefined; createTime?: string }
}

export interface SurveyEvent extends WebhookEventBase {
  kind: 'survey'
  /**
   * The `surveyResponse` object's scalar fields, unchanged (its enums are unconfirmed,
   * docs/contract-decisions.md §8 Q5).
   */
  survey: Record<string, string | number | boolean>
}

/** A signed body with none of the known payload keys (e.g. the legacy `feedbackResponse`). */
export interface UnknownEvent extends WebhookEventBase {
  kind: 'unknown'
  /** Top-level keys of the body, to say in a log line what arrived (keys only, no values). */
  keys: string[]
}

export type WebhookEvent =
  | MessageEvent
  | SuggestionEvent
  | AuthenticationEvent
  | ReceiptsEvent
  | TypingEvent
  | LiveAgentRequestEvent
  | SurveyEvent
  | UnknownEvent

export type WebhookEventKind = WebhookEvent['kind']
