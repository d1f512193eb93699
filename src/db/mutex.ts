/**
 * @module db/mutex
 * A first-in, first-out async lock. The SQLite adapter holds it for the whole of a transaction
 * whose callback awaits, so no other statement on the same connection can slip in between.
 */

/** Call once to hand the lock to the next waiter. Extra calls do nothing. */
export type Release = () => void

export class Mutex {
  #locked = false
  readonly #waiters: Array<() => void> = []

  /** True while someone holds the lock. */
  get locked(): boolean {
    return this.#locked
  }

  /** Resolves with a release function once the lock is ours; waiters are served in arrival order. */
  async acquire(): Promise<Release> {
    if (this.#locked) {
      // Ownership is handed over directly by the releaser, so `#locked` stays true in between.
      await new Promise<void>((resolve) => this.#waiters.push(resolve))
    } else {
      this.#locked = true
    }
    let released = false
    return () => {
      if (released) return
      released = true
      const next = this.#waiters.shift()
      if (next === undefined) this.#locked = false
      else next()
    }
  }
}
