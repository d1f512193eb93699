/**
 * @module test/contract/pending-signin-contract
 * The behaviour the sign-in store must show on every engine: one pending sign-in per conversation
 * (P6), TTL (P7), single use under concurrency, sealed verifier and question (S1, S5), rekey (S3),
 * and exactly-once code-exchange markers that survive a restart (X1, X3,
 * docs/contract-decisions.md §10 "crash semantics").
 */
import assert from 'node:assert/strict'
import { inspect } from 'node:util'
import { describe, test } from 'node:test'
import { isBmOAuthError } from '../../src/errors.ts'
import {
  createExchangeMarkers,
  DEFAULT_EXCHANGE_MARKER_RETENTION_MS,
  hashAuthorizationCode,
} from '../../src/signin-store/exchange-markers.ts'
import { EXCHANGE_MARKER_TABLE, migrateSignInStore, PENDING_SIGNIN_TABLE } from '../../src/signin-store/migrations.ts'
import {
  createPendingSignInStore,
  DEFAULT_PENDING_SIGNIN_TTL_MS,
  type NewPendingSignIn,
} from '../../src/signin-store/pending-signins.ts'
import { generateVaultKey, parseVaultKeys } from '../../src/tokens/keyring.ts'
import { createVault } from '../../src/tokens/seal.ts'
import { containsSecret, withDatabase, type StoreFixture, type TestDatabase } from './token-store-fixtures.ts'

const K1 = generateVaultKey({ keyId: 'k1' })
const K2 = generateVaultKey({ keyId: 'k2' })
const NOW = Date.parse('2026-01-01T00:00:00Z')
const AGENT = 'brands/1/agents/a'
const T = PENDING_SIGNIN_TABLE

function prompt(conversation: string, tag: string, extra: Partial<NewPendingSignIn> = {}): NewPendingSignIn {
  return {
    agent: AGENT,
    conversation,
    provider: 'bank',
    scopes: ['openid', 'accounts.read'],
    codeVerifier: `verifier-${tag}-${'x'.repeat(43)}`,
    question: `How much is in my savings account? (${tag})`,
    ...extra,
  }
}

async function migrated(t: TestDatabase): Promise<TestDatabase> {
  await migrateSignInStore(t.db)
  return t
}

export function describePendingSignInContract(fixture: StoreFixture): void {
  const it = (name: string, fn: (t: TestDatabase) => Promise<void>): void => {
    test(name, () => withDatabase(fixture, async (t) => fn(await migrated(t))))
  }
  const options = fixture.skip === undefined ? {} : { skip: fixture.skip }
  const vault = createVault(parseVaultKeys(K1))

  describe(`pending sign-in contract: ${fixture.name}`, options, () => {
    it('round-trips a pending sign-in with a 10-minute default TTL', async (t) => {
      const store = createPendingSignInStore(t.db, vault)
      const put = await store.put(prompt('c1', 'one'), NOW)
      assert.deepEqual(put, {
        agent: AGENT,
        conversation: 'c1',
        provider: 'bank',
        scopes: ['openid', 'accounts.read'],
        codeVerifier: prompt('c1', 'one').codeVerifier,
        question: prompt('c1', 'one').question,
        attempts: 1,
        createdAt: NOW,
        expiresAt: NOW + DEFAULT_PENDING_SIGNIN_TTL_MS,
      })
      assert.deepEqual(await store.get(AGENT, 'c1', NOW + 1), put)
      assert.equal(await store.get(AGENT, 'c2', NOW), undefined)
      const { question: _none, ...withoutQuestion } = prompt('c3', 'q')
      const noQuestion = await store.put(withoutQuestion, NOW)
      assert.equal(noQuestion.question, undefined)
    })

    it('P6 a new prompt atomically replaces the pending one; only the current verifier is left', async (t) => {
      const store = createPendingSignInStore(t.db, vault)
      await store.put(prompt('c1', 'first'), NOW)
      const replacement = prompt('c1', 'second', { provider: 'other', scopes: ['email'] })
      const second = await store.put(replacement, NOW + 1000)
      assert.deepEqual(
        [second.attempts, second.provider, second.scopes, second.createdAt],
        [2, 'other', ['email'], NOW + 1000],
      )
      const consumed = await store.consume(AGENT, 'c1', NOW + 2000)
      assert.ok(consumed !== undefined && !consumed.expired)
      assert.equal(consumed.codeVerifier, prompt('c1', 'second').codeVerifier)
      assert.equal(await store.consume(AGENT, 'c1', NOW + 2000), undefined, 'no older verifier left to try')
    })

    it('X1 consume is single use: 20 concurrent consumers, exactly one gets the verifier', async (t) => {
      const store = createPendingSignInStore(t.db, vault)
      const second = createPendingSignInStore(t.openSecond?.() ?? t.db, vault)
      await store.put(prompt('c1', 'race'), NOW)
      const results = await Promise.all(
        Array.from({ length: 20 }, (_, i) => (i % 2 === 0 ? store : second).consume(AGENT, 'c1', NOW + 1)),
      )
      const winners = results.filter((r) => r !== undefined)
      assert.equal(winners.length, 1)
      assert.equal(winners[0]?.expired === false && winners[0].codeVerifier, prompt('c1', 'race').codeVerifier)
      assert.equal(await store.get(AGENT, 'c1', NOW + 1), undefined)
    })

    it('P7 TTL: once expired it is not returned; consume deletes it without the verifier', async (t) => {
      const store = createPendingSignInStore(t.db, vault, { ttlMs: 60_000 })
      const put = await store.put(prompt('c1', 'ttl'), NOW)
      assert.equal(put.expiresAt, NOW + 60_000)
      assert.ok(await store.get(AGENT, 'c1', NOW + 59_999))
      assert.equal(await store.get(AGENT, 'c1', NOW + 60_000), undefined)
      const consumed = await store.consume(AGENT, 'c1', NOW + 60_000)
      assert.equal(consumed?.expired, true)
      assert.ok(consumed !== undefined && !('codeVerifier' in consumed))
      assert.equal(consumed.question, put.question, 'the parked question survives for the re-prompt')
      assert.equal(await store.consume(AGENT, 'c1', NOW + 60_000), undefined)
      const custom = await store.put(prompt('c2', 'ttl', { ttlMs: 5 }), NOW)
      assert.equal(custom.expiresAt, NOW + 5)
    })

    it('S8 delete and the expiry sweep leave no orphans', async (t) => {
      const store = createPendingSignInStore(t.db, vault, { ttlMs: 1000 })
      await store.put(prompt('c1', 'a'), NOW)
      await store.put(prompt('c2', 'b'), NOW + 5000)
      await store.put(prompt('c3', 'c'), NOW)
      assert.equal(await store.delete(AGENT, 'c3'), true)
      assert.equal(await store.delete(AGENT, 'c3'), false)
      assert.equal(await store.purgeExpired(NOW + 1000), 1)
      const { rows } = await t.db.query<{ conversation: string }>(`SELECT conversation FROM ${T}`)
      assert.deepEqual(
        rows.map((r) => r.conversation),
        ['c2'],
      )
    })

    it('S5 P5 the verifier and the parked question are never stored in clear', async (t) => {
      const store = createPendingSignInStore(t.db, vault)
      const p = prompt('c1', 'rest')
      await store.put(p, NOW)
      const raw = await t.rawBytes([PENDING_SIGNIN_TABLE])
      assert.ok(containsSecret(raw, 'accounts.read'), 'the dump is real (scopes are stored in clear)')
      assert.ok(!containsSecret(raw, p.codeVerifier), 'verifier found at rest')
      assert.ok(!containsSecret(raw, p.question as string), 'question found at rest')
    })

    it('S1 P14 a verifier copied to another conversation or moved to another provider fails', async (t) => {
      const store = createPendingSignInStore(t.db, vault)
      await store.put(prompt('c1', 'a'), NOW)
      await store.put(prompt('c2', 'b'), NOW)
      await t.db.query(
        `UPDATE ${T} SET sealed = (SELECT sealed FROM ${T} WHERE conversation = $1) WHERE conversation = $2`,
        ['c1', 'c2'],
      )
      const isDecryptError = (err: unknown): boolean => {
        assert.ok(isBmOAuthError(err, 'ERR_TOKEN_VAULT_DECRYPT'))
        assert.ok(!inspect(err).includes(prompt('c1', 'a').codeVerifier))
        return true
      }
      await assert.rejects(store.consume(AGENT, 'c2', NOW), isDecryptError)
      assert.equal(await store.get(AGENT, 'c2', NOW), undefined, 'deleted even though it failed to open')
      await t.db.query(`UPDATE ${T} SET provider = $1 WHERE conversation = $2`, ['evil', 'c1'])
      await assert.rejects(store.get(AGENT, 'c1', NOW), isDecryptError)
    })

    it('S3 rekey moves pending sign-ins to the new key; the old key can then be removed', async (t) => {
      const old = createPendingSignInStore(t.db, vault)
      for (const c of ['c1', 'c2', 'c3']) await old.put(prompt(c, c), NOW)
      const rotated = createPendingSignInStore(t.db, createVault(parseVaultKeys(`${K2},${K1}`)))
      assert.deepEqual(await rotated.rekey({ batchSize: 2 }), { rekeyed: 3, failed: 0, remaining: 0 })
      const k2Only = createPendingSignInStore(t.db, createVault(parseVaultKeys(K2)))
      for (const c of ['c1', 'c2', 'c3']) {
        assert.equal((await k2Only.get(AGENT, c, NOW))?.codeVerifier, prompt(c, c).codeVerifier)
      }
    })

    describeExchangeMarkerContract(it)
  })
}

type It = (name: string, fn: (t: TestDatabase) => Promise<void>) => void

function describeExchangeMarkerContract(it: It): void {
  const code = 'SplxlOBeZQQYbYS6WxSbIA-authorization-code'

  it('X1 claim succeeds once: 20 concurrent claims (two connections where possible), one winner', async (t) => {
    const markers = [createExchangeMarkers(t.db), createExchangeMarkers(t.openSecond?.() ?? t.db)]
    const hash = hashAuthorizationCode(code)
    const results = await Promise.all(
      Array.from({ length: 20 }, (_, i) => markers[i % 2]!.claim(hash, NOW, { agent: AGENT, conversation: 'c1' })),
    )
    assert.equal(results.filter(Boolean).length, 1)
    assert.equal(await markers[0]!.claim(hash, NOW + 600_000), false, '10 minutes later: still refused')
    assert.equal(await markers[0]!.isClaimed(hash), true)
    assert.equal(await markers[0]!.claim(hashAuthorizationCode(`${code}-other`), NOW), true)
  })

  it('X12 a marker names where it was claimed; unclaimed and context-free markers read as such', async (t) => {
    const markers = createExchangeMarkers(t.db)
    const hash = hashAuthorizationCode(code)
    assert.equal(await markers.claimant(hash), undefined, 'unclaimed')
    await markers.claim(hash, NOW, { agent: AGENT, conversation: 'c2' })
    assert.deepEqual(await markers.claimant(hash), { agent: AGENT, conversation: 'c2' })
    const bare = hashAuthorizationCode(`${code}-bare`)
    await markers.claim(bare, NOW)
    assert.deepEqual(await markers.claimant(bare), {}, 'a claim without context names nothing')
  })

  it('X3 a claim survives a restart: a code sent before a crash is never exchanged again', async (t) => {
    const hash = hashAuthorizationCode(code)
    assert.equal(await createExchangeMarkers(t.db).claim(hash, NOW), true)
    if (t.reopen === undefined) return // :memory: has no restart; the file and PostgreSQL fixtures cover it
    const reopened = await t.reopen()
    assert.equal(await createExchangeMarkers(reopened).claim(hash, NOW + 1), false)
  })

  it('X1 markers store only the SHA-256 of the code; a raw code is refused as a key', async (t) => {
    const markers = createExchangeMarkers(t.db)
    // FIPS 180-2 test vector for SHA-256("abc").
    const abc = 'ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad'
    assert.equal(hashAuthorizationCode('abc'), abc)
    await markers.claim(hashAuthorizationCode(code), NOW)
    assert.ok(!containsSecret(await t.rawBytes([EXCHANGE_MARKER_TABLE]), code))
    await assert.rejects(markers.claim(code, NOW), (err: unknown) => {
      assert.ok(isBmOAuthError(err, 'ERR_INVALID_ARGUMENT'))
      assert.ok(!err.message.includes(code))
      return true
    })
  })

  it('W11 markers are kept past the 7-day redelivery horizon, then purged', async (t) => {
    const markers = createExchangeMarkers(t.db)
    const hash = hashAuthorizationCode(code)
    await markers.claim(hash, NOW)
    assert.ok(DEFAULT_EXCHANGE_MARKER_RETENTION_MS > 7 * 24 * 3600_000)
    assert.equal(await markers.purgeExpired(NOW + 7 * 24 * 3600_000), 0)
    assert.equal(await markers.claim(hash, NOW + 7 * 24 * 3600_000), false)
    assert.equal(await markers.purgeExpired(NOW + DEFAULT_EXCHANGE_MARKER_RETENTION_MS), 1)
    assert.equal(await markers.isClaimed(hash), false)
  })
}
