import assert from 'node:assert/strict'
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { test, type TestContext } from 'node:test'
import type { Database } from '../db/queryable.ts'
import { openSQLiteDatabase } from '../db/sqlite.ts'
import { createGroupCommit, type GroupCommitOptions } from './group-commit.ts'
import { commitGate } from './test-support/commit-gate.ts'

/** A file database (so a second connection can look), a table `t`, and a committer over it. */
async function fixture(t: TestContext, options: GroupCommitOptions = {}) {
  const dir = mkdtempSync(join(tmpdir(), 'bm-group-'))
  const path = join(dir, 'db.sqlite')
  const db = openSQLiteDatabase(path)
  await db.exec('CREATE TABLE t (id TEXT PRIMARY KEY, n INTEGER NOT NULL)')
  const observer = openSQLiteDatabase(path)
  t.after(async () => {
    await observer.close()
    await db.close()
    rmSync(dir, { recursive: true, force: true })
  })
  const group = createGroupCommit(db, options)
  const insert = (id: string, n = 1): Promise<number> =>
    group.run(
      async (tx) =>
        (await tx.query('INSERT INTO t (id, n) VALUES ($1, $2) ON CONFLICT (id) DO NOTHING', [id, n])).rowCount,
    )
  return { db, observer, group, insert, ids: () => storedIds(observer) }
}

async function storedIds(db: Database): Promise<string[]> {
  return (await db.query<{ id: string }>('SELECT id FROM t ORDER BY id')).rows.map((r) => r.id)
}

test('writes of one turn share one transaction, and none is answered before its COMMIT', async (t) => {
  const gate = commitGate({ hold: true })
  const f = await fixture(t, gate)
  const settled: string[] = []
  const writes = ['a', 'b', 'c'].map((id) => f.insert(id).then((rows) => settled.push(id) && rows))
  await gate.reached
  // Held just before COMMIT: every write has run, none is answered, and no other connection sees them.
  assert.deepEqual(gate.batches, [3])
  assert.deepEqual(settled, [])
  assert.deepEqual(await f.ids(), [])
  gate.release()
  assert.deepEqual(await Promise.all(writes), [1, 1, 1])
  assert.deepEqual(await f.ids(), ['a', 'b', 'c'])
})

test('a batch that fails to commit rejects every write in it and stores none', async (t) => {
  const gate = commitGate({ fail: new Error('injected commit failure') })
  const f = await fixture(t, gate)
  const results = await Promise.allSettled(['a', 'b', 'c'].map((id) => f.insert(id)))
  assert.deepEqual(gate.batches, [3], 'the fault fired once, for the whole batch')
  assert.deepEqual(
    results.map((r) => (r.status === 'rejected' ? (r.reason as Error).message : 'fulfilled')),
    ['injected commit failure', 'injected commit failure', 'injected commit failure'],
  )
  assert.deepEqual(await f.ids(), [])
})

test('W10 a duplicate inside one batch sees the row inserted before it', async (t) => {
  const gate = commitGate()
  const f = await fixture(t, gate)
  assert.deepEqual(await Promise.all([f.insert('a'), f.insert('a'), f.insert('b')]), [1, 0, 1])
  assert.deepEqual(gate.batches, [3])
  assert.deepEqual(await f.ids(), ['a', 'b'])
})

test('one failing write is rejected alone; the rest of its batch commits', async (t) => {
  const gate = commitGate()
  const f = await fixture(t, gate)
  const bad = f.group.run((tx) => tx.query('INSERT INTO t (id, n) VALUES ($1, NULL)', ['bad']))
  const results = await Promise.allSettled([f.insert('a'), bad, f.insert('b')])
  assert.deepEqual(
    results.map((r) => r.status),
    ['fulfilled', 'rejected', 'fulfilled'],
  )
  assert.deepEqual(gate.batches, [3])
  assert.deepEqual(await f.ids(), ['a', 'b'])
})

test('maxBatch bounds a batch; the writes left over go into the next batches, in order', async (t) => {
  const gate = commitGate()
  const f = await fixture(t, { maxBatch: 2, beforeCommit: gate.beforeCommit })
  assert.deepEqual(await Promise.all(['a', 'b', 'c', 'd', 'e'].map((id) => f.insert(id))), [1, 1, 1, 1, 1])
  assert.deepEqual(gate.batches, [2, 2, 1])
  assert.deepEqual(await f.ids(), ['a', 'b', 'c', 'd', 'e'])
})
