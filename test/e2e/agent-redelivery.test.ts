/**
 * E2 (faithful retry model) end to end: while the agent is down its webhook answers 503; the
 * emulator keeps the delivery and redelivers it with backoff, keeping its `requestId`. Once the agent
 * is up, the delivery is acknowledged once and processed once: one reply, no more attempts.
 */
import { after, before, test } from 'node:test'
import assert from 'node:assert/strict'
import {
  agentMessages,
  deliveries,
  openConversation,
  startWorld,
  userSays,
  waitFor,
  waitForSettled,
  type RunningAgent,
  type World,
} from './support.ts'

let world: World
let running: RunningAgent | undefined

before(async () => {
  world = await startWorld() // the agent is not started yet: its webhook answers 503
})
after(async () => {
  await running?.stop()
  await world?.close()
})

test('E2 a delivery refused while the agent is down is redelivered, then acknowledged and processed once', async () => {
  const conversationId = await openConversation(world)
  await userSays(world, conversationId, 'hello')
  const failed = await waitFor('a failed first attempt', async () => {
    const [latest] = await deliveries(world, conversationId)
    return latest !== undefined && latest.status === 'failed' ? latest : undefined
  })
  assert.equal((await agentMessages(world, conversationId)).length, 0)

  running = await world.startAgent()
  const reply = await waitFor("the agent's reply", async () => {
    const messages = await agentMessages(world, conversationId)
    return messages.length > 0 ? messages : undefined
  })
  const delivered = await waitFor('the delivery to be acknowledged', async () => {
    const found = (await deliveries(world, conversationId)).find((d) => d.id === failed.id)
    return found?.status === 'delivered' ? found : undefined
  })
  assert.equal(delivered.requestId, failed.requestId, 'the requestId is stable across retries')
  assert.equal(delivered.body, failed.body, 'the same bytes are redelivered')
  const attempts = (delivered as { attempts?: number }).attempts ?? 0
  assert.ok(attempts >= 2, `retried after the refusal (attempts: ${attempts})`)

  // Settled (nothing left to send, every recorded delivery finished): the message was recorded and
  // processed once, answered once, and not sent again after the acknowledgement.
  const rows = await waitForSettled(world, running.db, conversationId)
  assert.deepEqual(
    rows.map((r) => [r.state, r.attempts]),
    [['done', 1]],
  )
  assert.equal((await agentMessages(world, conversationId)).length, reply.length)
  assert.equal(reply.length, 1)
  const again = (await deliveries(world, conversationId)).find((d) => d.id === failed.id) as { attempts?: number }
  assert.equal(again.attempts, attempts)
})
