/**
 * @module agent/types
 * The public vocabulary of {@link createAgent}: its options, the message handler and its context,
 * the signed-in {@link Session}, and the lifecycle hooks. Deliberately small: everything about
 * webhooks, PKCE, pending sign-ins and exchange markers stays inside.
 */
import type { IncomingMessage, ServerResponse } from 'node:http'
import type { Channel, IdOf, RawOf } from '../channel/channel.ts'
import type { Route } from '../core/route.ts'
import type { AuditEntry } from '../audit/audit-log.ts'
import type { ConversationKey, InboundUser, Reply } from '../channel/types.ts'
import type { Clock } from '../core/clock.ts'
import type { FetchLike } from '../core/fetch.ts'
import type { Logger } from '../core/logger.ts'
import type { Database } from '../db/queryable.ts'
import type { MessageOverrides } from '../flow/messages.ts'
import type { OAuthConfig } from '../oauth/config.ts'
import type { OAuthProvider } from '../oauth/provider.ts'
import type { Keyring } from '../tokens/keyring.ts'

/** What a hook is told. `reason` is a stable code; `detail` is sanitised provider text for logs only. */
export interface HookEvent {
  /** The conversation (channel, platform agent, conversation id). */
  readonly key: ConversationKey
  readonly reason?: string
  readonly detail?: string
  /** The provider's subject of the user, when known. */
  readonly subject?: string
}

/** Lifecycle hooks (for logs, metrics, product events). Errors they throw are logged and ignored. */
export interface AgentHooks {
  readonly signedIn?: (event: HookEvent) => void | Promise<void>
  readonly signInFailed?: (event: HookEvent) => void | Promise<void>
  readonly expired?: (event: HookEvent) => void | Promise<void>
  readonly refreshed?: (event: HookEvent) => void | Promise<void>
  readonly needsReconnect?: (event: HookEvent) => void | Promise<void>
  readonly revoked?: (event: HookEvent) => void | Promise<void>
  readonly signedOut?: (event: HookEvent) => void | Promise<void>
}

/** Options of {@link createAgent}. */
export interface AgentOptions<Cs extends readonly Channel[] = readonly Channel[]> {
  /** The channels the agent talks on, e.g. `[businessMessages({ agents, credentials, webhook })]`. */
  readonly channels: Cs
  /** The OAuth provider: a configuration (resolved at `start()`) or an already resolved provider. */
  readonly provider: OAuthConfig | OAuthProvider
  /** Local mode: allow `http:` provider endpoints on loopback only (security case X7 in docs/security.md). */
  readonly allowInsecureLoopback?: boolean
  /** Scopes `requireSignIn` asks for when the handler names none (default `['openid']`). */
  readonly scopes?: readonly string[]
  readonly database: Database
  /** Vault keys (`id:base64url,…`, active first) or a parsed keyring: everything secret is sealed with it. */
  readonly vaultKeys: Keyring | string
  /** Replaces any of the agent's texts (see `defaultMessages`). */
  readonly messages?: MessageOverrides
  readonly hooks?: AgentHooks
  readonly logger?: Logger
  readonly clock?: Clock
  /** Used for provider and channel requests (default: the global fetch). */
  readonly fetch?: FetchLike
  /** Lifetime of a sign-in prompt (default 10 minutes, P7). */
  readonly pendingTtlMs?: number
  /** Prompts per sign-in before a live agent is offered (default 3). */
  readonly maxAttempts?: number
  /** Refresh an access token this long before it expires (default 60 s, R5). */
  readonly refreshAheadMs?: number
  /**
   * How often the processor looks for due retries and deliveries other instances recorded (default
   * 250 ms). On PostgreSQL new deliveries also wake every instance through `LISTEN`/`NOTIFY`.
   */
  readonly inboxPollIntervalMs?: number
  /** Deliveries processed at once (different conversations only; default 4). */
  readonly concurrency?: number
  /** How long audit entries are kept (default about 13 months); purged with the inbox. */
  readonly auditRetentionMs?: number
  /** How long `ready()` waits for the store's ping (default 2 s). */
  readonly readyTimeoutMs?: number
  /**
   * Attempts at one delivery before it is given up (default 8); the user then gets the
   * `something-went-wrong` apology (W20).
   */
  readonly maxDeliveryAttempts?: number
  /** How often expired inbox rows, exchange markers and pending sign-ins are purged (default 1 h). */
  readonly maintenanceIntervalMs?: number
  /**
   * How often revocations a provider could not take at sign-out are retried (default 30 s). Each
   * retry waits for the provider's `Retry-After` or an exponential backoff; given up after 7 days (R8).
   */
  readonly revocationRetryIntervalMs?: number
}

/** What `ready()` found. */
export interface Readiness {
  readonly ready: boolean
  readonly checks: { readonly started: boolean; readonly database: boolean }
}

/** The provider a grant came from: its endpoints and client id (secrets stay inside). */
export type ProviderInfo = Pick<
  OAuthProvider,
  'issuer' | 'clientId' | 'authorizationEndpoint' | 'tokenEndpoint' | 'userinfoEndpoint' | 'revocationEndpoint'
>

/** What a use of the user's tokens is for, as the audit log records it. */
export interface AccessOptions {
  /** A short intent label, e.g. `read balance` — never the user's own words (default `unspecified`). */
  readonly purpose?: string
}

/** A signed-in user, valid while the handler that received it runs. */
export interface Session {
  /** The provider's subject (`sub`), when the provider reported one. */
  readonly subject: string | undefined
  /** Identity claims from the ID token or UserInfo (strings, numbers, booleans only). */
  readonly claims: Readonly<Record<string, string | number | boolean>>
  /** Granted scopes. */
  readonly scopes: readonly string[]
  /** The provider that issued the grant (e.g. its `userinfoEndpoint`, without re-discovering it). */
  readonly provider: ProviderInfo
  /**
   * A usable access token, refreshed first when it expires soon (single-flight, R1). Recorded in
   * the audit log with `purpose`, as the token leaves the library's hands.
   * @throws {SignInRequiredError} when the grant is gone; the user has been asked to sign in again.
   */
  getAccessToken(options?: AccessOptions): Promise<string>
  /**
   * `fetch` with `Authorization: Bearer`; on a 401 it refreshes once and retries once (R10). Each
   * call is recorded in the audit log: origin, redacted path, `purpose`, scopes, status.
   */
  fetch(url: string | URL, init?: RequestInit, options?: AccessOptions): Promise<Response>
}

/** What the agent author's handler gets for each user message, on any channel. */
export interface BaseMessageContext {
  /** The conversation (channel, platform agent, conversation id): the key its state is stored under. */
  readonly key: ConversationKey
  /** The user's text (for a chip tap: its label; for a parked question: the original text). */
  readonly text: string
  /** `text`, `suggestion` (a chip tap), `live-agent-request`, or `parked-question` (answered after sign-in). */
  readonly kind: 'text' | 'suggestion' | 'live-agent-request' | 'parked-question'
  /** The tapped chip's postback data, for `suggestion`. */
  readonly postbackData?: string
  readonly user: InboundUser
  /**
   * Sends a reply: a text, or `{ text, suggestions }` / `{ text, link }` shown natively on every channel.
   * @throws {InvalidArgumentError} when the reply breaks a limit some channel has (docs/api.md §3).
   */
  say(reply: Reply): Promise<void>
  /**
   * The session when the user is signed in with `scopes`; otherwise sends the sign-in prompt,
   * parks this message and resolves `undefined` (return then: the message is answered after sign-in).
   */
  requireSignIn(need?: { scopes?: readonly string[]; reason?: string }): Promise<Session | undefined>
  /** Signs the user out: revokes the grant at the provider (RFC 7009) and deletes it locally. */
  signOut(): Promise<void>
  /**
   * What was done with this user's account access, newest first: each use of their tokens (purpose,
   * API, outcome) and each grant event. `describeAccessLog(entries)` makes it a readable answer.
   */
  accessLog(options?: { limit?: number }): Promise<readonly AuditEntry[]>
}

/**
 * The context of a message on channel `C`: narrow on `ctx.channel` to send a platform message with
 * `sayRaw` (e.g. a Business Messages rich card). On the plain `MessageContext`, `sayRaw` takes `never`,
 * so a channel-neutral handler fits every agent.
 */
export type MessageContext<C extends Channel = Channel> = C extends Channel
  ? BaseMessageContext & { readonly channel: IdOf<C>; sayRaw(message: RawOf<C>): Promise<void> }
  : never

/** The agent author's message handler. */
export type MessageHandler<C extends Channel = Channel> = (context: MessageContext<C>) => void | Promise<void>

/** A running agent. */
export interface SignInAgent<C extends Channel = Channel> {
  /** Sets the message handler (one per agent; a later call replaces it). */
  onMessage(handler: MessageHandler<C>): void
  /** The channels, as given. */
  readonly channels: readonly C[]
  /** The resolved provider's endpoints and client id; `undefined` until `start()` resolved it. */
  provider(): ProviderInfo | undefined
  /** Each channel's webhook as plain-data routes (answer 503 until `start()`); `serveAgent` mounts them. */
  readonly routes: readonly Route[]
  /** Ready to take traffic: started, and the store answers a ping within `readyTimeoutMs`. */
  ready(): Promise<Readiness>
  /** The agent's Prometheus metrics (docs/operations.md). */
  metrics(): Promise<{ readonly contentType: string; readonly text: string }>
  /** The webhook endpoint for `node:http` (answers 503 until `start()` finished). */
  readonly webhookHandler: (req: IncomingMessage, res: ServerResponse) => void
  /**
   * Migrates the stores, resolves the provider, starts processing (also deliveries left by a crash).
   * Calls while starting share one start; after a failure (e.g. discovery unreachable) call it again.
   */
  start(): Promise<void>
  /**
   * Stops taking deliveries and waits for the ones in progress (and for a start in progress, which
   * is then undone). Does not close the database.
   */
  stop(): Promise<void>
}
