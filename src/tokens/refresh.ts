/**
 * @module tokens/refresh
 * Single-flight token refresh with rotation safety (R1–R3, R5, R6).
 *
 * With rotating refresh tokens, two parallel refreshes look like token theft to the provider and
 * can revoke the whole grant. So at most one refresh per record runs at a time:
 * - in one process, concurrent callers share one promise (a single-flight map per store);
 * - across processes, the caller first takes a short lease on the record at its current version
 *   (`UPDATE … WHERE version = $v AND lease expired`); the others poll until the winner's
 *   compare-and-set write lands and then return the winner's tokens.
 * `invalid_grant` re-reads first (someone else may have rotated the token: R3) and only then marks
 * the record `needs-reconnect`. The provider call itself is the caller's `refreshFn`.
 */
import { setTimeout as delay } from 'node:timers/promises'
import { systemClock, type Clock } from '../core/clock.ts'
import { StoreConflictError } from '../db/store-error.ts'
import { isBmOAuthError } from '../errors.ts'
import type { RefreshLeases, StoredTokenSet, TokenKey, TokenRecord, TokenStore } from './token-store.ts'

/** What a refresh returned. Absent fields keep the stored value (R2: no new refresh token: keep the old). */
export interface RefreshedTokens {
  readonly accessToken: string
  readonly refreshToken?: string
  readonly idTokenClaims?: StoredTokenSet['idTokenClaims']
  /** Scopes the provider reported; never widens the stored grant (R6). */
  readonly scopes?: readonly string[]
  /** Epoch ms; absent = unknown (refresh on a 401 then, R5). */
  readonly expiresAt?: number
}

/** A token set that can be refreshed: it has a refresh token. */
export type RefreshableTokenSet = StoredTokenSet & { readonly refreshToken: string }

/**
 * Calls the provider's token endpoint with `grant_type=refresh_token`. Throw an error with code
 * `ERR_OAUTH_INVALID_GRANT` when the provider answers `invalid_grant`. Only ever called with a
 * refresh token: a grant without one is marked `needs-reconnect` once it expires.
 */
export type RefreshFn = (current: RefreshableTokenSet) => Promise<RefreshedTokens>

export interface RefreshIfNeededOptions {
  /** Clock for the expiry decision and the lease (default: system clock). */
  clock?: Clock
  /** Refresh when the access token expires within this many ms (default 60 000). */
  aheadMs?: number
  /** Refresh regardless of expiry if the record is still at this version (its token got a 401: R10). */
  ifVersion?: number
  /** Lease length; must exceed `refreshFn`'s own timeout (default 30 000). */
  leaseMs?: number
  /** How often a caller waiting on another process's refresh re-reads (default 50). */
  pollIntervalMs?: number
  /** How long to wait for another process's refresh before failing with `ERR_STORE_CONFLICT` (default 15 000). */
  maxWaitMs?: number
}

/** The store operations a refresh needs. */
export type RefreshableTokenStore = Pick<TokenStore, 'get' | 'compareAndSwap' | 'markNeedsReconnect'> & RefreshLeases

const flightsByStore = new WeakMap<object, Map<string, Promise<TokenRecord | undefined>>>()

/**
 * Returns the record with a usable access token, refreshing it first when it expires within
 * `aheadMs` (or was rejected, see `ifVersion`). Exactly one `refreshFn` call per expiry across all
 * concurrent callers and processes; every caller gets the resulting record. Returns `undefined` when
 * there is no record, and a record with status `needs-reconnect` when the grant is gone (re-prompt).
 */
export function refreshIfNeeded(
  store: RefreshableTokenStore,
  key: TokenKey,
  refreshFn: RefreshFn,
  options: RefreshIfNeededOptions = {},
): Promise<TokenRecord | undefined> {
  let flights = flightsByStore.get(store)
  if (flights === undefined) {
    flights = new Map()
    flightsByStore.set(store, flights)
  }
  const id = JSON.stringify([key.agent, key.conversation, key.provider])
  const running = flights.get(id)
  if (running !== undefined) {
    // A caller whose token was just rejected must not settle for a flight that decided not to refresh.
    const forced = options.ifVersion
    if (forced === undefined) return running
    return running.then((record) =>
      record?.version === forced ? refreshIfNeeded(store, key, refreshFn, options) : record,
    )
  }
  const flight = refreshOnce(store, key, refreshFn, options).finally(() => flights.delete(id))
  flights.set(id, flight)
  return flight
}

async function refreshOnce(
  store: RefreshableTokenStore,
  key: TokenKey,
  refreshFn: RefreshFn,
  options: RefreshIfNeededOptions,
): Promise<TokenRecord | undefined> {
  const clock = options.clock ?? systemClock
  const pollIntervalMs = Math.max(1, options.pollIntervalMs ?? 50)
  const maxPolls = Math.ceil((options.maxWaitMs ?? 15_000) / pollIntervalMs)
  for (let polls = 0; ; polls++) {
    const record = await store.get(key)
    if (record === undefined || record.status !== 'active') return record
    if (!needsRefresh(record, clock.now(), options)) return record
    const { refreshToken } = record.tokens
    if (refreshToken === undefined) {
      // Expired and nothing to refresh with: the sign-in is over.
      return (await store.markNeedsReconnect(key, { expectedVersion: record.version })) ?? store.get(key)
    }
    if (await store.claimRefreshLease(key, record.version, options.leaseMs ?? 30_000)) {
      return refreshUnderLease(store, key, record, () => refreshFn({ ...record.tokens, refreshToken }))
    }
    if (polls >= maxPolls) {
      const message = 'token refresh is still in progress in another process'
      throw new StoreConflictError(message)
    }
    await delay(pollIntervalMs)
  }
}

function needsRefresh(
  record: TokenRecord & { status: 'active' },
  now: number,
  options: RefreshIfNeededOptions,
): boolean {
  if (options.ifVersion !== undefined && record.version === options.ifVersion) return true
  const { expiresAt } = record.tokens
  return expiresAt !== undefined && expiresAt - (options.aheadMs ?? 60_000) <= now
}

async function refreshUnderLease(
  store: RefreshableTokenStore,
  key: TokenKey,
  record: TokenRecord & { status: 'active' },
  refresh: () => Promise<RefreshedTokens>,
): Promise<TokenRecord | undefined> {
  let refreshed: RefreshedTokens
  try {
    refreshed = await refresh()
  } catch (err) {
    if (isBmOAuthError(err, 'ERR_OAUTH_INVALID_GRANT')) return settleInvalidGrant(store, key, record)
    // Best effort: an unreleased lease simply runs out.
    await store.releaseRefreshLease(key, record.version).catch(() => undefined)
    throw err
  }
  const tokens = mergeRefreshed(record.tokens, refreshed)
  const written = await store.compareAndSwap(key, record.version, { tokens })
  // Lost only if the lease ran out and another writer got in first: theirs is the newer state.
  return written ?? store.get(key)
}

/** R3: a changed record means someone else rotated the token; only an unchanged one is signed out. */
async function settleInvalidGrant(
  store: RefreshableTokenStore,
  key: TokenKey,
  record: TokenRecord,
): Promise<TokenRecord | undefined> {
  const latest = await store.get(key)
  if (latest === undefined || latest.version !== record.version) return latest
  return (await store.markNeedsReconnect(key, { expectedVersion: record.version })) ?? store.get(key)
}

/** R2 (keep the old refresh token when none is returned) and R6 (never widen the stored scope). */
function mergeRefreshed(current: StoredTokenSet, refreshed: RefreshedTokens): StoredTokenSet {
  const granted = new Set(current.scopes)
  const narrowed = refreshed.scopes?.every((s) => granted.has(s))
  const refreshToken = refreshed.refreshToken ?? current.refreshToken
  const idTokenClaims = refreshed.idTokenClaims ?? current.idTokenClaims
  return {
    accessToken: refreshed.accessToken,
    scopes: narrowed ? [...(refreshed.scopes as readonly string[])] : current.scopes,
    ...(refreshToken === undefined ? {} : { refreshToken }),
    ...(idTokenClaims === undefined ? {} : { idTokenClaims }),
    ...(refreshed.expiresAt === undefined ? {} : { expiresAt: refreshed.expiresAt }),
  }
}
