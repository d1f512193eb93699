/**
 * @module ops/signins
 * Operator views of who is signed in, and the data-protection request "forget this conversation".
 *
 * - {@link listSignIns}: stored grants (token store listing) plus pending sign-ins, with agent,
 *   conversation, provider, subject, scopes, status and times. Never a token or verifier: neither
 *   listing reads a sealed column.
 * - {@link revokeSignIns}: each grant of the conversation is signed out as the agent does it
 *   (`agent/revocation.ts`): its tokens are queued (sealed), deleted locally, then revoked at the
 *   provider (RFC 7009) when possible; it is deleted locally whatever the provider said (R7, R8, R9);
 *   the pending sign-in is dropped too. Tokens the provider could not take now (unreachable,
 *   timeout, 5xx, 429) stay in the queue, which the running agent retries (R8). The report says
 *   what happened to each grant.
 */
import { enqueueRevocations, isFinalRefusal, revokeAndForget } from '../agent/revocation.ts'
import { systemClock, type Clock } from '../core/clock.ts'
import { silentLogger, type Logger } from '../core/logger.ts'
import type { Database } from '../db/queryable.ts'
import { isBmOAuthError } from '../errors.ts'
import { OAuthProtocolError } from '../oauth/errors.ts'
import type { OAuthProvider } from '../oauth/provider.ts'
import { PENDING_SIGNIN_TABLE } from '../signin-store/migrations.ts'
import { splitScopes } from '../tokens/scopes.ts'
import type { TokenKey, TokenRecord } from '../tokens/token-store.ts'
import type { AgentStores } from './stores.ts'

/** One line of `signins list`. */
export interface SignInSummary {
  agent: string
  conversation: string
  provider: string
  subject: string | null
  scopes: string[]
  /** Grant statuses, or `pending` / `expired` for a sign-in prompt awaiting its code. */
  status: 'active' | 'needs-reconnect' | 'revoked' | 'pending' | 'expired'
  createdAt: number
  updatedAt: number
  /** Access-token expiry for a grant, prompt expiry for a pending sign-in; null when unknown. */
  expiresAt: number | null
}

export interface SignInFilter {
  agent?: string | undefined
  conversation?: string | undefined
}

/** Grants and pending sign-ins, ordered by agent and conversation. */
export async function listSignIns(stores: AgentStores, filter: SignInFilter, now: number): Promise<SignInSummary[]> {
  const grants = await stores.tokens.list({
    ...(filter.agent === undefined ? {} : { agent: filter.agent }),
    ...(filter.conversation === undefined ? {} : { conversation: filter.conversation }),
    limit: 10_000,
  })
  const rows: SignInSummary[] = grants.map((g) => ({
    agent: g.agent,
    conversation: g.conversation,
    provider: g.provider,
    subject: g.subject ?? null,
    scopes: [...g.scopes],
    status: g.status,
    createdAt: g.createdAt,
    updatedAt: g.updatedAt,
    expiresAt: g.expiresAt ?? null,
  }))
  rows.push(...(await listPending(stores.db, filter, now)))
  return rows.sort((a, b) => a.agent.localeCompare(b.agent) || a.conversation.localeCompare(b.conversation))
}

interface PendingRow {
  [column: string]: unknown
  agent: string
  conversation: string
  provider: string
  scopes: string
  created_at: number | string
  expires_at: number | string
}

/** Pending sign-ins from their clear columns only (the sealed verifier is never selected). */
async function listPending(db: Database, filter: SignInFilter, now: number): Promise<SignInSummary[]> {
  const conditions: string[] = []
  const params: string[] = []
  for (const [column, value] of [
    ['agent', filter.agent],
    ['conversation', filter.conversation],
  ] as const) {
    if (value === undefined) continue
    params.push(value)
    conditions.push(`${column} = $${params.length}`)
  }
  const where = conditions.length === 0 ? '' : `WHERE ${conditions.join(' AND ')}`
  const { rows } = await db.query<PendingRow>(
    `SELECT agent, conversation, provider, scopes, created_at, expires_at FROM ${PENDING_SIGNIN_TABLE} ${where}`,
    params,
  )
  return rows.map((r) => ({
    agent: r.agent,
    conversation: r.conversation,
    provider: r.provider,
    subject: null,
    scopes: splitScopes(r.scopes),
    status: Number(r.expires_at) > now ? 'pending' : 'expired',
    createdAt: Number(r.created_at),
    updatedAt: Number(r.created_at),
    expiresAt: Number(r.expires_at),
  }))
}

/** What happened at the provider to one grant. */
export type RevocationOutcome =
  | 'revoked' // the provider accepted the RFC 7009 request(s)
  | 'no-tokens' // the grant was already signed out locally: nothing to revoke
  | 'unreachable' // discovery or revocation could not reach the provider
  | 'refused' // the provider answered an OAuth error
  | 'not-supported' // the provider has no revocation endpoint
  | 'not-configured' // the grant belongs to a provider that is not the configured one
  | 'unreadable' // the sealed tokens could not be opened (key removed or record damaged)
  | 'failed' // anything else (e.g. incomplete client configuration)

export interface GrantRevocation {
  provider: string
  subject: string | null
  revocation: RevocationOutcome
  /** Why, when not `revoked` (error codes and provider error names only, never a token). */
  detail?: string
  /** The provider could not take the revocation now: the tokens wait in the queue the running agent retries. */
  queuedForRetry?: boolean
  deletedLocally: boolean
}

export interface RevokeReport {
  agent: string
  conversation: string
  grants: GrantRevocation[]
  pendingSignInDeleted: boolean
  /** Access-log entries deleted (one entry without personal data records the erasure). */
  auditEntriesErased: number
}

export interface RevokeSignInsDeps {
  stores: AgentStores
  /** Id of the configured provider (see `providerIdOf`), or undefined when none is configured. */
  providerId: string | undefined
  /** Resolves the configured provider (called at most once, only when a grant needs it). */
  resolveProvider: () => Promise<OAuthProvider>
  /** Times of queued revocations (default: the system clock). */
  clock?: Clock
  /** Where revocation attempts are reported (ids and error codes only; default: silent). */
  logger?: Logger
}

/**
 * Forgets every grant of the conversation (queued for revocation, deleted locally, then revoked at
 * the provider where possible: R7, R8, R9), and its pending sign-in.
 */
export async function revokeSignIns(
  deps: RevokeSignInsDeps,
  agent: string,
  conversation: string,
): Promise<RevokeReport> {
  const grants = await deps.stores.tokens.list({ agent, conversation, limit: 10_000 })
  let provider: Promise<OAuthProvider> | undefined
  const lazyProvider = (): Promise<OAuthProvider> => (provider ??= deps.resolveProvider())
  const results: GrantRevocation[] = []
  for (const grant of grants) {
    const key: TokenKey = { agent, conversation, provider: grant.provider }
    const outcome = await forgetGrant(deps, key, lazyProvider)
    results.push({ provider: grant.provider, subject: grant.subject ?? null, ...outcome })
  }
  const pendingSignInDeleted = await deps.stores.pendingSignIns.delete(agent, conversation)
  // A data-protection request also takes the access log; one entry without personal data stays.
  const key = { channel: 'business-messages', agent, conversation }
  const auditEntriesErased = await deps.stores.audit.erase(key, (deps.clock ?? systemClock).now())
  return { agent, conversation, grants: results, pendingSignInDeleted, auditEntriesErased }
}

type Outcome = { revocation: RevocationOutcome; detail?: string; queuedForRetry?: boolean }

/** One grant, in the agent's sign-out order: queue its tokens, delete the local copy, then revoke. */
async function forgetGrant(
  deps: RevokeSignInsDeps,
  key: TokenKey,
  provider: () => Promise<OAuthProvider>,
): Promise<Outcome & { deletedLocally: boolean }> {
  let deletedLocally = false
  const deleteLocal = async (): Promise<void> => {
    deletedLocally = await deps.stores.tokens.delete(key)
  }
  const outcome = await revokeGrant(deps, key, provider, deleteLocal)
  if (!deletedLocally) await deleteLocal() // whatever the provider said (R7)
  return { ...outcome, deletedLocally }
}

async function revokeGrant(
  deps: RevokeSignInsDeps,
  key: TokenKey,
  provider: () => Promise<OAuthProvider>,
  deleteLocal: () => Promise<void>,
): Promise<Outcome> {
  let record: TokenRecord | undefined
  try {
    record = await deps.stores.tokens.get(key)
  } catch (err) {
    if (isBmOAuthError(err, 'ERR_TOKEN_VAULT_DECRYPT')) return { revocation: 'unreadable', detail: err.message }
    throw err
  }
  if (record === undefined || record.status !== 'active') return { revocation: 'no-tokens' }
  if (deps.providerId === undefined || key.provider !== deps.providerId) {
    return { revocation: 'not-configured', detail: `grant is from ${key.provider}, not the configured provider` }
  }
  const revocation = {
    agentName: key.agent,
    providerId: key.provider,
    revocations: deps.stores.revocations,
    clock: deps.clock ?? systemClock,
    logger: deps.logger ?? silentLogger,
  }
  let resolved: OAuthProvider
  try {
    resolved = await provider()
  } catch (err) {
    if (isFinalRefusal(err)) return classifyFailure(err)
    // RFC 7009 §2.2.1: a provider we could not reach must be assumed to still hold the tokens.
    await enqueueRevocations(revocation, record.tokens, 0)
    await deleteLocal()
    return { ...classifyFailure(err), queuedForRetry: true }
  }
  if (resolved.revocationEndpoint === undefined) {
    return { revocation: 'not-supported', detail: 'the provider has no revocation_endpoint' }
  }
  const attempts = await revokeAndForget({ ...revocation, provider: resolved }, record.tokens, deleteLocal)
  const failed = attempts.find((a) => a.outcome !== 'revoked')
  if (failed === undefined) return { revocation: 'revoked' }
  const queued = attempts.some((a) => a.outcome === 'retrying')
  return { ...classifyFailure(failed.error), ...(queued ? { queuedForRetry: true } : {}) }
}

function classifyFailure(err: unknown): Outcome {
  if (err instanceof OAuthProtocolError)
    return { revocation: 'refused', detail: `${err.error} (HTTP ${err.httpStatus})` }
  if (
    isBmOAuthError(err, 'ERR_NETWORK') ||
    isBmOAuthError(err, 'ERR_HTTP_TIMEOUT') ||
    isBmOAuthError(err, 'ERR_OAUTH_DISCOVERY')
  ) {
    return { revocation: 'unreachable', detail: `${err.code}: ${err.message}` }
  }
  if (isBmOAuthError(err)) return { revocation: 'failed', detail: `${err.code}: ${err.message}` }
  return { revocation: 'failed', detail: 'unexpected error' }
}
