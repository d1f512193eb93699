/**
 * The agent's flow-state store (S1, S5, S6) on every engine: SQLite in memory, SQLite in a file and
 * PostgreSQL (throwaway cluster; skipped with a reason when the binaries are missing, never in CI).
 * Same bodies as the unit test next to the store, plus a second connection racing the first.
 */
import assert from 'node:assert/strict'
import { describe, test } from 'node:test'
import { createFlowStateStore, FLOW_STATE_TABLE, migrateFlowStateStore } from '../../src/agent/flow-state-store.ts'
import { StoreConflictError } from '../../src/db/store-error.ts'
import type { Database } from '../../src/db/queryable.ts'
import { generateVaultKey, parseVaultKeys } from '../../src/tokens/keyring.ts'
import { createVault } from '../../src/tokens/seal.ts'
import { containsSecret, storeFixtures, withDatabase } from './token-store-fixtures.ts'

const vault = createVault(parseVaultKeys(generateVaultKey({ keyId: 'k1' })))
const KEY = { channel: 'business-messages', agent: 'a', conversation: 'c' }
const storeOn = (db: Database) => createFlowStateStore(db, vault, () => 1)

const awaiting = {
  kind: 'awaiting-sign-in',
  promptId: 'p1',
  scopes: ['openid'],
  reason: 'balance',
  expiresAt: 10,
  attempt: 1,
  parkedQuestion: 'what is my secret balance?',
} as const

for (const fixture of await storeFixtures()) {
  const options = fixture.skip === undefined ? {} : { skip: fixture.skip }
  describe(`flow-state store: ${fixture.name}`, options, () => {
    test('S1 S5 state with the parked question is sealed: reads back, but no plaintext at rest', () =>
      withDatabase(fixture, async ({ db, rawBytes }) => {
        await migrateFlowStateStore(db)
        const store = storeOn(db)
        assert.equal(await store.save(KEY, { state: awaiting }, undefined), 1)
        assert.deepEqual(await store.get(KEY), { record: { state: awaiting }, version: 1 })
        assert.equal(containsSecret(await rawBytes([FLOW_STATE_TABLE]), 'secret balance'), false)
      }))

    test('S6 compare-and-set: a stale writer is refused', () =>
      withDatabase(fixture, async ({ db }) => {
        await migrateFlowStateStore(db)
        const store = storeOn(db)
        await store.save(KEY, { state: { kind: 'signed-out' } }, undefined)
        await assert.rejects(store.save(KEY, { state: awaiting }, undefined), StoreConflictError)
        assert.equal(await store.save(KEY, { state: awaiting }, 1), 2)
        await assert.rejects(store.save(KEY, { state: { kind: 'signed-out' } }, 1), StoreConflictError)
        assert.equal((await store.get(KEY))?.record.state.kind, 'awaiting-sign-in')
      }))

    test('S6 two connections writing from the same version: exactly one wins', () =>
      withDatabase(fixture, async ({ db, openSecond }) => {
        await migrateFlowStateStore(db)
        const first = storeOn(db)
        const second = storeOn(openSecond?.() ?? db)
        await first.save(KEY, { state: { kind: 'signed-out' } }, undefined)
        const outcomes = await Promise.allSettled([
          first.save(KEY, { state: awaiting }, 1),
          second.save(KEY, { state: { kind: 'signed-out' } }, 1),
        ])
        assert.equal(outcomes.filter((o) => o.status === 'fulfilled').length, 1)
        const lost = outcomes.find((o): o is PromiseRejectedResult => o.status === 'rejected')
        assert.ok(lost?.reason instanceof StoreConflictError)
        assert.equal((await first.get(KEY))?.version, 2)
      }))
  })
}
