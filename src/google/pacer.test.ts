import { describe, test } from 'node:test'
import assert from 'node:assert/strict'
import { ManualClock } from '../core/clock.ts'
import { ConversationPacer, nextSendTime } from './pacer.ts'
import { fakeSleep } from './fake-fetch.test-util.ts'

describe('ConversationPacer (docs/contract-decisions.md §2.6, security case A1)', () => {
  test('the first 60 sends in a minute go at once; the 61st waits for the window', async () => {
    const clock = new ManualClock(0)
    const { sleep, delays } = fakeSleep(clock)
    const pacer = new ConversationPacer({ clock, sleep })
    for (let i = 0; i < 60; i++) {
      await pacer.acquire('c1')
      clock.advance(100) // 60 sends over 6 s
    }
    assert.deepEqual(delays, [])
    const before = clock.now()
    await pacer.acquire('c1')
    assert.equal(delays.length, 1)
    // first send was at t=0 → the 61st may go just after t=60 000
    assert.equal(before + (delays[0] ?? 0), 60_001)
  })

  test('A1 a send is counted when it settles: a slow first request pushes the 61st later', async () => {
    const clock = new ManualClock(0)
    const { sleep, delays } = fakeSleep(clock)
    const pacer = new ConversationPacer({ clock, sleep })
    const first = await pacer.acquire('c1')
    clock.advance(200) // the first request reaches Google (and completes) 200 ms after admission
    first.settle()
    for (let i = 1; i < 60; i++) (await pacer.acquire('c1')).settle()
    clock.set(60_001)
    await pacer.acquire('c1')
    // counted at t=0 the 61st could go at 60 001, inside Google's window of the first (arrived at 200)
    assert.deepEqual(delays, [200])
    assert.equal(clock.now(), 60_201)
  })

  test('a second conversation is not delayed by a busy one', async () => {
    const clock = new ManualClock(0)
    const { sleep, delays } = fakeSleep(clock)
    const pacer = new ConversationPacer({ clock, sleep, limit: 2 })
    await pacer.acquire('busy')
    await pacer.acquire('busy')
    await pacer.acquire('quiet')
    assert.deepEqual(delays, [])
  })

  test('concurrent sends for one conversation are admitted in call order, never over the limit', async () => {
    const clock = new ManualClock(0)
    const { sleep } = fakeSleep(clock)
    const pacer = new ConversationPacer({ clock, sleep, limit: 3, windowMs: 1000 })
    const admittedAt: Array<[number, number]> = []
    await Promise.all(
      Array.from({ length: 7 }, (_, i) => pacer.acquire('c').then(() => void admittedAt.push([i, clock.now()]))),
    )
    assert.deepEqual(
      admittedAt.map(([i]) => i),
      [0, 1, 2, 3, 4, 5, 6],
    )
    const times = admittedAt.map(([, t]) => t)
    for (const t of times) {
      assert.ok(times.filter((u) => u > t - 1000 && u <= t).length <= 3, `over limit at ${t}`)
    }
  })

  test('idle conversations are dropped (bounded memory)', async () => {
    const clock = new ManualClock(0)
    const { sleep } = fakeSleep(clock)
    const pacer = new ConversationPacer({ clock, sleep, sweepEvery: 10 })
    for (let i = 0; i < 9; i++) await pacer.acquire(`old-${i}`)
    assert.equal(pacer.size, 9)
    clock.advance(60_001)
    await pacer.acquire('new')
    assert.equal(pacer.size, 1)
  })

  test('nextSendTime is a pure sliding window', () => {
    assert.equal(nextSendTime([], 5, 2, 100), 5)
    assert.equal(nextSendTime([1], 5, 2, 100), 5)
    assert.equal(nextSendTime([1, 3], 5, 2, 100), 102)
    assert.equal(nextSendTime([1, 3], 101, 2, 100), 101)
  })
})
