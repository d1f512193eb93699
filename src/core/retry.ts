/**
 * @module core/retry
 * The one backoff mechanism on the agent side, as pure functions: full-jitter exponential backoff
 * and `Retry-After` parsing. Callers decide *whether* to retry (their policies differ: the Google
 * client, RFC 7009 revocation, the webhook inbox); this module only says *how long*. No clock reads
 * and no randomness of its own: callers pass `now` and a {@link RandomSource}.
 */

/** Uniform random numbers in [0, 1), injectable so tests are deterministic (`Math.random` in production). */
export type RandomSource = () => number

/** The shape of an exponential backoff. */
export interface Backoff {
  /** Ceiling of the first delay; it doubles per attempt. */
  readonly baseDelayMs: number
  /** Largest ceiling. */
  readonly maxDelayMs: number
}

/**
 * The longest wait a `Retry-After` may ask for: the largest delay a Node timer can hold (2³¹−1 ms,
 * about 24.8 days; a longer one fires at once). Anything above reads as this.
 */
export const MAX_RETRY_AFTER_MS = 2 ** 31 - 1

/**
 * Exponential backoff with full jitter: a uniform delay in (0, min(max, base·2^(attempt−1))], rounded
 * up to a whole millisecond, where `attempt` is the 1-based number of the attempt that just failed.
 * Jitter spreads the retries of many clients that failed together (a provider outage) instead of
 * sending them back in lockstep. The delay is never 0: a retry due at the instant of failure would
 * repeat the attempt that just failed.
 * @see https://aws.amazon.com/blogs/architecture/exponential-backoff-and-jitter/
 */
export function backoffDelay(attempt: number, backoff: Backoff, random: RandomSource): number {
  // The exponent is capped so that 2^n stays finite for any attempt count.
  const exponent = Math.min(52, Math.max(0, attempt - 1))
  const ceiling = Math.min(backoff.maxDelayMs, backoff.baseDelayMs * 2 ** exponent)
  return Math.max(1, Math.ceil(random() * ceiling))
}

/**
 * Reads a `Retry-After` value (delta-seconds or an HTTP-date) as milliseconds from `nowMs`, within
 * [0, {@link MAX_RETRY_AFTER_MS}]; `undefined` when absent or unreadable. A date in the past reads as 0.
 * @see https://www.rfc-editor.org/rfc/rfc9110#section-10.2.3
 */
export function parseRetryAfter(value: string | null | undefined, nowMs: number): number | undefined {
  if (value === null || value === undefined) return undefined
  const text = value.trim()
  const ms = /^\d+$/.test(text) ? Number(text) * 1000 : Date.parse(text) - nowMs
  if (Number.isNaN(ms)) return undefined
  return Math.min(MAX_RETRY_AFTER_MS, Math.max(0, ms))
}
