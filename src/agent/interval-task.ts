/**
 * @module agent/interval-task
 * A background pass the agent runs while started (maintenance, revocation retries): once at once,
 * then every `intervalMs` on an unref'd timer (it never keeps the process alive), one pass at a time.
 */

/** A running background task. */
export interface IntervalTask {
  /** Cancels future passes and waits for the one in progress. */
  stop(): Promise<void>
}

/**
 * Runs `pass` now and then every `intervalMs` until stopped. A pass that is still running when the
 * next is due delays it. `pass` reports its own failures; a rejection is dropped so later passes run.
 */
export function startIntervalTask(pass: () => Promise<void>, intervalMs: number): IntervalTask {
  let running: Promise<void> = Promise.resolve()
  const schedule = (): void => {
    running = running.then(pass).catch(() => undefined)
  }
  schedule()
  const timer = setInterval(schedule, intervalMs)
  timer.unref()
  return {
    async stop() {
      clearInterval(timer)
      await running
    },
  }
}
