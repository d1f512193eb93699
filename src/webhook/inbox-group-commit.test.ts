/**
 * The receiver over the group-committed inbox (docs/jobs.md "Group commit"): concurrent deliveries
 * are recorded in one transaction, each is answered only after it commits, a failed batch answers
 * 500 to each of its deliveries (so Google redelivers each), and a duplicate inside one batch is
 * acked without a second record (W10).
 */
import assert from 'node:assert/strict'
import { test, type TestContext } from 'node:test'
import { ManualClock } from '../core/clock.ts'
import { openSQLiteDatabase } from '../db/sqlite.ts'
import { createGroupCommit, type GroupCommitOptions } from '../jobs/group-commit.ts'
import { commitGate } from '../jobs/test-support/commit-gate.ts'
import { openInboxStore } from './inbox-store.ts'
import { createWebhookReceiver, type RecordedDelivery } from './receiver.ts'
import { eventBody, KEY, NOW, sign } from './test-support/receiver-fixtures.ts'

async function receiverOverGroupCommit(t: TestContext, options: GroupCommitOptions) {
  const db = openSQLiteDatabase(':memory:')
  t.after(() => db.close())
  const inbox = await openInboxStore(db, { groupCommit: createGroupCommit(db, options) })
  const recorded: RecordedDelivery[] = []
  const receiver = createWebhookReceiver({
    keys: [KEY],
    inbox,
    clock: new ManualClock(NOW),
    onRecorded: (delivery) => void recorded.push(delivery),
  })
  const deliver = (messageId: string) => {
    const rawBody = eventBody({ requestId: `r-${messageId}`, message: { messageId, text: 'hello' } })
    const headers = { 'content-type': 'application/json', 'x-goog-signature': sign(rawBody) }
    return receiver.handle({ method: 'POST', headers, rawBody }).then((answer) => answer.status)
  }
  const stored = async (): Promise<number> =>
    Number((await db.query('SELECT COUNT(*) AS c FROM webhook_inbox')).rows[0]?.['c'])
  return { deliver, stored, recorded }
}

test('W12 concurrent deliveries are answered 200 only after their shared transaction commits', async (t) => {
  const gate = commitGate({ hold: true })
  const r = await receiverOverGroupCommit(t, gate)
  const answered: number[] = []
  const answers = ['m-1', 'm-2', 'm-3'].map((id) => r.deliver(id).then((status) => answered.push(status) && status))
  await gate.reached
  assert.deepEqual(gate.batches, [3])
  assert.deepEqual(answered, [], 'no answer before COMMIT')
  gate.release()
  assert.deepEqual(await Promise.all(answers), [200, 200, 200])
  assert.equal(await r.stored(), 3)
})

test('a batch that fails to commit answers 500 to each of its deliveries and records none', async (t) => {
  const gate = commitGate({ fail: new Error('injected commit failure') })
  const r = await receiverOverGroupCommit(t, gate)
  assert.deepEqual(await Promise.all(['m-1', 'm-2', 'm-3'].map((id) => r.deliver(id))), [500, 500, 500])
  assert.deepEqual(gate.batches, [3], 'the fault fired, once for the whole batch')
  assert.equal(await r.stored(), 0)
  assert.deepEqual(r.recorded, [])
})

test('W10 a duplicate inside one batch is acked and recorded once', async (t) => {
  const gate = commitGate()
  const r = await receiverOverGroupCommit(t, gate)
  assert.deepEqual(await Promise.all([r.deliver('m-1'), r.deliver('m-1'), r.deliver('m-2')]), [200, 200, 200])
  assert.deepEqual(gate.batches, [3])
  assert.equal(await r.stored(), 2)
  // onRecorded runs after the answer (setImmediate); the second wait is for the duplicate's turn.
  await new Promise((resolve) => setImmediate(resolve))
  assert.deepEqual(r.recorded.map((d) => d.id).sort(), ['r:r-m-1', 'r:r-m-2'])
})
