/**
 * @module db/test-support/database-contract
 * The behaviour every {@link Database} adapter must show, as one node:test suite run against each
 * adapter (SQLite always; PostgreSQL against a throwaway cluster when the binaries exist).
 */
import assert from 'node:assert/strict'
import { describe, test } from 'node:test'
import { isBmOAuthError } from '../../errors.ts'
import type { Database } from '../queryable.ts'

/** Opens a fresh, empty database for one test; the suite closes it. */
export type OpenDatabase = () => Promise<Database>

/** Registers the adapter contract tests under `describe(name)`. */
export function describeDatabaseContract(name: string, open: OpenDatabase): void {
  const blobType = (db: Database): string => (db.dialect === 'postgres' ? 'BYTEA' : 'BLOB')

  async function withDb(fn: (db: Database) => Promise<void>): Promise<void> {
    const db = await open()
    try {
      await db.query(`CREATE TABLE item (id TEXT PRIMARY KEY, n BIGINT, flag BOOLEAN, data ${blobType(db)}, note TEXT)`)
      await fn(db)
    } finally {
      await db.close()
    }
  }

  describe(name, () => {
    test('placeholders $1..$12 bind in order, including two-digit ones', () =>
      withDb(async (db) => {
        const params = Array.from({ length: 12 }, (_, i) => `v${i + 1}`)
        const cols = params.map((_, i) => `$${i + 1} AS c${i + 1}`).join(', ')
        const { rows } = await db.query(`SELECT ${cols}`, params)
        assert.deepEqual(Object.values(rows[0]!), params)
      }))

    test('a $1 inside a string literal stays text', () =>
      withDb(async (db) => {
        const { rows } = await db.query(`SELECT '$1' AS lit, $1 AS val`, ['x'])
        assert.deepEqual(rows, [{ lit: '$1', val: 'x' }])
      }))

    test('blob round-trips as Uint8Array (not Buffer) and safe-integer epoch ms as number', () =>
      withDb(async (db) => {
        const bytes = new Uint8Array([0, 1, 2, 253, 254, 255])
        const epochMs = Date.parse('2026-01-01T00:00:00Z')
        await db.query('INSERT INTO item (id, n, data) VALUES ($1, $2, $3)', ['a', epochMs, bytes])
        const { rows } = await db.query<{ n: unknown; data: unknown }>('SELECT n, data FROM item WHERE id = $1', ['a'])
        assert.equal(rows[0]!.n, epochMs)
        assert.ok(rows[0]!.data instanceof Uint8Array)
        assert.equal(Buffer.isBuffer(rows[0]!.data), false)
        assert.deepEqual([...(rows[0]!.data as Uint8Array)], [...bytes])
      }))

    test('rowCount counts changed rows, RETURNING rows, and is 0 for selects', () =>
      withDb(async (db) => {
        const ins = await db.query('INSERT INTO item (id, n) VALUES ($1, 1), ($2, 2), ($3, 3)', ['a', 'b', 'c'])
        assert.equal(ins.rowCount, 3)
        const upd = await db.query('UPDATE item SET note = $1 WHERE n >= $2', ['x', 2])
        assert.equal(upd.rowCount, 2)
        const sel = await db.query('SELECT id FROM item ORDER BY id')
        assert.equal(sel.rowCount, 0)
        assert.equal(sel.rows.length, 3)
        const del = await db.query<{ id: string }>('DELETE FROM item WHERE id = $1 RETURNING id', ['a'])
        assert.deepEqual({ rows: del.rows, rowCount: del.rowCount }, { rows: [{ id: 'a' }], rowCount: 1 })
        const none = await db.query('DELETE FROM item WHERE id = $1 RETURNING id', ['zz'])
        assert.equal(none.rowCount, 0)
        const conflict = await db.query('INSERT INTO item (id, n) VALUES ($1, 9) ON CONFLICT (id) DO NOTHING', ['b'])
        assert.equal(conflict.rowCount, 0)
        const cteSelect = await db.query('WITH x AS (SELECT id FROM item) SELECT id FROM x')
        assert.deepEqual([cteSelect.rows.length, cteSelect.rowCount], [2, 0])
        const cteDelete = await db.query(
          'WITH old AS (SELECT id FROM item WHERE n >= $1) DELETE FROM item WHERE id IN (SELECT id FROM old) RETURNING id',
          [3],
        )
        assert.deepEqual([cteDelete.rows, cteDelete.rowCount], [[{ id: 'c' }], 1])
      }))

    test('booleans bind and read back truthy/falsy', () =>
      withDb(async (db) => {
        await db.query('INSERT INTO item (id, flag) VALUES ($1, $2), ($3, $4)', ['t', true, 'f', false])
        const { rows } = await db.query<{ id: string; flag: unknown }>('SELECT id, flag FROM item ORDER BY id')
        assert.deepEqual(
          rows.map((r) => [r.id, Boolean(r.flag)]),
          [
            ['f', false],
            ['t', true],
          ],
        )
      }))

    test('transaction commits on resolve and rolls back on reject', () =>
      withDb(async (db) => {
        const value = await db.transaction(async (tx) => {
          await tx.query('INSERT INTO item (id) VALUES ($1)', ['kept'])
          return 42
        })
        assert.equal(value, 42)
        const boom = new Error('boom')
        await assert.rejects(
          db.transaction(async (tx) => {
            await tx.query('INSERT INTO item (id) VALUES ($1)', ['lost'])
            throw boom
          }),
          (err) => err === boom,
        )
        const { rows } = await db.query('SELECT id FROM item ORDER BY id')
        assert.deepEqual(rows, [{ id: 'kept' }])
      }))

    test('exec runs a script of several statements; a ; inside a literal or comment does not split it', () =>
      withDb(async (db) => {
        await db.exec(`
          CREATE TABLE script_t (x TEXT DEFAULT 'a;b'); -- a comment; with a semicolon
          /* ; */ INSERT INTO script_t DEFAULT VALUES;
          INSERT INTO script_t (x) VALUES ('c');
        `)
        const { rows } = await db.query('SELECT x FROM script_t ORDER BY x')
        assert.deepEqual(rows, [{ x: 'a;b' }, { x: 'c' }])
      }))

    test('a failing script in a transaction rolls back its earlier statements with the transaction', () =>
      withDb(async (db) => {
        await assert.rejects(
          db.transaction((tx) =>
            tx.exec("INSERT INTO item (id) VALUES ('first'); INSERT INTO item (id) VALUES ('first')"),
          ),
          (err) => isBmOAuthError(err, 'ERR_STORE'),
        )
        const { rows } = await db.query('SELECT id FROM item')
        assert.deepEqual(rows, [])
      }))

    test('concurrent read-modify-write transactions are serialised (no lost update)', () =>
      withDb(async (db) => {
        await db.query('INSERT INTO item (id, n) VALUES ($1, 0)', ['counter'])
        const increment = (): Promise<void> =>
          db.transaction(async (tx) => {
            // Lock the row on PostgreSQL; SQLite's BEGIN IMMEDIATE plus the adapter's lock serialise anyway.
            const lock = db.dialect === 'postgres' ? ' FOR UPDATE' : ''
            const { rows } = await tx.query<{ n: number }>(`SELECT n FROM item WHERE id = $1${lock}`, ['counter'])
            await new Promise((resolve) => setImmediate(resolve))
            await tx.query('UPDATE item SET n = $1 WHERE id = $2', [rows[0]!.n + 1, 'counter'])
          })
        await Promise.all(Array.from({ length: 10 }, increment))
        const { rows } = await db.query<{ n: number }>('SELECT n FROM item WHERE id = $1', ['counter'])
        assert.equal(rows[0]!.n, 10)
      }))

    test('a query outside a running transaction does not see or join its uncommitted writes', () =>
      withDb(async (db) => {
        let signalInserted!: () => void
        const inserted = new Promise<void>((resolve) => (signalInserted = resolve))
        // Registered out here, so it runs as unrelated concurrent work, not as part of the callback.
        const outside = inserted.then(() => db.query<{ c: unknown }>('SELECT COUNT(*) AS c FROM item'))
        await db
          .transaction(async (tx) => {
            await tx.query('INSERT INTO item (id) VALUES ($1)', ['pending'])
            signalInserted()
            for (let i = 0; i < 5; i++) await new Promise((resolve) => setImmediate(resolve))
            throw new Error('roll back')
          })
          .catch(() => undefined)
        const { rows } = await outside
        assert.equal(Number(rows[0]!.c), 0)
      }))

    test('a unique violation becomes a StoreError with uniqueViolation and no bound values', () =>
      withDb(async (db) => {
        await db.query('INSERT INTO item (id) VALUES ($1)', ['secret-value-123'])
        await assert.rejects(db.query('INSERT INTO item (id) VALUES ($1)', ['secret-value-123']), (err) => {
          assert.ok(isBmOAuthError(err, 'ERR_STORE'))
          assert.equal((err as unknown as { uniqueViolation: boolean }).uniqueViolation, true)
          assert.doesNotMatch(JSON.stringify({ ...err, message: err.message, stack: err.stack }), /secret-value-123/)
          return true
        })
      }))
  })
}
