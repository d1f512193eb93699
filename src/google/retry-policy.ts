/**
 * @module google/retry-policy
 * The client retry policy as pure functions: which answers are retried, how long to wait, and how a
 * `Retry-After` header is read. No I/O, no clock reads: callers pass `now` and `random`.
 *
 * Policy (docs/contract-decisions.md §2.6 and §10 "client retry policy", Google's high-volume guide):
 * - 429 and 500 → exponential backoff with full jitter, honouring `Retry-After`;
 * - 502 and 504 (gateway failures, not named by Google) are treated like 500: the request may or may
 *   not have reached the API, and every create carries its own id, so repeating it is safe;
 * - 401 → refresh the service-account token once, then retry once;
 * - 503 and every other 4xx → no retry (Google: "contact support", a possible platform incident);
 * - network errors and timeouts → like 500.
 */

export interface RetryOptions {
  /** Total attempts including the first (default 5). */
  maxAttempts: number
  /** First backoff ceiling (default 500 ms); doubles per attempt. */
  baseDelayMs: number
  /** Largest backoff, and the longest `Retry-After` we wait for inside one call (default 32 s). */
  maxDelayMs: number
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
export function decideRetry(failed: FailedAttempt, options: RetryOptions, random: () => number): RetryDecision {
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

/**
 * Exponential backoff with full jitter: a uniform delay in [0, min(max, base·2^(attempt-1))).
 * @see https://aws.amazon.com/blogs/architecture/exponential-backoff-and-jitter/
 */
export function backoffDelay(attempt: number, options: RetryOptions, random: () => number): number {
  const ceiling = Math.min(options.maxDelayMs, options.baseDelayMs * 2 ** Math.max(0, attempt - 1))
  return Math.floor(random() * ceiling)
}

/**
 * Reads `Retry-After` (delta-seconds or an HTTP date) as milliseconds from `nowMs`; `undefined` if
 * absent or unreadable. @see https://www.rfc-editor.org/rfc/rfc9110#section-10.2.3
 */
export function parseRetryAfter(header: string | null, nowMs: number): number | undefined {
  if (header === null) return undefined
  const value = header.trim()
  if (/^\d+$/.test(value)) return Number(value) * 1000
  const date = Date.parse(value)
  if (Number.isNaN(date)) return undefined
  return Math.max(0, date - nowMs)
}
