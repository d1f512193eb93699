/**
 * @module server/signins
 * Operator views of who is signed in, and the data-protection request "forget this conversation".
 *
 * - {@link listSignIns}: stored grants (token store listing) plus pending sign-ins, with agent,
 *   conversation, provider, subject, scopes, status and times. Never a token or verifier: neither
 *   listing reads a sealed column.
 * - {@link revokeSignIns}: for each grant of the conversation, revoke it at the provider (RFC 7009)
 *   when possible, then delete it locally whatever the provider said (R7, R8); drop the pending
 *   sign-in too. When the provider could not take it (unreachable, timeout, 5xx, 429) the tokens go
 *   to the sealed revocation queue, which the running agent retries (R8). The report says what
 *   happened to each grant.
 */
import { systemClock, type Clock } from '../core/clock.ts'
import { isBmOAuthError, type ErrorCode } from '../errors.ts'
import type { Database } from '../db/queryable.ts'
import { OAuthProtocolError, OAuthResponseError } from '../oauth/errors.ts'
import { revokeToken } from '../oauth/operations.ts'
import type { OAuthProvider } from '../oauth/provider.ts'
import { PENDING_SIGNIN_TABLE } from '../signin-store/migrations.ts'
import { createRevocationQueue, migrateRevocationQueue } from '../tokens/revocation-queue.ts'
import type { TokenKey, TokenSet } from '../tokens/token-store.ts'
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
  for (const [column, value] of [['agent', filter.agent], ['conversation', filter.conversation]] as const) {
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
    scopes: r.scopes === '' ? [] : r.scopes.split(' '),
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
}

export interface RevokeSignInsDeps {
  stores: AgentStores
  /** Id of the configured provider (see `providerIdOf`), or undefined when none is configured. */
  providerId: string | undefined
  /** Resolves the configured provider (called at most once, only when a grant needs it). */
  resolveProvider: () => Promise<OAuthProvider>
  /** Times of queued revocations (default: the system clock). */
  clock?: Clock
}

/** Revokes at the provider where possible, then deletes locally: every grant, and the pending sign-in. */
export async function revokeSignIns(deps: RevokeSignInsDeps, agent: string, conversation: string): Promise<RevokeReport> {
  const grants = await deps.stores.tokens.list({ agent, conversation, limit: 10_000 })
  let provider: Promise<OAuthProvider> | undefined
  const lazyProvider = (): Promise<OAuthProvider> => (provider ??= deps.resolveProvider())
  const results: GrantRevocation[] = []
  for (const grant of grants) {
    const key: TokenKey = { agent, conversation, provider: grant.provider }
    const outcome = await revokeAtProvider(deps, key, lazyProvider)
    const deletedLocally = await deps.stores.tokens.delete(key)
    results.push({ provider: grant.provider, subject: grant.subject ?? null, ...outcome, deletedLocally })
  }
  const pendingSignInDeleted = await deps.stores.pendingSignIns.delete(agent, conversation)
  return { agent, conversation, grants: results, pendingSignInDeleted }
}

type Outcome = { revocation: RevocationOutcome; detail?: string; queuedForRetry?: boolean }

async function revokeAtProvider(
  deps: RevokeSignInsDeps,
  key: TokenKey,
  provider: () => Promise<OAuthProvider>,
): Promise<Outcome> {
  let record
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
  try {
    const resolved = await provider()
    if (resolved.revocationEndpoint === undefined) {
      return { revocation: 'not-supported', detail: 'the provider has no revocation_endpoint' }
    }
    // Revoking the refresh token ends the grant at most providers; the access token is revoked as well.
    if (record.tokens.refreshToken !== undefined) await revokeToken(resolved, record.tokens.refreshToken, 'refresh_token')
    await revokeToken(resolved, record.tokens.accessToken, 'access_token')
    return { revocation: 'revoked' }
  } catch (err) {
    if (!isRetryable(err)) return classifyFailure(err)
    await queueForRetry(deps, key, record.tokens)
    return { ...classifyFailure(err), queuedForRetry: true }
  }
}

const RETRYABLE_CODES: readonly ErrorCode[] = ['ERR_NETWORK', 'ERR_HTTP_TIMEOUT', 'ERR_OAUTH_DISCOVERY']

/** RFC 7009 §2.2.1: after a 503 (or no answer at all) the token must be assumed to still exist. */
function isRetryable(err: unknown): boolean {
  if (err instanceof OAuthResponseError && err.httpStatus !== undefined) {
    return err.httpStatus >= 500 || err.httpStatus === 429
  }
  return RETRYABLE_CODES.some((code) => isBmOAuthError(err, code))
}

/** Queues both tokens (a second revocation of an already revoked one is a harmless 200), due at once. */
async function queueForRetry(deps: RevokeSignInsDeps, key: TokenKey, tokens: TokenSet): Promise<void> {
  const { db, vault } = deps.stores
  await migrateRevocationQueue(db)
  const queue = createRevocationQueue(db, vault)
  const now = (deps.clock ?? systemClock).now()
  const wanted = [
    ...(tokens.refreshToken === undefined ? [] : [{ token: tokens.refreshToken, tokenTypeHint: 'refresh_token' as const }]),
    { token: tokens.accessToken, tokenTypeHint: 'access_token' as const },
  ]
  for (const entry of wanted) await queue.enqueue({ agent: key.agent, provider: key.provider, ...entry }, now, 0)
}

function classifyFailure(err: unknown): Outcome {
  if (err instanceof OAuthProtocolError) return { revocation: 'refused', detail: `${err.error} (HTTP ${err.httpStatus})` }
  if (isBmOAuthError(err, 'ERR_NETWORK') || isBmOAuthError(err, 'ERR_HTTP_TIMEOUT') || isBmOAuthError(err, 'ERR_OAUTH_DISCOVERY')) {
    return { revocation: 'unreachable', detail: `${err.code}: ${err.message}` }
  }
  if (isBmOAuthError(err)) return { revocation: 'failed', detail: `${err.code}: ${err.message}` }
  return { revocation: 'failed', detail: 'unexpected error' }
}
