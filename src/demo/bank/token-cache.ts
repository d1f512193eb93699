/**
 * @module demo/bank/token-cache
 * A short positive cache in front of a {@link TokenVerifier}, so a burst of API calls with one token
 * costs one introspection. Entries are keyed by the SHA-256 of the token (the token itself is never
 * stored), live at most {@link MAX_TOKEN_CACHE_TTL_MS} and never past the token's own expiry.
 * Negative answers are not cached, so a fresh token works at once; the price of the positive cache
 * is that a revoked token keeps working for at most the TTL (RFC 7662 §4 accepts that trade-off).
 * Concurrent lookups of one token share a single introspection call.
 */
import { createHash } from 'node:crypto'
import { systemClock } from '../../core/clock.ts'
import type { Clock } from '../../core/clock.ts'
import type { AccessTokenInfo, TokenVerifier } from './introspection.ts'

/** Upper bound on how long a revoked token may still be accepted. */
export const MAX_TOKEN_CACHE_TTL_MS = 30_000

export interface TokenCacheOptions {
  /** 0..{@link MAX_TOKEN_CACHE_TTL_MS}; 0 disables caching. Default 10 000. */
  ttlMs?: number
  /** Oldest entries are dropped beyond this many (default 1000). */
  maxEntries?: number
  clock?: Clock
}

interface Entry {
  info: AccessTokenInfo
  until: number
}

/**
 * Wraps `verify` with the cache.
 * @throws RangeError when `ttlMs` is outside 0..{@link MAX_TOKEN_CACHE_TTL_MS}.
 */
export function cachedVerifier(verify: TokenVerifier, options: TokenCacheOptions = {}): TokenVerifier {
  const ttlMs = options.ttlMs ?? 10_000
  if (!(ttlMs >= 0 && ttlMs <= MAX_TOKEN_CACHE_TTL_MS)) {
    throw new RangeError(`token cache ttlMs must be in 0..${MAX_TOKEN_CACHE_TTL_MS}`)
  }
  const maxEntries = options.maxEntries ?? 1000
  const clock = options.clock ?? systemClock
  const entries = new Map<string, Entry>()
  const inFlight = new Map<string, Promise<AccessTokenInfo | undefined>>()

  const remember = (key: string, info: AccessTokenInfo | undefined): void => {
    const now = clock.now()
    const until = Math.min(now + ttlMs, info?.expiresAt ?? now)
    if (info === undefined || until <= now) return
    entries.delete(key)
    entries.set(key, { info, until })
    for (const oldest of entries.keys()) {
      if (entries.size <= maxEntries) break
      entries.delete(oldest)
    }
  }

  return async (token) => {
    const key = cacheKey(token)
    const hit = entries.get(key)
    if (hit !== undefined && hit.until > clock.now()) return hit.info
    if (hit !== undefined) entries.delete(key)
    const pending = inFlight.get(key)
    if (pending !== undefined) return pending
    const lookup = verify(token)
      .then((info) => {
        remember(key, info)
        return info
      })
      .finally(() => inFlight.delete(key))
    inFlight.set(key, lookup)
    return lookup
  }
}

/** The cache key of a token: hex SHA-256, so a heap dump of the cache holds no usable token. */
export function cacheKey(token: string): string {
  return createHash('sha256').update(token).digest('hex')
}
