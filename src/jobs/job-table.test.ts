/**
 * The job mechanism on both engines (PostgreSQL against a throwaway cluster when the binaries
 * exist): claim order, limit and scope, leases that run out, retry, finishing with rows kept or
 * deleted, and concurrent claims. The queues built on it have their own contract suites.
 */
import assert from 'node:assert/strict'
import { describe, test } from 'node:test'
import { sharedPostgres } from '../../test/support/postgres.ts'
import { storeMigrator } from '../db/migrate.ts'
import { openPostgresDatabase } from '../db/postgres.ts'
import type { Database } from '../db/queryable.ts'
import { openSQLiteDatabase } from '../db/sqlite.ts'
import { createJobTable, type JobRow, type JobTableSpec } from './job-table.ts'

interface WorkRow extends JobRow {
  scope: string
  made_at: number | string
  note: string | null
}

const migrateWork = storeMigrator('jobs_test', [
  `CREATE TABLE work (
     id TEXT PRIMARY KEY,
     scope TEXT NOT NULL,
     note TEXT,
     state TEXT NOT NULL,
     attempts INTEGER NOT NULL,
     available_at BIGINT NOT NULL,
     lease_until BIGINT,
     last_error TEXT,
     made_at BIGINT NOT NULL
   )`,
])

const T0 = 1_000_000

async function withWork(
  open: () => Promise<Database>,
  finished: JobTableSpec['finished'],
  fn: (jobs: ReturnType<typeof createJobTable<WorkRow>>, db: Database) => Promise<void>,
): Promise<void> {
  const db = await open()
  try {
    await migrateWork(db)
    const add = (id: string, availableAt: number, scope = 'a'): Promise<unknown> =>
      db.query(
        `INSERT INTO work (id, scope, state, attempts, available_at, made_at) VALUES ($1, $2, 'pending', 0, $3, $3)`,
        [id, scope, availableAt],
      )
    for (const [id, at, scope] of [
      ['j2', T0 + 2, 'a'],
      ['j1', T0 + 1, 'a'],
      ['j3', T0 + 3, 'b'],
      ['later', T0 + 100, 'a'],
    ] as const) {
      await add(id, at, scope)
    }
    await fn(createJobTable<WorkRow>(db, { table: 'work', createdColumn: 'made_at', finished }), db)
  } finally {
    await db.close()
  }
}

function describeJobTable(name: string, open: () => Promise<Database>, openSecond?: () => Promise<Database>): void {
  describe(`job table: ${name}`, () => {
    test('claims due jobs oldest first, up to the limit, within the scope, counting an attempt', () =>
      withWork(open, 'keep', async (jobs) => {
        const first = await jobs.claim(T0 + 10, { leaseMs: 1000, limit: 2, where: { scope: 'a' } })
        assert.deepEqual(
          first.map((r) => [r.id, r.state, Number(r.attempts), Number(r.lease_until)]),
          [
            ['j1', 'leased', 1, T0 + 1010],
            ['j2', 'leased', 1, T0 + 1010],
          ],
        )
        assert.deepEqual(await jobs.claim(T0 + 10, { leaseMs: 1000, where: { scope: 'a' } }), [], 'later is not due')
        assert.deepEqual(
          (await jobs.claim(T0 + 10, { leaseMs: 1000, limit: 10 })).map((r) => r.id),
          ['j3'],
        )
      }))

    test('a lease that runs out makes the job due again, with another attempt', () =>
      withWork(open, 'keep', async (jobs) => {
        await jobs.claim(T0 + 10, { leaseMs: 1000, limit: 3 })
        assert.deepEqual(await jobs.claim(T0 + 99, { leaseMs: 1000, limit: 10 }), [])
        const again = await jobs.claim(T0 + 1010, { leaseMs: 1000, limit: 10 })
        assert.deepEqual(
          again.map((r) => [r.id, Number(r.attempts)]),
          [
            ['j1', 2],
            ['j2', 2],
            ['j3', 2],
            ['later', 1],
          ],
        )
      }))

    test('retry makes a job pending at the given time with its last error', () =>
      withWork(open, 'keep', async (jobs, db) => {
        const [job] = await jobs.claim(T0 + 10, { leaseMs: 1000 })
        await jobs.retry(job!.id, T0 + 500, 'HTTP 503')
        assert.deepEqual(
          (await jobs.claim(T0 + 499, { leaseMs: 1000, limit: 10 })).map((r) => r.id),
          ['j2', 'j3', 'later'],
        )
        const [retried] = await jobs.claim(T0 + 500, { leaseMs: 1000, limit: 10 })
        assert.deepEqual([retried?.id, Number(retried?.attempts), retried?.last_error], ['j1', 2, 'HTTP 503'])
        const { rows } = await db.query('SELECT lease_until FROM work WHERE id = $1', ['j1'])
        assert.equal(Number(rows[0]!['lease_until']), T0 + 1500)
      }))

    test('finished jobs are kept as done or dead, never claimed again', () =>
      withWork(open, 'keep', async (jobs, db) => {
        const [a, b] = await jobs.claim(T0 + 10, { leaseMs: 1000, limit: 2 })
        assert.equal(await jobs.complete(a!.id, { note: 'cleared' }), true)
        assert.equal(await jobs.giveUp(b!.id, 'unsupported'), true)
        assert.equal(await jobs.complete('missing'), false)
        const { rows } = await db.query(
          `SELECT id, state, note, last_error, lease_until FROM work WHERE id IN ('j1', 'j2') ORDER BY id`,
        )
        assert.deepEqual(rows, [
          { id: 'j1', state: 'done', note: 'cleared', last_error: null, lease_until: null },
          { id: 'j2', state: 'dead', note: null, last_error: 'unsupported', lease_until: null },
        ])
        assert.deepEqual(
          (await jobs.claim(T0 + 10_000, { leaseMs: 1000, limit: 10 })).map((r) => r.id),
          ['j3', 'later'],
        )
      }))

    test('where finished jobs are deleted, complete and give-up remove the row', () =>
      withWork(open, 'delete', async (jobs, db) => {
        const [a, b] = await jobs.claim(T0 + 10, { leaseMs: 1000, limit: 2 })
        assert.equal(await jobs.complete(a!.id), true)
        assert.equal(await jobs.giveUp(b!.id, 'refused'), true)
        assert.equal(await jobs.giveUp(b!.id, 'refused'), false)
        const { rows } = await db.query('SELECT id FROM work ORDER BY id')
        assert.deepEqual(rows, [{ id: 'j3' }, { id: 'later' }])
      }))

    test('concurrent claims never hand out the same job twice', () =>
      withWork(open, 'keep', async (jobs, db) => {
        const second = openSecond === undefined ? undefined : await openSecond()
        try {
          const other =
            second === undefined
              ? jobs
              : createJobTable<WorkRow>(second, { table: 'work', createdColumn: 'made_at', finished: 'keep' })
          const claims = await Promise.all(
            Array.from({ length: 6 }, (_, i) => (i % 2 === 0 ? jobs : other).claim(T0 + 1000, { leaseMs: 60_000 })),
          )
          const ids = claims.flat().map((r) => r.id)
          assert.equal(new Set(ids).size, ids.length)
          // Lost races may return nothing; whatever is left is still claimable afterwards.
          const rest = await jobs.claim(T0 + 1000, { leaseMs: 60_000, limit: 10 })
          assert.equal(ids.length + rest.length, 4)
          const { rows } = await db.query("SELECT COUNT(*) AS n FROM work WHERE state = 'leased'")
          assert.equal(Number(rows[0]!['n']), 4)
        } finally {
          await second?.close()
        }
      }))
  })
}

const cluster = await sharedPostgres()
describeJobTable('sqlite', async () => openSQLiteDatabase(':memory:'))
if ('skip' in cluster) {
  test('job table: postgres', { skip: cluster.skip }, () => {})
} else {
  let n = 0
  let current = ''
  describeJobTable(
    'postgres',
    async () => {
      current = await cluster.createDatabase(`jobs_${++n}`)
      return openPostgresDatabase({ connectionString: current })
    },
    async () => openPostgresDatabase({ connectionString: current }),
  )
}
