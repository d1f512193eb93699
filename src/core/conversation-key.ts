/**
 * @module core/conversation-key
 * The key every piece of conversation state is stored under (docs/api.md §4). It lives in core so
 * the stores (tokens, sign-in store) can take it without depending on the channel layer; the
 * channel module re-exports it.
 */

/** A messaging channel's id: `business-messages` today, `whatsapp` next. */
export type ChannelId = 'business-messages' | 'whatsapp' | (string & {})

/**
 * Where a conversation lives, and the key everything about it is stored under (docs/api.md §4):
 * the channel, the platform agent (a Business Messages agent name, a WhatsApp phone-number id) and
 * the channel's conversation id.
 */
export interface ConversationKey {
  readonly channel: ChannelId
  readonly agent: string
  readonly conversation: string
}

/** The Business Messages channel's id: the channel of every row stored before there were channels. */
export const BUSINESS_MESSAGES = 'business-messages' satisfies ChannelId
