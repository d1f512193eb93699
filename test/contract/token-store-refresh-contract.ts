/**
 * @module test/contract/token-store-refresh-contract
 * Single-flight refresh with rotation safety on every engine (R1–R3, R5, R6): one provider call per
 * expiry across concurrent callers and store instances, rotation, scope narrowing, `invalid_grant`.
 */
import assert from 'node:assert/strict'
import { describe } from 'node:test'
import { BmOAuthError, isBmOAuthError } from '../../src/errors.ts'
import { OAuthProtocolError } from '../../src/oauth/errors.ts'
import { TOKEN_TABLE } from '../../src/tokens/migrations.ts'
import type { SQLTokenStore } from '../../src/tokens/sql-token-store.ts'
import { refreshIfNeeded, type RefreshFn } from '../../src/tokens/refresh.ts'
import type { StoredTokenSet } from '../../src/tokens/token-store.ts'
import { harnessTest, keyA, keyB, START, tokens } from './token-store-contract.ts'
import { containsSecret, type StoreFixture } from './token-store-fixtures.ts'

/** A refreshFn that counts calls; with `hold`, each call waits for it before answering. */
function countingRefresh(
  result: (n: number) => Partial<StoredTokenSet> = (n) => ({ accessToken: `AT-new-${n}` }),
  hold?: () => Promise<void>,
): {
  fn: RefreshFn
  calls: StoredTokenSet[]
} {
  const calls: StoredTokenSet[] = []
  const fn: RefreshFn = async (current) => {
    calls.push(current)
    await hold?.()
    const next = result(calls.length)
    return { accessToken: next.accessToken ?? 'AT-x', ...next }
  }
  return { fn, calls }
}

const invalidGrant = (): OAuthProtocolError => new OAuthProtocolError('refresh_token', 'invalid_grant', undefined, 400)
const EXPIRES_SOON = START + 30_000 // inside the default 60 s margin
const LATER = START + 3600_000

export function describeTokenRefreshContract(fixture: StoreFixture): void {
  const it = harnessTest(fixture)
  const options = fixture.skip === undefined ? {} : { skip: fixture.skip }
  describe(`token refresh contract: ${fixture.name}`, options, () => {
    const expiring = (): StoredTokenSet => tokens('old', EXPIRES_SOON)

    it('R1 20 concurrent callers in one process: one refreshFn call, all get the new token', async (h) => {
      const { store, clock } = h
      await store.put(keyA, { tokens: expiring() })
      const { fn, calls } = countingRefresh()
      const callers = Array.from({ length: 20 }, () => refreshIfNeeded(store, keyA, fn, { clock }))
      const results = await Promise.all(callers)
      assert.equal(calls.length, 1)
      assert.equal(calls[0]?.refreshToken, expiring().refreshToken)
      for (const r of results) assert.equal(r?.tokens?.accessToken, 'AT-new-1')
    })

    it('R1 two store instances (two connections where possible): one refreshFn call', async (h) => {
      const { store, clock } = h
      await store.put(keyA, { tokens: expiring() })
      // Each store instance is its own flight. The refresh is held until both flights have tried the
      // refresh lease, so the loser really contends (and polls) instead of arriving after the refresh.
      let claims = 0
      let bothClaimed!: () => void
      const contended = new Promise<void>((resolve) => (bothClaimed = resolve))
      const countingClaims = (s: SQLTokenStore): SQLTokenStore => ({
        ...s,
        claimRefreshLease: async (...args) => {
          const won = await s.claimRefreshLease(...args)
          if (++claims === 2) bothClaimed()
          return won
        },
      })
      const stores = [countingClaims(store), countingClaims(h.secondStore())]
      const { fn, calls } = countingRefresh(undefined, () => contended)
      const callers = Array.from({ length: 10 }, (_, i) =>
        refreshIfNeeded(stores[i % 2] ?? store, keyA, fn, { clock, pollIntervalMs: 5 }),
      )
      const results = await Promise.all(callers)
      assert.ok(claims >= 2, 'both store instances contended for the refresh lease')
      assert.equal(calls.length, 1)
      for (const r of results) assert.equal(r?.tokens?.accessToken, 'AT-new-1')
      assert.equal((await store.get(keyA))?.version, 2)
    })

    it('R2 rotation: a new refresh token replaces the old; none returned keeps the old', async (h) => {
      const { store, clock } = h
      await store.put(keyA, { tokens: expiring() })
      const rotation = { accessToken: 'AT-2', refreshToken: 'RT-2', expiresAt: EXPIRES_SOON }
      const rotate = countingRefresh(() => rotation)
      const rotated = await refreshIfNeeded(store, keyA, rotate.fn, { clock })
      assert.equal(rotated?.tokens?.refreshToken, 'RT-2')
      const keep = countingRefresh(() => ({ accessToken: 'AT-3', expiresAt: LATER }))
      const r = await refreshIfNeeded(store, keyA, keep.fn, { clock })
      assert.deepEqual([r?.tokens?.accessToken, r?.tokens?.refreshToken, r?.version], ['AT-3', 'RT-2', 3])
    })

    it('R5 R6 R10 fresh tokens are not refreshed; ifVersion forces one; scopes never widen', async (h) => {
      const { store, clock } = h
      const put = await store.put(keyA, { tokens: tokens('fresh', LATER) })
      const wider = ['openid', 'accounts.read', 'admin']
      const { fn, calls } = countingRefresh(() => ({ accessToken: 'AT-forced', scopes: wider }))
      assert.equal((await refreshIfNeeded(store, keyA, fn, { clock }))?.version, put.version)
      assert.equal(calls.length, 0)
      const forced = await refreshIfNeeded(store, keyA, fn, { clock, ifVersion: put.version })
      assert.equal(calls.length, 1)
      assert.equal(forced?.tokens?.accessToken, 'AT-forced')
      assert.deepEqual(forced?.scopes, ['openid', 'accounts.read'])
      assert.equal(forced?.tokens?.expiresAt, undefined, 'no expires_in → unknown expiry')
      const again = await refreshIfNeeded(store, keyA, fn, { clock, ifVersion: put.version })
      assert.equal(again?.version, forced?.version)
      assert.equal(calls.length, 1, 'a stale ifVersion does not refresh again')
      const narrow = countingRefresh(() => ({ accessToken: 'AT-n', scopes: ['openid'] }))
      const ifVersion = again?.version as number
      const narrowed = await refreshIfNeeded(store, keyA, narrow.fn, { clock, ifVersion })
      assert.deepEqual(narrowed?.scopes, ['openid'], 'X9 a narrower grant is stored')
    })

    it('R3 invalid_grant on an unchanged record → needs-reconnect, tokens deleted, no retry', async (h) => {
      const { store, clock, t } = h
      await store.put(keyA, { tokens: expiring() })
      let calls = 0
      const fn: RefreshFn = async () => {
        calls++
        throw invalidGrant()
      }
      const r = await refreshIfNeeded(store, keyA, fn, { clock })
      assert.deepEqual([calls, r?.status, r?.tokens], [1, 'needs-reconnect', undefined])
      const raw = await t.rawBytes([TOKEN_TABLE])
      assert.ok(!containsSecret(raw, 'secret-refresh-token'))
    })

    it('R3 invalid_grant after someone else rotated the token → the stored tokens win', async (h) => {
      const { store, clock } = h
      const read = await store.put(keyA, { tokens: expiring() })
      const fn: RefreshFn = async () => {
        // Another worker rotated while this request was in flight (its lease had run out).
        await store.compareAndSwap(keyA, read.version, { tokens: tokens('winner', LATER) })
        throw invalidGrant()
      }
      const r = await refreshIfNeeded(store, keyA, fn, { clock })
      assert.deepEqual([r?.status, r?.tokens?.accessToken], ['active', tokens('winner').accessToken])
    })

    it('R1 a failed refresh releases the lease and rethrows; the next caller refreshes', async (h) => {
      const { store, clock } = h
      await store.put(keyA, { tokens: expiring() })
      const boom = async (): Promise<never> => {
        throw new BmOAuthError('ERR_NETWORK', 'connection refused')
      }
      const isNetworkError = (e: unknown): boolean => isBmOAuthError(e, 'ERR_NETWORK')
      await assert.rejects(refreshIfNeeded(store, keyA, boom, { clock }), isNetworkError)
      const { fn, calls } = countingRefresh()
      const next = await refreshIfNeeded(store, keyA, fn, { clock, maxWaitMs: 0 })
      assert.equal(next?.tokens?.accessToken, 'AT-new-1')
      assert.equal(calls.length, 1)
    })

    it('R1 an expired token without a refresh token → needs-reconnect, no call', async ({ store, clock }) => {
      const { refreshToken: _omit, ...noRefresh } = expiring()
      await store.put(keyA, { tokens: noRefresh })
      const { fn, calls } = countingRefresh()
      assert.equal((await refreshIfNeeded(store, keyA, fn, { clock }))?.status, 'needs-reconnect')
      assert.equal(calls.length, 0)
      assert.equal(await refreshIfNeeded(store, keyB, fn, { clock }), undefined)
    })
  })
}
