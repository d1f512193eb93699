import { test } from 'node:test'
import assert from 'node:assert/strict'
import { openSQLiteDatabase } from '../db/sqlite.ts'
import { generateVaultKey, parseVaultKeys } from '../tokens/keyring.ts'
import { createVault } from '../tokens/seal.ts'
import { createFlowStateStore, FlowStateConflictError, migrateFlowStateStore } from './flow-state-store.ts'

async function setUp() {
  const db = openSQLiteDatabase(':memory:')
  await migrateFlowStateStore(db)
  const store = createFlowStateStore(db, createVault(parseVaultKeys(generateVaultKey({ keyId: 'k1' }))), () => 1)
  return { db, store }
}

const awaiting = {
  kind: 'awaiting-sign-in',
  promptId: 'p1',
  scopes: ['openid'],
  reason: 'balance',
  expiresAt: 10,
  attempt: 1,
  parkedQuestion: 'what is my secret balance?',
} as const

test('S1 S5 state with the parked question is sealed: reads back, but no plaintext in the row', async () => {
  const { db, store } = await setUp()
  const version = await store.save('a', 'c', { state: awaiting }, undefined)
  assert.equal(version, 1)
  assert.deepEqual(await store.get('a', 'c'), { record: { state: awaiting }, version: 1 })
  const { rows } = await db.query<{ sealed: Uint8Array }>('SELECT sealed FROM bm_flow_states')
  assert.ok(!Buffer.from(rows[0]!.sealed).includes(Buffer.from('secret balance')))
  await db.close()
})

test('S6 compare-and-set: a stale writer is refused', async () => {
  const { db, store } = await setUp()
  await store.save('a', 'c', { state: { kind: 'signed-out' } }, undefined)
  await assert.rejects(store.save('a', 'c', { state: awaiting }, undefined), FlowStateConflictError)
  assert.equal(await store.save('a', 'c', { state: awaiting }, 1), 2)
  await assert.rejects(store.save('a', 'c', { state: { kind: 'signed-out' } }, 1), FlowStateConflictError)
  assert.equal((await store.get('a', 'c'))?.record.state.kind, 'awaiting-sign-in')
  await db.close()
})
