import assert from 'node:assert/strict'
import { execFile } from 'node:child_process'
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { after, test } from 'node:test'
import { promisify } from 'node:util'
import { ManualClock } from '../core/clock.ts'
import { isBmOAuthError } from '../errors.ts'
import { migrate, renderMigration } from './migrate.ts'
import { openSQLiteDatabase } from './sqlite.ts'

const execFileAsync = promisify(execFile)
const dir = mkdtempSync(join(tmpdir(), 'bm-oauth-migrate-'))
after(() => rmSync(dir, { recursive: true, force: true }))

const migrations = [
  'CREATE TABLE widget (id TEXT PRIMARY KEY, body {{blob}}); CREATE INDEX widget_body ON widget (body)',
  'ALTER TABLE widget ADD COLUMN made_at BIGINT',
]

test('renderMigration maps {{blob}} per dialect and calls function migrations', () => {
  assert.equal(renderMigration('x {{blob}}', 'sqlite'), 'x BLOB')
  assert.equal(renderMigration('x {{blob}}', 'postgres'), 'x BYTEA')
  assert.equal(
    renderMigration((d) => `-- ${d}`, 'postgres'),
    '-- postgres',
  )
})

test('applies pending migrations in order, once, recording versions with the clock time', async () => {
  const db = openSQLiteDatabase(':memory:')
  const clock = new ManualClock(1_000)
  assert.deepEqual(await migrate(db, 'widgets', migrations.slice(0, 1), { clock }), { applied: [1] })
  assert.deepEqual(await migrate(db, 'widgets', migrations, { clock }), { applied: [2] })
  assert.deepEqual(await migrate(db, 'widgets', migrations, { clock }), { applied: [] })
  await db.query('INSERT INTO widget (id, body, made_at) VALUES ($1, $2, $3)', ['w', new Uint8Array([1]), 5])
  const { rows } = await db.query('SELECT namespace, version, applied_at FROM schema_migrations ORDER BY version')
  assert.deepEqual(rows, [
    { namespace: 'widgets', version: 1, applied_at: 1000 },
    { namespace: 'widgets', version: 2, applied_at: 1000 },
  ])
  await db.close()
})

test('namespaces are independent', async () => {
  const db = openSQLiteDatabase(':memory:')
  await migrate(db, 'one', ['CREATE TABLE one_t (x TEXT)'])
  assert.deepEqual(await migrate(db, 'two', ['CREATE TABLE two_t (x TEXT)']), { applied: [1] })
  await db.close()
})

test('a failing migration rolls back entirely, leaving no partial schema or version row', async () => {
  const db = openSQLiteDatabase(':memory:')
  await assert.rejects(migrate(db, 'broken', ['CREATE TABLE half (x TEXT); CREATE TABLE half (x TEXT)']))
  const { rows } = await db.query("SELECT name FROM sqlite_master WHERE name IN ('half', 'schema_migrations')")
  assert.deepEqual(rows, [])
  await db.close()
})

test('two processes migrating the same file at once apply each version exactly once', async () => {
  const path = join(dir, 'race.sqlite')
  // Separate processes: in one process a second connection's busy wait would block the event loop.
  const script = `
    const { openSQLiteDatabase } = await import(${JSON.stringify(import.meta.resolve('./sqlite.ts'))})
    const { migrate } = await import(${JSON.stringify(import.meta.resolve('./migrate.ts'))})
    const db = openSQLiteDatabase(${JSON.stringify(path)})
    const result = await migrate(db, 'widgets', ${JSON.stringify(migrations)})
    await db.close()
    process.stdout.write(JSON.stringify(result))`
  const run = async (): Promise<{ applied: number[] }> => {
    const { stdout } = await execFileAsync(process.execPath, ['--input-type=module', '-e', script], { timeout: 60_000 })
    return JSON.parse(stdout) as { applied: number[] }
  }
  const [ra, rb] = await Promise.all([run(), run()])
  assert.deepEqual([...ra.applied, ...rb.applied].sort(), [1, 2])
  const db = openSQLiteDatabase(path)
  assert.equal(Number((await db.query('SELECT COUNT(*) AS c FROM schema_migrations')).rows[0]!['c']), 2)
  await db.close()
})

test('rejects a namespace that is not a plain identifier', async () => {
  const db = openSQLiteDatabase(':memory:')
  await assert.rejects(migrate(db, "x'; DROP", []), (err) => isBmOAuthError(err, 'ERR_INVALID_ARGUMENT'))
  await db.close()
})
