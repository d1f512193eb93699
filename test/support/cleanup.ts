/**
 * @module test/support/cleanup
 * A stack of closers for helpers that start several things: `run()` closes them newest first, both
 * for the normal close and to unwind a start that failed half-way.
 */

export interface Cleanup {
  /** Registers a closer; closers run in reverse order of registration. */
  add(close: () => unknown): void
  /** Runs every closer once (newest first), even if one fails; then rethrows the first failure. */
  run(): Promise<void>
  /**
   * Runs `start`; if it throws, runs every closer registered so far (ignoring their failures) and
   * rethrows the start's error.
   */
  unwindOnError<T>(start: () => Promise<T>): Promise<T>
}

export function createCleanup(): Cleanup {
  const closers: Array<() => unknown> = []
  const cleanup: Cleanup = {
    add: (close) => void closers.push(close),
    async run() {
      let failure: { error: unknown } | undefined
      while (closers.length > 0) {
        try {
          await closers.pop()!()
        } catch (error) {
          failure ??= { error }
        }
      }
      if (failure !== undefined) throw failure.error
    },
    async unwindOnError(start) {
      try {
        return await start()
      } catch (err) {
        await cleanup.run().catch(() => undefined)
        throw err
      }
    },
  }
  return cleanup
}
