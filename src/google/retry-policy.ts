/**
 * @module google/retry-policy
 * The client retry policy as a pure function: which answers are retried and how long to wait. The
 * delays themselves (full-jitter backoff, `Retry-After`) come from `core/retry`. No I/O, no clock
 * reads: callers pass `random`.
 *
 * Policy (docs/contract-decisions.md §2.6 and §10 "client retry policy", Google's high-volume guide):
 * - 429 and 500 → exponential backoff with full jitter, honouring `Retry-After`;
 * - 502 and 504 (gateway failures, not named by Google) are treated like 500: the request may or may
 *   not have reached the API, and every create carries its own id, so repeating it is safe;
 * - 401 → refresh the service-account token once, then retry once;
 * - 503 and every other 4xx → no retry (Google: "contact support", a possible platform incident);
 * - network errors and timeouts → like 500.
 */

import { backoffDelay, type Backoff, type RandomSource } from '../core/retry.ts'

export interface RetryOptions extends Backoff {
  /** Total attempts including the first (default 5). */
  readonly maxAttempts: number
  /** First backoff ceiling (default 500 ms); doubles per attempt. */
  readonly baseDelayMs: number
  /** Largest backoff, and the longest `Retry-After` we wait for inside one call (default 32 s). */
  readonly maxDelayMs: number
}

export const DEFAULT_RETRY: RetryOptions = { maxAttempts: 5, baseDelayMs: 500, maxDelayMs: 32_000 }

/** What to do after a failed attempt. */
export type RetryDecision = { action: 'retry'; delayMs: number; refreshCredentials: boolean } | { action: 'fail' }

export interface FailedAttempt {
  /** HTTP status, or `undefined` for a network error or timeout. */
  status: number | undefined
  /** 1-based number of the attempt that just failed. */
  attempt: number
  /** Whether credentials were already refreshed after a 401 in this call. */
  refreshedCredentials: boolean
  /** Parsed `Retry-After`, in ms, when the server sent one. */
  retryAfterMs: number | undefined
}

const BACKOFF_STATUSES = new Set([429, 500, 502, 504])

/** Decides whether and when to retry after a failed attempt. */
export function decideRetry(failed: FailedAttempt, options: RetryOptions, random: RandomSource): RetryDecision {
  if (failed.attempt >= options.maxAttempts) return { action: 'fail' }
  if (failed.status === 401) {
    return failed.refreshedCredentials ? { action: 'fail' } : { action: 'retry', delayMs: 0, refreshCredentials: true }
  }
  if (failed.status !== undefined && !BACKOFF_STATUSES.has(failed.status)) return { action: 'fail' }
  if (failed.retryAfterMs !== undefined) {
    // A server asking for a longer pause than we block for: give up and let the caller reschedule
    // (the GoogleAPIError carries retryAfterSeconds).
    if (failed.retryAfterMs > options.maxDelayMs) return { action: 'fail' }
    return { action: 'retry', delayMs: failed.retryAfterMs, refreshCredentials: false }
  }
  return { action: 'retry', delayMs: backoffDelay(failed.attempt, options, random), refreshCredentials: false }
}
