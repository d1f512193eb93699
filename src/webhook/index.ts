/**
 * @module webhook
 * Entry of `bm-oauth/webhook`: receiving Business Messages webhooks. The signature check on raw
 * bytes, the URL-verification handshake, the event parser, the receiver (verify, answer, dedupe,
 * record, then 200), its durable inbox, and the node:http adapter. Explicit named exports only.
 */
export { verifyWebhookSignature } from './verify-signature.ts'
export type { VerifyWebhookSignatureInput } from './verify-signature.ts'
export { answerHandshake, detectHandshake } from './handshake.ts'
export type { HandshakeAnswer, HandshakeRequest } from './handshake.ts'
export { parseWebhookEvent } from './parse-event.ts'
export type {
  AuthenticationEvent,
  AuthenticationOutcome,
  LiveAgentRequestEvent,
  MessageEvent,
  ReceiptsEvent,
  SuggestionEvent,
  SurveyEvent,
  TypingEvent,
  UnknownEvent,
  WebhookContext,
  WebhookEvent,
  WebhookEventBase,
  WebhookEventKind,
} from './types.ts'
export { createWebhookReceiver } from './receiver.ts'
export type {
  RecordedDelivery,
  WebhookReceiver,
  WebhookReceiverOptions,
  WebhookRequest,
  WebhookResponse,
} from './receiver.ts'
export { openInboxStore } from './inbox-store.ts'
export type { ClaimedDelivery, InboxStore, OpenInboxStoreOptions, PayloadSealer } from './inbox-store.ts'
export { createNodeWebhookHandler } from './node-adapter.ts'
