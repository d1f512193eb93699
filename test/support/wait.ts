/**
 * @module test/support/wait
 * The one bounded polling loop of the suites: call `check` until it returns a value, or fail after
 * a deadline with a message that says what never happened.
 */
import { setTimeout as delay } from 'node:timers/promises'

export interface WaitOptions {
  /** Give up after this long (default 15 000 ms). */
  timeoutMs?: number
  /** Pause between checks (default 40 ms). */
  intervalMs?: number
}

/**
 * Polls `check` until it returns something other than `undefined` and resolves with it. After
 * `timeoutMs` it rejects with `timed out waiting for <what>`; `what` may be a function, to describe
 * the state at the time of failure (e.g. what was seen instead).
 */
export async function waitFor<T>(
  what: string | (() => string | Promise<string>),
  check: () => T | undefined | Promise<T | undefined>,
  { timeoutMs = 15_000, intervalMs = 40 }: WaitOptions = {},
): Promise<T> {
  const deadline = Date.now() + timeoutMs
  for (;;) {
    const value = await check()
    if (value !== undefined) return value
    if (Date.now() > deadline) {
      throw new Error(`timed out waiting for ${typeof what === 'string' ? what : await what()}`)
    }
    await delay(intervalMs)
  }
}
