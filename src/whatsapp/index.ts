/**
 * @module whatsapp
 * Entry of `bm-oauth/whatsapp`: the WhatsApp Cloud API as a platform client, as `bm-oauth/google`
 * is for Business Messages: the webhook's signature check and `GET` verification answer, a parser
 * of webhook bodies into typed events, outbound message builders with Meta's limits checked
 * locally, and a typed client of the messages endpoint. Meta's field names are kept in the wire
 * types. Explicit named exports only (docs/whatsapp-decisions.md records every wire detail).
 */
export { WhatsAppAPIError } from '../errors.ts'

export { WHATSAPP_SIGNATURE_HEADER, signWhatsAppBody, verifyWhatsAppSignature } from './signature.ts'
export type { VerifyWhatsAppSignatureInput } from './signature.ts'
export { answerWhatsAppVerification } from './verification.ts'
export type { VerificationAnswer } from './verification.ts'
export { WHATSAPP_OBJECT, parseWhatsAppWebhook, toE164 } from './parse.ts'
export type { WhatsAppContent, WhatsAppErrorInfo, WhatsAppEvent, WhatsAppUser } from './parse.ts'
export {
  WHATSAPP_LIMITS,
  ctaUrlMessage,
  listMessage,
  readReceipt,
  replyButtonsMessage,
  textMessage,
} from './builders.ts'
export type { InteractiveFrame, ListRow, ListSection, MessageOptions, ReplyButton } from './builders.ts'
export {
  OUTSIDE_WINDOW_CODE,
  PAIR_RATE_LIMIT_CODE,
  RETRIED_GRAPH_CODES,
  SPAM_RATE_LIMIT_CODE,
  toWhatsAppAPIError,
} from './graph-error.ts'
export { DEFAULT_GRAPH_VERSION, DEFAULT_WHATSAPP_RETRY, GRAPH_API_BASE_URL, WhatsAppClient } from './client.ts'
export type { SentMessage, WhatsAppClientOptions, WhatsAppRetryOptions } from './client.ts'
export type {
  GraphErrorEnvelope,
  MessagesValue,
  OutboundMessage,
  ReadReceipt,
  SendMessageResponse,
  WebhookBody,
  WebhookChange,
  WebhookEntry,
  WireContact,
  WireError,
  WireInteractive,
  WireListRow,
  WireListSection,
  WireMessage,
  WireReplyButton,
  WireStatus,
  WireSystem,
} from './types.ts'
