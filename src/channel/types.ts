/**
 * @module channel/types
 * The channel-neutral shapes a messaging channel is mapped to and from: what a user did
 * ({@link InboundMessage}) and what the agent wants to show ({@link OutgoingMessage}). The sign-in
 * runner works only with these; each channel (Business Messages today) has an adapter that maps
 * its wire types, so neither the flow nor the runner ever sees a Google field name.
 */

export type { ChannelId, ConversationKey } from '../core/conversation-key.ts'

/** A reply chip: shown as `text`, comes back as a `suggestion` with `postbackData`. */
export interface SuggestedReply {
  readonly text: string
  readonly postbackData: string
}

/**
 * What an agent author says, on any channel (docs/api.md §3): a text, with up to ten suggested
 * replies or one link. A link excludes suggestions, so one reply is one message everywhere.
 */
export type ReplyObject =
  | { readonly text: string; readonly suggestions?: readonly SuggestedReply[]; readonly link?: never }
  | {
      readonly text: string
      readonly link: { readonly text: string; readonly url: string }
      readonly suggestions?: never
    }

/** A text, or a {@link ReplyObject}. */
export type Reply = string | ReplyObject

/** Who wrote, as far as the channel tells. */
export interface InboundUser {
  readonly displayName?: string
  readonly locale?: string
}

/** The outcome of the user's sign-in at the provider, as relayed by the channel. */
export type AuthorizationResult =
  | { readonly type: 'code'; readonly code: string; readonly redirectUri?: string }
  | { readonly type: 'error'; readonly error: string; readonly description?: string }
  /** Neither a code nor an error arrived: the flow re-prompts, it never guesses. */
  | { readonly type: 'missing' }

interface InboundBase {
  /** Stable id of the delivery (the same on every redelivery): the key for idempotent replies. */
  readonly deliveryId: string
  readonly conversationId: string
  readonly user: InboundUser
}

/** One thing a user did in a conversation. */
export type InboundMessage =
  | (InboundBase & { readonly kind: 'text'; readonly text: string })
  | (InboundBase & { readonly kind: 'suggestion'; readonly text: string; readonly postbackData?: string })
  | (InboundBase & { readonly kind: 'authorization'; readonly result: AuthorizationResult })
  | (InboundBase & { readonly kind: 'live-agent-request' })

/** Something the channel delivered that the runner does not act on (receipts, typing, surveys). */
export interface IgnoredInbound {
  readonly kind: 'ignored'
  readonly deliveryId: string
  readonly conversationId?: string
  /** What arrived, for a log line (a kind name, never content). */
  readonly what: string
}

/** What the agent shows the user: one message each. */
export type OutgoingMessage =
  /** A text, optionally with reply chips or one link (a validated {@link ReplyObject}). */
  | ({ readonly type: 'text' } & ReplyObject)
  /** A text with the sign-in chip; `codeChallenge` is the S256 challenge of the pending verifier. */
  | {
      readonly type: 'sign-in-prompt'
      readonly text: string
      readonly clientId: string
      readonly codeChallenge: string
      readonly scopes: readonly string[]
    }
  /** A text with a chip that asks for a human (live agent). */
  | { readonly type: 'live-agent-offer'; readonly text: string }
export { BUSINESS_MESSAGES } from '../core/conversation-key.ts'
