/**
 * @module core/within
 * Waiting with a bound: readiness pings and the host's wait for an agent both take "the answer if it
 * comes in time, else a fallback" — one helper, whose timer never keeps the process alive.
 */

/** `promise`'s value when it settles within `ms`, else `fallback`; a rejection also gives `fallback`. */
export function within<T>(promise: Promise<T>, ms: number, fallback: T): Promise<T> {
  return new Promise((resolve) => {
    const timer = setTimeout(() => resolve(fallback), ms)
    timer.unref()
    promise.then(
      (value) => {
        clearTimeout(timer)
        resolve(value)
      },
      () => {
        clearTimeout(timer)
        resolve(fallback)
      },
    )
  })
}
