/**
 * @module channel/channel
 * What a messaging channel contributes to an agent (docs/api.md §2): its id, the platform agents
 * it answers for, how it signs users in (a native chip, or a link), and, once connected at
 * `start()`, a client that sends the neutral {@link OutgoingMessage}s in the platform's own form.
 * The sign-in flow and the runner only ever see these shapes.
 */
import type { Clock } from '../core/clock.ts'
import type { FetchLike } from '../core/fetch.ts'
import type { Logger } from '../core/logger.ts'
import type { ChannelId, ConversationKey, OutgoingMessage } from './types.ts'

/**
 * How a channel signs users in: `chip`, the platform's own sign-in button that relays the code back
 * in a webhook (Business Messages; the relayed redirect URI must be one of `allowedRedirectUris`),
 * or `link`, a web link to the agent's own sign-in pages (WhatsApp, docs/api.md §2).
 */
export type SignInMode =
  | { readonly mode: 'chip'; readonly allowedRedirectUris: readonly string[] }
  | { readonly mode: 'link' }

/** What a channel's client is given when the agent starts. */
export interface ChannelDeps {
  readonly fetch: FetchLike
  readonly clock: Clock
  readonly logger: Logger
}

/**
 * A connected channel: sends to one conversation. `messageId` is deterministic per (conversation,
 * delivery, position), so a re-run after a crash re-sends with the same id and the platform drops
 * the duplicate where it can (docs/contract-decisions.md §10 "crash semantics").
 */
export interface ChannelClient<Raw = never> {
  send(to: ConversationKey, message: OutgoingMessage, messageId: string): Promise<void>
  /** Sends a platform message the author built (`ctx.sayRaw`); the client adds the id and defaults. */
  sendRaw(to: ConversationKey, message: Raw, messageId: string): Promise<void>
  /** Shows or hides "typing…"; absent when the channel is configured without typing indicators. */
  typing?(to: ConversationKey, state: 'started' | 'stopped'): Promise<void>
  close(): Promise<void>
}

/** A messaging channel, made by a factory such as `businessMessages()`. */
export interface Channel<Id extends ChannelId = ChannelId, Raw = never> {
  readonly id: Id
  /** Every platform agent this process answers for (Business Messages agent names, WhatsApp phone-number ids). */
  readonly agents: readonly string[]
  readonly signIn: SignInMode
  /** Called once per `start()`: credentials are read and clients built here, not at construction. */
  connect(deps: ChannelDeps): Promise<ChannelClient<Raw>>
}

/** The `Raw` message type of a channel. */
export type RawOf<C> = C extends Channel<ChannelId, infer Raw> ? Raw : never
/** The id type of a channel. */
export type IdOf<C> = C extends Channel<infer Id, unknown> ? Id : never
