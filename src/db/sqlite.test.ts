import assert from 'node:assert/strict'
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { after, test } from 'node:test'
import { isBmOAuthError } from '../errors.ts'
import { openSQLiteDatabase } from './sqlite.ts'
import { describeDatabaseContract } from './test-support/database-contract.ts'

const dir = mkdtempSync(join(tmpdir(), 'bm-oauth-sqlite-'))
after(() => rmSync(dir, { recursive: true, force: true }))

describeDatabaseContract('sqlite (:memory:)', async () => openSQLiteDatabase(':memory:'))
let fileCounter = 0
describeDatabaseContract('sqlite (file)', async () => openSQLiteDatabase(join(dir, `db-${++fileCounter}.sqlite`)))

test('file database uses WAL, synchronous=FULL, foreign keys and a busy timeout', async () => {
  const db = openSQLiteDatabase(join(dir, 'pragmas.sqlite'), { busyTimeoutMs: 1234 })
  try {
    const pragma = async (name: string): Promise<unknown> =>
      Object.values((await db.query(`PRAGMA ${name}`)).rows[0] ?? {})[0]
    assert.equal(await pragma('journal_mode'), 'wal')
    assert.equal(await pragma('synchronous'), 2) // FULL
    assert.equal(await pragma('foreign_keys'), 1)
    assert.equal(await pragma('busy_timeout'), 1234)
  } finally {
    await db.close()
  }
})

test('data survives close and reopen', async () => {
  const path = join(dir, 'reopen.sqlite')
  const first = openSQLiteDatabase(path)
  await first.query('CREATE TABLE t (k TEXT PRIMARY KEY)')
  await first.query('INSERT INTO t (k) VALUES ($1)', ['x'])
  await first.close()
  const second = openSQLiteDatabase(path)
  assert.deepEqual((await second.query('SELECT k FROM t')).rows, [{ k: 'x' }])
  await second.close()
})

test('calling db.query inside db.transaction fails loudly instead of deadlocking', async () => {
  const db = openSQLiteDatabase(':memory:')
  await assert.rejects(
    db.transaction(async () => {
      await db.query('SELECT 1')
    }),
    (err) => isBmOAuthError(err, 'ERR_STORE') && /use the tx argument/.test(err.message),
  )
  assert.deepEqual((await db.query('SELECT 1 AS one')).rows, [{ one: 1 }])
  await db.close()
})

test('a tx handle used after its transaction ended is refused', async () => {
  const db = openSQLiteDatabase(':memory:')
  let leaked: { query: (sql: string) => Promise<unknown> } | undefined
  await db.transaction(async (tx) => {
    leaked = tx
  })
  await assert.rejects(leaked!.query('SELECT 1'), (err) => isBmOAuthError(err, 'ERR_STORE'))
  await db.close()
})

test('queries after close are refused with ERR_STORE; close is idempotent', async () => {
  const db = openSQLiteDatabase(':memory:')
  await db.close()
  await db.close()
  await assert.rejects(db.query('SELECT 1'), (err) => isBmOAuthError(err, 'ERR_STORE'))
})

test('integers beyond Number.MAX_SAFE_INTEGER throw instead of losing precision', async () => {
  const db = openSQLiteDatabase(':memory:')
  await assert.rejects(db.query('SELECT 9007199254740993 AS big'), (err) => isBmOAuthError(err, 'ERR_STORE'))
  await db.close()
})

test('opening a path in a missing directory fails with ERR_STORE', () => {
  assert.throws(
    () => openSQLiteDatabase(join(dir, 'no-such-dir', 'x.sqlite')),
    (err) => isBmOAuthError(err, 'ERR_STORE'),
  )
})

test('work started inside a transaction that runs after it committed may use db.query', async () => {
  const db = openSQLiteDatabase(':memory:')
  let later: Promise<unknown> | undefined
  await db.transaction(async () => {
    later = new Promise((resolve) => setTimeout(resolve, 5)).then(() => db.query('SELECT 1 AS one'))
  })
  assert.deepEqual(((await later) as { rows: unknown[] }).rows, [{ one: 1 }])
  await db.close()
})
