import assert from 'node:assert/strict'
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { DatabaseSync } from 'node:sqlite'
import { describe, test } from 'node:test'
import { ManualClock } from '../../core/clock.ts'
import { WebhookDispatcher } from './dispatcher.ts'
import { AGENT, samplePayload, setUpDispatcher } from './test-support/dispatcher-fixture.ts'
import { status } from './test-support/webhook-server.ts'

const DAY_MS = 24 * 60 * 60 * 1000

// docs/contract-decisions.md §3.5 (7-day horizon, per-agent queues), §10 Q6, §10 "emulator state".
describe('WebhookDispatcher queue', () => {
  test('gives up at the horizon (default 7 days after creation): status expired, no further attempt', async (t) => {
    const { hook, dispatcher, clock } = await setUpDispatcher(t, { maxDelayMs: 60 * 60 * 1000 })
    hook.fallback = status(500)
    dispatcher.enqueue(AGENT, samplePayload('r-1'))
    await dispatcher.runDue()
    clock.advance(7 * DAY_MS - 1)
    await dispatcher.runDue()
    assert.equal(dispatcher.list()[0]!.status, 'failed', 'still retried just before the horizon')
    assert.equal(hook.received.length, 2)
    clock.advance(1)
    await dispatcher.runDue()
    const [stored] = dispatcher.list()
    assert.equal(stored!.status, 'expired')
    assert.equal(stored!.attempts, 2)
    assert.equal(hook.received.length, 2)
  })

  test('a configurable horizon expires even never-attempted deliveries', async (t) => {
    const { hook, dispatcher, clock } = await setUpDispatcher(t, { horizonMs: 60_000 })
    dispatcher.enqueue(AGENT, samplePayload('r-1'))
    clock.advance(60_000)
    await dispatcher.runDue()
    assert.equal(dispatcher.list()[0]!.status, 'expired')
    assert.equal(hook.received.length, 0)
  })

  test('backoff grows exponentially up to maxDelayMs', async (t) => {
    const { hook, dispatcher, clock } = await setUpDispatcher(t, { baseDelayMs: 1_000, maxDelayMs: 4_000 })
    hook.fallback = status(503)
    dispatcher.enqueue(AGENT, samplePayload('r-1'))
    const delays: number[] = []
    for (let i = 0; i < 5; i++) {
      await dispatcher.runDue()
      const next = dispatcher.list()[0]!.nextAttemptAt
      delays.push(next - clock.now())
      clock.set(next)
    }
    // random() = 0.5 ⇒ three quarters of the capped step base · 2^(n-1).
    assert.deepEqual(delays, [750, 1_500, 3_000, 3_000, 3_000])
  })

  test('pending deliveries survive a restart: a new dispatcher on the same database file delivers them', async (t) => {
    const dir = mkdtempSync(join(tmpdir(), 'bm-webhook-'))
    t.after(() => rmSync(dir, { recursive: true, force: true }))
    const dbPath = join(dir, 'emulator.sqlite')
    const clock = new ManualClock()
    const first = await setUpDispatcher(t, { dbPath, clock })
    first.hook.fallback = status(500)
    const record = first.dispatcher.enqueue(AGENT, samplePayload('r-1'))
    await first.dispatcher.runDue()
    await first.dispatcher.stop()
    first.db.close()

    const db = new DatabaseSync(dbPath)
    t.after(() => db.close())
    const dispatcher = new WebhookDispatcher({
      db,
      clock,
      random: () => 0.5,
      resolveTarget: () => ({ url: first.hook.url, signingKey: 'k' }),
    })
    first.hook.fallback = status(200)
    clock.advance(60_000)
    await dispatcher.runDue()
    const [stored] = dispatcher.list()
    assert.equal(stored!.id, record.id)
    assert.equal(stored!.status, 'delivered')
    assert.equal(stored!.attempts, 2)
    assert.equal(first.hook.received[1]!.body, record.body, 'same body bytes after the restart')
  })

  test('duplicate fault: extra identical copies with the same requestId and body', async (t) => {
    const { hook, dispatcher } = await setUpDispatcher(t)
    dispatcher.faults.duplicate = 1
    dispatcher.enqueue(AGENT, samplePayload('r-1'))
    await dispatcher.runDue()
    assert.equal(hook.received.length, 2)
    assert.equal(hook.received[0]!.body, hook.received[1]!.body)
    assert.equal(JSON.parse(hook.received[1]!.body).requestId, 'r-1')
    assert.deepEqual(
      dispatcher.list().map((d) => d.status),
      ['delivered', 'delivered'],
    )
  })

  test('deliveries of an agent go oldest-first; the reorder fault makes them newest-first', async (t) => {
    const { hook, dispatcher } = await setUpDispatcher(t)
    for (const id of ['r-1', 'r-2', 'r-3']) dispatcher.enqueue(AGENT, samplePayload(id))
    await dispatcher.runDue()
    dispatcher.faults.reorder = true
    for (const id of ['r-4', 'r-5', 'r-6']) dispatcher.enqueue(AGENT, samplePayload(id))
    await dispatcher.runDue()
    const order = hook.received.map((r) => JSON.parse(r.body).requestId)
    assert.deepEqual(order, ['r-1', 'r-2', 'r-3', 'r-6', 'r-5', 'r-4'])
  })

  test('delay fault holds the first attempt for delayMs on the injected clock', async (t) => {
    const { hook, dispatcher, clock } = await setUpDispatcher(t)
    dispatcher.faults.delayMs = 5_000
    dispatcher.enqueue(AGENT, samplePayload('r-1'))
    await dispatcher.runDue()
    assert.equal(hook.received.length, 0)
    clock.advance(5_000)
    await dispatcher.runDue()
    assert.equal(hook.received.length, 1)
  })

  test('sendTime skew fault rewrites sendTime at enqueue time, keeping the nine digits', async (t) => {
    const { hook, dispatcher } = await setUpDispatcher(t)
    dispatcher.faults.sendTimeSkewMs = 10 * 60 * 1000
    const record = dispatcher.enqueue(AGENT, samplePayload('r-1'))
    assert.equal(JSON.parse(record.body).sendTime, '2020-10-02T14:55:24.045123456Z')
    await dispatcher.runDue()
    assert.equal(hook.received[0]!.body, record.body)
  })

  test('list() is newest-first and filters by agent and conversation', async (t) => {
    const { dispatcher } = await setUpDispatcher(t)
    dispatcher.enqueue(AGENT, samplePayload('r-1'))
    dispatcher.enqueue(AGENT, { ...samplePayload('r-2'), conversationId: '4444' })
    dispatcher.enqueue('brands/1/agents/2', samplePayload('r-3'))
    assert.deepEqual(
      dispatcher.list().map((d) => d.requestId),
      ['r-3', 'r-2', 'r-1'],
    )
    assert.deepEqual(
      dispatcher.list({ agentName: AGENT }).map((d) => d.requestId),
      ['r-2', 'r-1'],
    )
    assert.deepEqual(
      dispatcher.list({ agentName: AGENT, conversationId: '3333' }).map((d) => d.requestId),
      ['r-1'],
    )
  })
})
