/**
 * @module channel/whatsapp
 * The WhatsApp channel's pure mappings between the Cloud API's events and bodies and the neutral
 * InboundMessage / OutgoingMessage. The runtime (routes, inbox, outbox) wires them next.
 */
export { LIVE_AGENT_POSTBACK, TEXT_ONLY_NOTICE, WHATSAPP_CHANNEL, toWhatsAppInbound } from './inbound.ts'
export type { WhatsAppInbound } from './inbound.ts'
export { DEFAULT_WHATSAPP_LABELS, toWhatsAppMessage } from './outbound.ts'
export type { ToWhatsAppOptions, WhatsAppLabels } from './outbound.ts'
