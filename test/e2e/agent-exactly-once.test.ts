/**
 * Exactly one token request per authorization code, whatever Google's at-least-once delivery does:
 * duplicated deliveries, concurrent deliveries of the same code, and late ones (the same bytes
 * again, or the same code in a new envelope) — counted at the wire with the agent's own fetch,
 * against the strict provider that revokes everything on a second use of a code.
 */
import { after, before, describe, test } from 'node:test'
import assert from 'node:assert/strict'
import {
  agentMessages,
  askBalanceAndGetPrompt,
  authResponseDeliveries,
  codeExchanges,
  completeSignIn,
  control,
  openConversation,
  postSigned,
  startWorld,
  tapChipAndLogIn,
  waitFor,
  waitForSettled,
  waitForText,
  type RunningAgent,
  type World,
} from './support.ts'

let world: World
let running: RunningAgent

before(async () => {
  world = await startWorld()
  running = await world.startAgent()
})
after(async () => {
  await running?.stop()
  await world?.close()
})

async function setFaults(webhook: Record<string, unknown>): Promise<void> {
  await control(world, 'faults', { webhook }, 'PATCH')
}

async function balanceAnswers(conversationId: string): Promise<number> {
  return (await agentMessages(world, conversationId)).filter((m) => /Your balance is/.test(m.content.text ?? '')).length
}

/** The authenticationResponse delivery of a conversation, as the emulator queued it. */
async function authDelivery(conversationId: string): Promise<{ requestId?: string; body: string; status: string }> {
  return waitFor(
    'the authenticationResponse delivery',
    async () => (await authResponseDeliveries(world, conversationId))[0],
  )
}

describe('X1 exactly one token request per code', () => {
  test('W10 X1 a delivery duplicated twice by the sender → one token request, one answer', async () => {
    const conversationId = await openConversation(world)
    const count = await askBalanceAndGetPrompt(world, conversationId)
    const location = await tapChipAndLogIn(world, conversationId)
    const before = codeExchanges(world).length
    await setFaults({ duplicate: 2 })
    try {
      await completeSignIn(world, conversationId, location)
      await waitForText(world, conversationId, /Your balance is/, count)
    } finally {
      await setFaults({ duplicate: 0 })
    }
    // Every copy acknowledged and every recorded delivery processed: a wrongly processed copy has shown itself.
    await waitForSettled(world, running.db, conversationId)
    const copies = await authResponseDeliveries(world, conversationId)
    assert.deepEqual(
      copies.map((d) => d.status),
      ['delivered', 'delivered', 'delivered'],
      'the duplicate fault fired: three copies, each acknowledged',
    )
    assert.equal(codeExchanges(world).length - before, 1)
    assert.equal(await balanceAnswers(conversationId), 1)
  })

  test('X1 W17 the same code in five concurrent deliveries with distinct request ids → one token request', async () => {
    const conversationId = await openConversation(world)
    const count = await askBalanceAndGetPrompt(world, conversationId)
    const location = await tapChipAndLogIn(world, conversationId)
    const before = codeExchanges(world).length
    await setFaults({ delayMs: 600_000 }) // hold Google's own delivery: the copies below race instead
    let original: { body: string; status: string }
    try {
      await completeSignIn(world, conversationId, location)
      original = await authDelivery(conversationId)
    } finally {
      await setFaults({ delayMs: 0 })
    }
    assert.equal(original.status, 'pending', "the delay fault fired: Google's own delivery is held")
    const payload = JSON.parse(original.body) as Record<string, unknown>
    const bodies = [1, 2, 3, 4, 5].map((n) =>
      JSON.stringify({ ...payload, requestId: `${String(payload['requestId'])}-copy-${n}` }),
    )
    const statuses = await Promise.all(bodies.map((body) => postSigned(world, body)))
    assert.deepEqual(statuses, [200, 200, 200, 200, 200])
    await waitForText(world, conversationId, /Your balance is/, count)
    await waitFor('the other copies settled', async () => {
      const said = (await agentMessages(world, conversationId)).slice(count).map((m) => m.content.text)
      return said.filter((t) => t === "You're already signed in.").length === 4 ? true : undefined
    })
    assert.equal(codeExchanges(world).length - before, 1)
    assert.equal(await balanceAnswers(conversationId), 1)
  })

  test('X1 W10 a late redelivery (same bytes, then same code in a new envelope) → no second token request', async () => {
    const conversationId = await openConversation(world)
    const count = await askBalanceAndGetPrompt(world, conversationId)
    await completeSignIn(world, conversationId, await tapChipAndLogIn(world, conversationId))
    await waitForText(world, conversationId, /Your balance is/, count)
    const before = codeExchanges(world).length
    const { body } = await authDelivery(conversationId)
    assert.equal(await postSigned(world, body), 200, 'same bytes: acknowledged, deduplicated by request id')
    const settled = (await agentMessages(world, conversationId)).length
    const reEnveloped = JSON.stringify({ ...(JSON.parse(body) as object), requestId: 'late-redelivery' })
    assert.equal(await postSigned(world, reEnveloped), 200)
    await waitForText(world, conversationId, /already signed in/, settled)
    assert.equal(codeExchanges(world).length - before, 0)
    assert.equal(await balanceAnswers(conversationId), 1)
  })
})
