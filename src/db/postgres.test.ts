import assert from 'node:assert/strict'
import { test } from 'node:test'
import { sharedPostgres } from '../../test/support/postgres.ts'
import { isBmOAuthError } from '../errors.ts'
import { migrate } from './migrate.ts'
import { openPostgresDatabase } from './postgres.ts'
import { describeDatabaseContract } from './test-support/database-contract.ts'

const cluster = await sharedPostgres()

if ('skip' in cluster) {
  test('postgres adapter', { skip: cluster.skip }, () => {})
} else {
  let counter = 0
  describeDatabaseContract('postgres', async () =>
    openPostgresDatabase({ connectionString: await cluster.createDatabase(`adapter_${++counter}`) }),
  )

  test('BIGINT beyond Number.MAX_SAFE_INTEGER fails the query instead of losing precision', async () => {
    const db = openPostgresDatabase({ connectionString: cluster.connectionString })
    try {
      await assert.rejects(db.query('SELECT 9007199254740993::bigint AS big'), (err) =>
        isBmOAuthError(err, 'ERR_STORE'),
      )
      assert.deepEqual((await db.query('SELECT 9007199254740991::bigint AS ok')).rows, [{ ok: 9007199254740991 }])
    } finally {
      await db.close()
    }
  })

  test('a data exception does not echo the bad input in the error', async () => {
    const db = openPostgresDatabase({ connectionString: cluster.connectionString })
    try {
      await assert.rejects(db.query('SELECT $1::integer AS n', ['token-abc-123']), (err) => {
        assert.ok(isBmOAuthError(err, 'ERR_STORE'))
        assert.doesNotMatch(err.message, /token-abc-123/)
        return true
      })
    } finally {
      await db.close()
    }
  })

  test('two pools migrating the same database at once apply each version exactly once', async () => {
    const connectionString = await cluster.createDatabase('migrate_race')
    const a = openPostgresDatabase({ connectionString })
    const b = openPostgresDatabase({ connectionString })
    try {
      const migrations = ['CREATE TABLE w (id TEXT PRIMARY KEY, body {{blob}})', 'ALTER TABLE w ADD COLUMN at BIGINT']
      const [ra, rb] = await Promise.all([migrate(a, 'w', migrations), migrate(b, 'w', migrations)])
      assert.deepEqual([...ra.applied, ...rb.applied].sort(), [1, 2])
      await a.query('INSERT INTO w (id, body, at) VALUES ($1, $2, $3)', ['x', new Uint8Array([7]), 1])
    } finally {
      await a.close()
      await b.close()
    }
  })
}
