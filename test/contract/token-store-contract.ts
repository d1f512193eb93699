/**
 * @module test/contract/token-store-contract
 * The behaviour every token store must show (habit 7), registered once per database fixture:
 * round-trip, compare-and-set (S6), sign-out, listing without secrets, encryption at rest (S1, S5)
 * and key rotation (S3). The refresh cases are in `token-store-refresh-contract.ts`.
 */
import assert from 'node:assert/strict'
import { inspect } from 'node:util'
import { describe, test } from 'node:test'
import { ManualClock } from '../../src/core/clock.ts'
import { isBmOAuthError } from '../../src/errors.ts'
import { generateVaultKey, parseVaultKeys } from '../../src/tokens/keyring.ts'
import { migrateTokenStore, TOKEN_TABLE } from '../../src/tokens/migrations.ts'
import { createVault } from '../../src/tokens/seal.ts'
import { createSQLTokenStore, type SQLTokenStore } from '../../src/tokens/sql-token-store.ts'
import type { TokenKey, StoredTokenSet } from '../../src/tokens/token-store.ts'
import { containsSecret, withDatabase, type StoreFixture, type TestDatabase } from './token-store-fixtures.ts'

export const K1 = generateVaultKey({ keyId: 'k1' })
export const K2 = generateVaultKey({ keyId: 'k2' })
export const START = Date.parse('2026-01-01T00:00:00Z')
export const keyA: TokenKey = {
  channel: 'business-messages',
  agent: 'brands/1/agents/a',
  conversation: 'conv-a',
  provider: 'bank',
}
export const keyB: TokenKey = { ...keyA, conversation: 'conv-b' }

/** Token values that are easy to grep for in raw bytes. */
export function tokens(tag: string, expiresAt?: number): StoredTokenSet {
  return {
    accessToken: `AT-${tag}-secret-access-token-value`,
    refreshToken: `RT-${tag}-secret-refresh-token-value`,
    idTokenClaims: { sub: 'user-1', email: `${tag}-person@example.test` },
    scopes: ['openid', 'accounts.read'],
    ...(expiresAt === undefined ? {} : { expiresAt }),
  }
}

export interface Harness {
  t: TestDatabase
  clock: ManualClock
  store: SQLTokenStore
  /** Another store over the same keys: a second connection when the engine has one. */
  secondStore(): SQLTokenStore
}

export async function harness(t: TestDatabase, keys = K1): Promise<Harness> {
  await migrateTokenStore(t.db)
  const clock = new ManualClock(START)
  const vault = createVault(parseVaultKeys(keys))
  return {
    t,
    clock,
    store: createSQLTokenStore(t.db, vault, { clock }),
    secondStore: () => createSQLTokenStore(t.openSecond?.() ?? t.db, vault, { clock }),
  }
}

/** `test(name, fn)` with a fresh migrated harness from `fixture`. */
export function harnessTest(fixture: StoreFixture): (name: string, fn: (h: Harness) => Promise<void>) => void {
  return (name, fn) => test(name, () => withDatabase(fixture, async (t) => fn(await harness(t))))
}

export function describeTokenStoreContract(fixture: StoreFixture): void {
  const it = harnessTest(fixture)
  const options = fixture.skip === undefined ? {} : { skip: fixture.skip }

  describe(`token store contract: ${fixture.name}`, options, () => {
    it('round-trips a token set; put replaces and bumps the version', async ({ store, clock }) => {
      assert.equal(await store.get(keyA), undefined)
      const first = await store.put(keyA, { tokens: tokens('one', START + 3600_000), subject: 'user-1' })
      assert.equal(first.version, 1)
      assert.deepEqual(await store.get(keyA), first)
      assert.deepEqual(first.tokens, tokens('one', START + 3600_000))
      assert.equal(first.subject, 'user-1')
      clock.advance(1000)
      const second = await store.put(keyA, { tokens: tokens('two') })
      assert.equal(second.version, 2)
      assert.equal(second.createdAt, START)
      assert.equal(second.updatedAt, START + 1000)
      assert.equal(second.subject, undefined)
      assert.equal(await store.get(keyB), undefined)
    })

    it('S6 compareAndSwap writes only at the expected version', async ({ store }) => {
      const v1 = await store.put(keyA, { tokens: tokens('one'), subject: 'user-1' })
      const v2 = await store.compareAndSwap(keyA, v1.version, { tokens: tokens('two') })
      assert.equal(v2?.version, 2)
      assert.equal(v2?.subject, 'user-1', 'subject kept when omitted')
      assert.equal(await store.compareAndSwap(keyA, v1.version, { tokens: tokens('stale') }), undefined)
      assert.equal((await store.get(keyA))?.tokens?.refreshToken, tokens('two').refreshToken)
      assert.equal(await store.compareAndSwap(keyB, 1, { tokens: tokens('none') }), undefined)
    })

    it('S6 revoke wins over a stale refresh writer (sign-out and needs-reconnect)', async ({ store }) => {
      const read = await store.put(keyA, { tokens: tokens('one') })
      assert.ok(await store.delete(keyA))
      assert.equal(await store.compareAndSwap(keyA, read.version, { tokens: tokens('stale') }), undefined)
      assert.equal(await store.get(keyA), undefined)

      const again = await store.put(keyB, { tokens: tokens('b') })
      const revoked = await store.markNeedsReconnect(keyB, { status: 'revoked' })
      assert.equal(revoked?.status, 'revoked')
      assert.equal(revoked?.tokens, undefined)
      assert.equal(await store.compareAndSwap(keyB, again.version, { tokens: tokens('stale') }), undefined)
      assert.equal((await store.get(keyB))?.status, 'revoked')
    })

    it('markNeedsReconnect and delete honour expectedVersion', async ({ store }) => {
      const v1 = await store.put(keyA, { tokens: tokens('one') })
      await store.compareAndSwap(keyA, v1.version, { tokens: tokens('two') })
      assert.equal(await store.markNeedsReconnect(keyA, { expectedVersion: v1.version }), undefined)
      assert.equal((await store.get(keyA))?.status, 'active')
      assert.equal(await store.delete(keyA, { expectedVersion: v1.version }), false)
      const marked = await store.markNeedsReconnect(keyA, { expectedVersion: 2 })
      assert.deepEqual([marked?.status, marked?.version, marked?.tokens], ['needs-reconnect', 3, undefined])
      assert.equal(await store.delete(keyA, { expectedVersion: 3 }), true)
      assert.equal(await store.delete(keyA), false)
    })

    it('S5 list shows who is signed in, never tokens or claims', async ({ store }) => {
      await store.put(keyA, { tokens: tokens('a', START + 60_000), subject: 'user-a' })
      await store.put(keyB, { tokens: tokens('b'), subject: 'user-b' })
      await store.markNeedsReconnect(keyB)
      const all = await store.list()
      assert.deepEqual(
        all.map((s) => [s.conversation, s.subject, s.status, s.scopes, s.expiresAt]),
        [
          ['conv-a', 'user-a', 'active', ['openid', 'accounts.read'], START + 60_000],
          ['conv-b', 'user-b', 'needs-reconnect', ['openid', 'accounts.read'], undefined],
        ],
      )
      const dump = JSON.stringify(all)
      for (const secret of ['AT-a', 'RT-a', 'a-person@']) assert.ok(!dump.includes(secret), secret)
      assert.deepEqual(
        (await store.list({ status: 'active' })).map((s) => s.conversation),
        ['conv-a'],
      )
      assert.deepEqual((await store.list({ conversation: 'conv-b', agent: keyA.agent })).length, 1)
      assert.deepEqual((await store.list({ limit: 1 })).length, 1)
    })

    it('S5 encryption at rest: persisted bytes never contain a token or claim', async ({ store, t }) => {
      const set = tokens('rest')
      await store.put(keyA, { tokens: set, subject: 'user-1' })
      const raw = await t.rawBytes([TOKEN_TABLE])
      assert.ok(containsSecret(raw, 'user-1'), 'the dump is real (the subject is stored in clear)')
      for (const secret of [set.accessToken, set.refreshToken as string, 'rest-person@example.test']) {
        assert.ok(!containsSecret(raw, secret), `plaintext found at rest: ${secret.slice(0, 4)}…`)
      }
    })

    it('S1 a sealed token set copied into another row fails to decrypt, no leak', async ({ store, t }) => {
      await store.put(keyA, { tokens: tokens('a') })
      await store.put(keyB, { tokens: tokens('b') })
      await copySealed(t, keyA, keyB)
      await assert.rejects(store.get(keyB), (err: unknown) => {
        assert.ok(isBmOAuthError(err, 'ERR_TOKEN_VAULT_DECRYPT'))
        const dump = `${err.message} ${inspect(err, { depth: 5 })} ${JSON.stringify(err)}`
        for (const secret of ['AT-a', 'RT-a', K1.split(':')[1] as string]) assert.ok(!dump.includes(secret))
        return true
      })
      assert.equal((await store.get(keyA))?.tokens?.accessToken, tokens('a').accessToken)
    })

    it('S3 rekey moves every row to the new key; the old key can then be removed', async ({ t, clock }) => {
      const old = createSQLTokenStore(t.db, createVault(parseVaultKeys(K1)), { clock })
      const keys = Array.from({ length: 5 }, (_, i) => ({ ...keyA, conversation: `conv-${i}` }))
      for (const key of keys) await old.put(key, { tokens: tokens(key.conversation) })
      await old.markNeedsReconnect(keys[4] as TokenKey) // signed out: nothing sealed, nothing to move

      const rotated = createSQLTokenStore(t.db, createVault(parseVaultKeys(`${K2},${K1}`)), { clock })
      assert.equal((await rotated.get(keys[0] as TokenKey))?.tokens?.accessToken, tokens('conv-0').accessToken)
      const written = await rotated.put(keys[1] as TokenKey, { tokens: tokens('fresh') })
      assert.equal(written.status, 'active')
      const result = await rotated.rekey({ batchSize: 2 })
      assert.deepEqual(result, { rekeyed: 3, failed: 0, remaining: 0 })
      const { rows } = await t.db.query<{ key_id: string | null }>(`SELECT key_id FROM ${TOKEN_TABLE}`)
      assert.deepEqual(rows.map((r) => r.key_id).sort(), ['k2', 'k2', 'k2', 'k2', null])

      const k2Only = createSQLTokenStore(t.db, createVault(parseVaultKeys(K2)), { clock })
      for (const key of keys.slice(0, 4)) assert.equal((await k2Only.get(key))?.status, 'active')
      assert.deepEqual(await k2Only.rekey(), { rekeyed: 0, failed: 0, remaining: 0 })
    })

    it('S3 rekey skips a row it cannot open instead of looping, and reports it', async ({ t, clock }) => {
      const old = createSQLTokenStore(t.db, createVault(parseVaultKeys(K1)), { clock })
      await old.put(keyA, { tokens: tokens('a') })
      await old.put(keyB, { tokens: tokens('b') })
      await copySealed(t, keyA, keyB)
      const rotated = createSQLTokenStore(t.db, createVault(parseVaultKeys(`${K2},${K1}`)), { clock })
      assert.deepEqual(await rotated.rekey({ batchSize: 1 }), { rekeyed: 1, failed: 1, remaining: 1 })
    })
  })
}

/** Copies the sealed column of `from`'s row over `to`'s (what an attacker with DB write access could do). */
async function copySealed(t: TestDatabase, from: TokenKey, to: TokenKey): Promise<void> {
  await t.db.query(
    `UPDATE ${TOKEN_TABLE} SET sealed = (SELECT sealed FROM ${TOKEN_TABLE} WHERE conversation = $1)
      WHERE conversation = $2`,
    [from.conversation, to.conversation],
  )
}
