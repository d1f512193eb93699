/**
 * @module emulator/webhook/backoff
 * Retry schedule of the webhook sender (docs/contract-decisions.md §3.5, §10 Q6): exponential
 * backoff with jitter, capped. Google's real schedule was never published; this one is "equal
 * jitter": half the exponential step is fixed, half is random, so retries never bunch at zero.
 */

export interface BackoffOptions {
  baseDelayMs: number
  maxDelayMs: number
  /** Uniform in [0, 1). */
  random: () => number
}

/**
 * Delay before the next attempt after `attempts` failed attempts (1 = after the first failure).
 * The exponential step is `base · 2^(attempts-1)` capped at `max`; the result lies in [step/2, step).
 */
export function retryDelayMs(attempts: number, options: BackoffOptions): number {
  const exponent = Math.min(Math.max(attempts - 1, 0), 40)
  const step = Math.min(options.maxDelayMs, options.baseDelayMs * 2 ** exponent)
  return Math.floor(step / 2 + options.random() * (step / 2))
}
