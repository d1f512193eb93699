/**
 * @module core/keyed-lock
 * The one async lock: runs for the same key happen one at a time, in the order they were asked
 * for; runs for different keys do not wait for each other. The inbox processor keys it by
 * conversation (one delivery at a time per conversation); the SQLite adapter holds a single key for
 * its connection (a transaction whose callback awaits keeps every other statement out).
 */

export class KeyedLock {
  /** Per key, the promise the next run waits for: settled when the last queued run has finished. */
  readonly #tails = new Map<string, Promise<void>>()

  /** Whether a run for `key` is in progress or waiting. */
  isHeld(key: string): boolean {
    return this.#tails.has(key)
  }

  /** How many keys are held; 0 once every run has finished (no key outlives its runs). */
  get heldKeys(): number {
    return this.#tails.size
  }

  /**
   * Runs `fn` once every earlier run for `key` has settled, and settles as `fn` does. The lock is
   * released whether `fn` returns or throws.
   */
  async run<T>(key: string, fn: () => T | Promise<T>): Promise<T> {
    const previous = this.#tails.get(key)
    let release!: () => void
    const tail = new Promise<void>((resolve) => {
      release = resolve
    })
    this.#tails.set(key, tail)
    try {
      if (previous !== undefined) await previous
      return await fn()
    } finally {
      release()
      // Only the last run in the queue removes the key: a later one has replaced the tail.
      if (this.#tails.get(key) === tail) this.#tails.delete(key)
    }
  }
}
