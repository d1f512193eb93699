/**
 * @module agent/types
 * The public vocabulary of {@link createAgent}: its options, the message handler and its context,
 * the signed-in {@link Session}, and the lifecycle hooks. Deliberately small: everything about
 * webhooks, PKCE, pending sign-ins and exchange markers stays inside.
 */
import type { IncomingMessage, ServerResponse } from 'node:http'
import type { Clock } from '../core/clock.ts'
import type { FetchLike } from '../core/fetch.ts'
import type { Logger } from '../core/logger.ts'
import type { Database } from '../db/queryable.ts'
import type { MessageOverrides } from '../flow/messages.ts'
import type { AccessTokenSource } from '../google/service-account.ts'
import type { ServiceAccountKey } from '../google/service-account-key.ts'
import type { Message, Representative } from '../google/business-messages/types.ts'
import type { OAuthConfig } from '../oauth/config.ts'
import type { OAuthProvider } from '../oauth/provider.ts'
import type { Keyring } from '../tokens/keyring.ts'

/** How the agent authenticates to Google's Business Messages API. Give exactly one of the three. */
export interface GoogleOptions {
  /** Any token source (e.g. `ServiceAccountCredentials`). */
  readonly credentials?: AccessTokenSource
  /** Path of a service-account key JSON file. */
  readonly keyFile?: string
  /** A parsed service-account key. */
  readonly key?: ServiceAccountKey
  /** Business Messages API origin (default Google's; the emulator's URL locally). */
  readonly baseUrl?: string
}

/** Webhook settings (docs/contract-decisions.md §3.6–3.7, §10 Q6–Q7). */
export interface AgentWebhookOptions {
  /** Signing keys: the current client token first, optionally the previous one during rotation. */
  readonly keys?: readonly string[]
  /** The client token, to answer Google's verification handshake. */
  readonly clientToken?: string
  /** Local testing only: accept unsigned bodies (logs a loud warning). */
  readonly unsafeDisableSignatureVerification?: boolean
}

/** What a hook is told. `reason` is a stable code; `detail` is sanitised provider text for logs only. */
export interface HookEvent {
  readonly conversationId: string
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
export interface AgentOptions {
  /** The agent's resource name, `brands/{b}/agents/{a}`: the key tokens and state are stored under. */
  readonly agentName: string
  readonly google: GoogleOptions
  /** The OAuth provider: a configuration (resolved at `start()`) or an already resolved provider. */
  readonly provider: OAuthConfig | OAuthProvider
  /** Local mode: allow `http:` provider endpoints on loopback only (security case X7). */
  readonly allowInsecureLoopback?: boolean
  /** Scopes `requireSignIn` asks for when the handler names none (default `['openid']`). */
  readonly scopes?: readonly string[]
  readonly database: Database
  /** Vault keys (`id:base64url,…`, active first) or a parsed keyring: everything secret is sealed with it. */
  readonly vaultKeys: Keyring | string
  readonly webhook: AgentWebhookOptions
  /**
   * Redirect URIs a relayed `redirectUri` may be (exact match, P12). Default: the four Google URIs.
   * Local stand-ins are accepted only when listed here explicitly.
   */
  readonly allowedRedirectUris?: readonly string[]
  /** Replaces any of the agent's texts (see `defaultMessages`). */
  readonly messages?: MessageOverrides
  /** Default `{ representativeType: 'BOT' }`. */
  readonly representative?: Representative
  /** The `fallback` text of sign-in prompts, for clients that cannot show the chip. */
  readonly signInFallback?: string
  readonly hooks?: AgentHooks
  readonly logger?: Logger
  readonly clock?: Clock
  /** Used for provider and Google requests (default: the global fetch). */
  readonly fetch?: FetchLike
  /** Lifetime of a sign-in prompt (default 10 minutes, P7). */
  readonly pendingTtlMs?: number
  /** Prompts per sign-in before a live agent is offered (default 3). */
  readonly maxAttempts?: number
  /** Refresh an access token this long before it expires (default 60 s, R5). */
  readonly refreshAheadMs?: number
  /** Deliveries processed at once (different conversations only; default 4). */
  readonly concurrency?: number
  /** Send TYPING_STARTED / TYPING_STOPPED around each handler call (default true). */
  readonly typingIndicators?: boolean
  /** How often expired inbox rows, exchange markers and pending sign-ins are purged (default 1 h). */
  readonly maintenanceIntervalMs?: number
  /**
   * How often revocations a provider could not take at sign-out are retried (default 30 s). Each
   * retry waits for the provider's `Retry-After` or an exponential backoff; given up after 7 days (R8).
   */
  readonly revocationRetryIntervalMs?: number
}

/** A signed-in user, valid while the handler that received it runs. */
export interface Session {
  /** The provider's subject (`sub`), when the provider reported one. */
  readonly subject: string | undefined
  /** Identity claims from the ID token or UserInfo (strings, numbers, booleans only). */
  readonly claims: Readonly<Record<string, string | number | boolean>>
  /** Granted scopes. */
  readonly scopes: readonly string[]
  /**
   * A usable access token, refreshed first when it expires soon (single-flight, R1).
   * @throws {SignInRequiredError} when the grant is gone; the user has been asked to sign in again.
   */
  getAccessToken(): Promise<string>
  /** `fetch` with `Authorization: Bearer`; on a 401 it refreshes once and retries once (R10). */
  fetch(url: string | URL, init?: RequestInit): Promise<Response>
}

/** What the agent author's handler gets for each user message. */
export interface MessageContext {
  readonly conversationId: string
  /** The user's text (for a chip tap: its label; for a parked question: the original text). */
  readonly text: string
  /** `text`, `suggestion` (a chip tap), `live-agent-request`, or `parked-question` (answered after sign-in). */
  readonly kind: 'text' | 'suggestion' | 'live-agent-request' | 'parked-question'
  /** The tapped chip's postback data, for `suggestion`. */
  readonly postbackData?: string
  readonly user: { readonly displayName?: string; readonly locale?: string }
  /** Sends a message (a text, or a Business Messages message without `messageId`). */
  say(message: string | Omit<Message, 'messageId'>): Promise<void>
  /**
   * The session when the user is signed in with `scopes`; otherwise sends the sign-in prompt,
   * parks this message and resolves `undefined` (return then: the message is answered after sign-in).
   */
  requireSignIn(need?: { scopes?: readonly string[]; reason?: string }): Promise<Session | undefined>
  /** Signs the user out: revokes the grant at the provider (RFC 7009) and deletes it locally. */
  signOut(): Promise<void>
}

/** The agent author's message handler. */
export type MessageHandler = (context: MessageContext) => void | Promise<void>

/** A running agent. */
export interface SignInAgent {
  /** Sets the message handler (one per agent; a later call replaces it). */
  onMessage(handler: MessageHandler): void
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
