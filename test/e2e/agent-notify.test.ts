/**
 * LISTEN/NOTIFY wake-ups on PostgreSQL (issue 8): a delivery acknowledged by one instance is picked
 * up by another at once, not at its next poll. Instance A takes the webhook but processes nothing
 * (`concurrency: 0`); instance B processes but polls only once an hour — so only A's NOTIFY can
 * bring B to answer before the test's bounded wait runs out.
 *
 * Needs PostgreSQL server binaries: skipped with a reason without them, a failure in CI.
 */
import { after, before, describe, test } from 'node:test'
import assert from 'node:assert/strict'
import { randomBytes } from 'node:crypto'
import { openPostgresDatabase } from '../../src/db/postgres.ts'
import { sharedPostgres, type PostgresCluster } from '../support/postgres.ts'
import {
  openConversation,
  startWorld,
  userSays,
  waitFor,
  waitForText,
  type RunningAgent,
  type World,
} from './support.ts'

const cluster = await sharedPostgres()
const skip = 'skip' in cluster ? { skip: cluster.skip } : {}
const HOUR = 60 * 60_000
let world: World
const running: RunningAgent[] = []

before(async () => {
  if ('skip' in cluster) return
  world = await startWorld()
})
after(async () => {
  for (const agent of running.reverse()) await agent.stop()
  await world?.close()
})

describe('instances on one PostgreSQL wake each other', skip, () => {
  test('a delivery recorded by instance A is processed by instance B through NOTIFY, long before B polls', async () => {
    const connectionString = await (cluster as PostgresCluster).createDatabase(
      `notify_${randomBytes(4).toString('hex')}`,
    )
    const open = () => openPostgresDatabase({ connectionString })
    const [dbA, dbB] = [open(), open()]
    try {
      // B first (the world routes the webhook to the agent started last: A).
      running.push(await world.startAgent({ database: dbB, inboxPollIntervalMs: HOUR }))
      running.push(await world.startAgent({ database: dbA, inboxPollIntervalMs: HOUR, concurrency: 0 }))
      const conversationId = await openConversation(world)
      await userSays(world, conversationId, 'hello')
      const reply = await waitForText(world, conversationId, /I can tell you your balance/)
      assert.ok(reply, 'B answered a delivery only A received')
      // The reply goes out inside the processing; the row is marked done right after it.
      const states = async () => (await dbA.query<{ state: string }>('SELECT state FROM webhook_inbox')).rows
      await waitFor('the delivery marked done', async () => ((await states())[0]?.state === 'done' ? true : undefined))
      assert.equal((await states()).length, 1)
    } finally {
      for (const agent of running.splice(0).reverse()) await agent.stop()
      await dbA.close()
      await dbB.close()
    }
  })
})
