import { test } from 'node:test'
import assert from 'node:assert/strict'
import { ManualClock } from '../../core/clock.ts'
import type { AccessTokenInfo, TokenVerifier } from './introspection.ts'
import { MAX_TOKEN_CACHE_TTL_MS, cacheKey, cachedVerifier } from './token-cache.ts'

const NOW = Date.parse('2026-03-14T15:00:00Z')

function countingVerifier(answers: Map<string, AccessTokenInfo | undefined>): {
  verify: TokenVerifier
  calls: string[]
} {
  const calls: string[] = []
  return {
    calls,
    verify: async (token) => {
      calls.push(token)
      return answers.get(token)
    },
  }
}

const info = (expiresAt: number): AccessTokenInfo => ({
  sub: 'user-alice',
  clientId: 'agent',
  scopes: ['openid'],
  expiresAt,
})

test('positive answers are cached for the TTL, then asked again', async () => {
  const clock = new ManualClock(NOW)
  const { verify, calls } = countingVerifier(new Map([['good', info(NOW + 3_600_000)]]))
  const cached = cachedVerifier(verify, { clock, ttlMs: 10_000 })
  await cached('good')
  clock.advance(9_999)
  await cached('good')
  assert.equal(calls.length, 1)
  clock.advance(1)
  await cached('good')
  assert.equal(calls.length, 2)
})

test('negative answers are not cached', async () => {
  const { verify, calls } = countingVerifier(new Map())
  const cached = cachedVerifier(verify, { clock: new ManualClock(NOW) })
  assert.equal(await cached('bad'), undefined)
  assert.equal(await cached('bad'), undefined)
  assert.equal(calls.length, 2)
})

test('an entry never outlives the token', async () => {
  const clock = new ManualClock(NOW)
  const { verify, calls } = countingVerifier(new Map([['short', info(NOW + 2_000)]]))
  const cached = cachedVerifier(verify, { clock, ttlMs: 30_000 })
  await cached('short')
  clock.advance(2_000)
  await cached('short')
  assert.equal(calls.length, 2)
})

test('concurrent lookups share one call', async () => {
  const { verify, calls } = countingVerifier(new Map([['tok-abc', info(NOW + 3_600_000)]]))
  const cached = cachedVerifier(verify, { clock: new ManualClock(NOW) })
  await Promise.all([cached('tok-abc'), cached('tok-abc'), cached('tok-abc')])
  assert.equal(calls.length, 1)
})

test('the cache key is the hex SHA-256 of the token', () => {
  assert.equal(cacheKey('abc'), 'ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad')
})

test('oldest entries are dropped beyond maxEntries', async () => {
  const answers = new Map(['a', 'b', 'c'].map((t) => [t, info(NOW + 3_600_000)] as const))
  const { verify, calls } = countingVerifier(answers)
  const cached = cachedVerifier(verify, { clock: new ManualClock(NOW), maxEntries: 2 })
  for (const t of ['a', 'b', 'c', 'c', 'b', 'a']) await cached(t)
  assert.deepEqual(calls, ['a', 'b', 'c', 'a'])
})

test('a TTL above 30 s is refused', () => {
  const { verify } = countingVerifier(new Map())
  assert.throws(() => cachedVerifier(verify, { ttlMs: MAX_TOKEN_CACHE_TTL_MS + 1 }), RangeError)
  assert.throws(() => cachedVerifier(verify, { ttlMs: -1 }), RangeError)
  assert.doesNotThrow(() => cachedVerifier(verify, { ttlMs: 0 }))
})
