/**
 * Child process for `inbox-crash.test.ts`: on the SQLite file given as argv[2], records three
 * deliveries in one group commit and reports them `acked`, then records three more whose batch is
 * held at the fault hook just before `COMMIT`, reports `fault fired`, and waits there until the
 * parent kills it with SIGKILL.
 */
import { openSQLiteDatabase } from '../../src/db/sqlite.ts'
import { createGroupCommit } from '../../src/jobs/group-commit.ts'
import { openInboxStore } from '../../src/webhook/inbox-store.ts'
import { parseWebhookEvent } from '../../src/webhook/parse-event.ts'
import { eventBody, NOW } from '../../src/webhook/test-support/receiver-fixtures.ts'

const [path] = process.argv.slice(2) as [string]
const db = openSQLiteDatabase(path)
let batches = 0
const groupCommit = createGroupCommit(db, {
  beforeCommit: async (size) => {
    if (++batches < 2) return
    process.stdout.write(`fault fired ${size}\n`)
    await new Promise(() => {}) // held inside the open transaction until the kill
  },
})
const inbox = await openInboxStore(db, { groupCommit })
const record = (requestId: string): Promise<string> => {
  const rawBody = eventBody({ requestId })
  return inbox.record({ event: parseWebhookEvent(rawBody), rawBody, receivedAt: NOW }).then(() => `r:${requestId}`)
}
const acked = await Promise.all(['acked-1', 'acked-2', 'acked-3'].map(record))
process.stdout.write(`acked ${acked.join(',')}\n`)
for (const requestId of ['held-1', 'held-2', 'held-3']) {
  void record(requestId).then((id) => process.stdout.write(`acked ${id}\n`))
}
setInterval(() => {}, 60_000)
