/**
 * @module channel/business-messages
 * The Business Messages channel adapter: webhook events in, neutral inbound messages out; neutral
 * outgoing messages in, Business Messages `Message` objects out. Pure.
 */
export { toInboundMessage } from './inbound.ts'
export {
  BOT_REPRESENTATIVE,
  DEFAULT_SIGN_IN_FALLBACK,
  deterministicMessageId,
  toBusinessMessage,
} from './outbound.ts'
export type { BusinessMessagesStyle } from './outbound.ts'
