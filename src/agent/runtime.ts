/**
 * @module agent/runtime
 * Everything one delivery's processing needs, built once by `createAgent` at `start()`: the stores,
 * the provider, the connected channel, the policy and the author's settings. Internal.
 */
import type { Clock } from '../core/clock.ts'
import type { FetchLike } from '../core/fetch.ts'
import type { Logger } from '../core/logger.ts'
import type { AgentMetrics } from '../metrics/agent-metrics.ts'
import type { AuditEntry, AuditLog } from '../audit/audit-log.ts'
import { isBmOAuthError } from '../errors.ts'
import type { MessageOverrides } from '../flow/messages.ts'
import type { FlowPolicy } from '../flow/types.ts'
import type { OAuthProvider } from '../oauth/provider.ts'
import type { ExchangeMarkers } from '../signin-store/exchange-markers.ts'
import type { PendingSignInStore } from '../signin-store/pending-signins.ts'
import type { RevocationQueue } from '../tokens/revocation-queue.ts'
import type { SQLTokenStore } from '../tokens/sql-token-store.ts'
import type { TokenKey, TokenRecord } from '../tokens/token-store.ts'
import type { ChannelClient, SignInMode } from '../channel/channel.ts'
import type { ChannelId, ConversationKey } from '../channel/types.ts'
import type { FlowStateStore } from './flow-state-store.ts'
import type { AgentHooks, MessageHandler } from './types.ts'

/** The agent's channel, connected at `start()`. */
export interface ConnectedChannel {
  readonly id: ChannelId
  readonly signIn: SignInMode
  readonly client: ChannelClient<unknown>
}

export interface AgentRuntime {
  /** The platform agent this process answers for (one per process until events are routed by agent). */
  readonly agentName: string
  readonly channel: ConnectedChannel
  /** Id the provider's grants are stored under (its issuer, else its token endpoint). */
  readonly providerId: string
  readonly provider: OAuthProvider
  readonly tokens: SQLTokenStore
  readonly pending: PendingSignInStore
  readonly markers: ExchangeMarkers
  readonly states: FlowStateStore
  /** What was done with each conversation's tokens, for the user and the operator. */
  readonly audit: AuditLog
  /** Revocations still owed to the provider after a failed sign-out request (R8). */
  readonly revocations: RevocationQueue
  readonly policy: FlowPolicy
  readonly clock: Clock
  /** For `Session.fetch` (the author's resource calls). */
  readonly fetch: FetchLike
  readonly logger: Logger
  readonly metrics: AgentMetrics
  readonly hooks: AgentHooks
  readonly messages: MessageOverrides
  readonly defaultScopes: readonly string[]
  readonly refreshAheadMs: number
  /** The current handler (read at call time: `onMessage` may be called after `start`). */
  handler(): MessageHandler | undefined
}

/**
 * The id a provider's grants and pending sign-ins are stored under (their `provider` column): its
 * issuer, else (an explicit configuration without one) its token endpoint. Works on a resolved
 * provider and on a provider configuration alike.
 */
export function grantProviderId(provider: {
  readonly issuer?: string | undefined
  readonly tokenEndpoint?: string
}): string {
  return provider.issuer ?? provider.tokenEndpoint ?? ''
}

/** The key of conversation `conversationId` on the agent's channel. */
export function conversationKeyOf(runtime: AgentRuntime, conversationId: string): ConversationKey {
  return { channel: runtime.channel.id, agent: runtime.agentName, conversation: conversationId }
}

/** The token-store key of a conversation's grant. */
export function tokenKeyOf(runtime: AgentRuntime, conversationId: string): TokenKey {
  return { agent: runtime.agentName, conversation: conversationId, provider: runtime.providerId }
}

/**
 * The conversation's stored grant. One that no listed vault key opens (a removed key, a damaged
 * row) reads as none: the user is signed out and signs in again. Any other failure (the database)
 * propagates, so the delivery is retried instead of a valid grant being dropped or left unrevoked.
 */
export async function readGrant(runtime: AgentRuntime, conversationId: string): Promise<TokenRecord | undefined> {
  try {
    return await runtime.tokens.get(tokenKeyOf(runtime, conversationId))
  } catch (err) {
    if (isBmOAuthError(err, 'ERR_TOKEN_VAULT_DECRYPT')) return undefined
    throw err
  }
}

/**
 * Writes an audit entry. A failure is logged, never the turn's: the log must not turn a stored
 * grant into a failed exchange, or a successful call into an error.
 */
export async function recordAudit(runtime: AgentRuntime, key: ConversationKey, entry: AuditEntry): Promise<void> {
  try {
    await runtime.audit.record(key, entry)
  } catch (err) {
    const errCode = isBmOAuthError(err) ? err.code : err instanceof Error ? err.name : 'non-error'
    runtime.logger.error({ conversationId: key.conversation, errCode }, 'audit entry not written')
  }
}
