import { test } from 'node:test'
import assert from 'node:assert/strict'
import { KeyedLock } from './keyed-lock.ts'

/** A promise and the function that resolves it, to hold a run open until the test lets it go. */
function gate(): { opened: Promise<void>; open: () => void } {
  let open!: () => void
  const opened = new Promise<void>((resolve) => {
    open = resolve
  })
  return { opened, open }
}

test('runs for one key happen one at a time, in the order they were asked for', async () => {
  const lock = new KeyedLock()
  const log: string[] = []
  const first = gate()
  const runs = [
    lock.run('k', async () => {
      log.push('1 start')
      await first.opened
      log.push('1 end')
    }),
    lock.run('k', async () => {
      log.push('2')
    }),
    lock.run('k', () => {
      log.push('3')
    }),
  ]
  await new Promise((resolve) => setImmediate(resolve))
  assert.deepEqual(log, ['1 start'], 'the second run waits for the first')
  first.open()
  await Promise.all(runs)
  assert.deepEqual(log, ['1 start', '1 end', '2', '3'])
})

test('runs for different keys do not wait for each other', async () => {
  const lock = new KeyedLock()
  const held = gate()
  const a = lock.run('a', () => held.opened)
  assert.equal(await lock.run('b', () => 'b ran'), 'b ran')
  assert.equal(lock.isHeld('a'), true)
  assert.equal(lock.isHeld('b'), false)
  held.open()
  await a
})

test('a run that throws rejects its caller and releases the lock to the next', async () => {
  const lock = new KeyedLock()
  const failing = lock.run('k', async () => {
    throw new Error('boom')
  })
  const next = lock.run('k', () => 'next ran')
  await assert.rejects(failing, /boom/)
  assert.equal(await next, 'next ran')
  const sync = lock.run('k', () => {
    throw new Error('sync boom')
  })
  await assert.rejects(sync, /sync boom/)
  assert.equal(lock.isHeld('k'), false)
})

test('no key outlives its runs', async () => {
  const lock = new KeyedLock()
  const held = gate()
  const runs = [lock.run('a', () => held.opened), lock.run('a', () => 1), lock.run('b', () => 2)]
  assert.equal(lock.heldKeys, 2)
  held.open()
  await Promise.allSettled(runs)
  assert.equal(lock.heldKeys, 0)
  await Promise.allSettled(Array.from({ length: 100 }, (_, i) => lock.run(`key-${i % 7}`, async () => i)))
  assert.equal(lock.heldKeys, 0)
})
