/**
 * docs/contract-decisions.md §10 "crash semantics" with group commit (docs/jobs.md "Group commit"):
 * a process killed with SIGKILL in the middle of a batch (held at the fault hook just before
 * `COMMIT`, which reports that it fired) loses nothing it acknowledged, and the batch it was
 * committing is absent as a whole (none of it was acknowledged, so Google redelivers it).
 */
import assert from 'node:assert/strict'
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { test } from 'node:test'
import { openSQLiteDatabase } from '../../src/db/sqlite.ts'
import { runChildUntil } from '../support/crash-child.ts'

test('W12 SIGKILL mid-batch: every acknowledged delivery is stored, the uncommitted batch is not', async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'bm-inbox-crash-'))
  t.after(() => rmSync(dir, { recursive: true, force: true }))
  const path = join(dir, 'inbox.sqlite')
  const child = await runChildUntil(t, {
    script: join(import.meta.dirname, 'inbox-crash-child.ts'),
    args: [path],
    marker: 'fault fired',
  })
  assert.match(child.output, /fault fired 3\n/, 'the fault hook did not fire on the second batch')
  assert.equal(await child.kill(), 'SIGKILL')

  const acked = [...child.output.matchAll(/^acked (.+)$/gm)].flatMap((m) => (m[1] ?? '').split(','))
  assert.deepEqual(acked, ['r:acked-1', 'r:acked-2', 'r:acked-3'])
  const db = openSQLiteDatabase(path)
  try {
    const { rows } = await db.query<{ id: string }>('SELECT id FROM webhook_inbox ORDER BY id')
    assert.deepEqual(
      rows.map((r) => r.id),
      acked,
    )
  } finally {
    await db.close()
  }
})
