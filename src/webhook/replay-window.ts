/**
 * @module webhook/replay-window
 * The one place for the replay window (W11): the signature covers only the body, so replay
 * protection is the signed `sendTime` plus de-duplication. Google retries for 7 days
 * (docs/contract-decisions.md §3.5), so both the window and the dedupe retention must cover 7 days
 * plus clock skew.
 */

export const DAY_MS = 24 * 60 * 60 * 1000
/** Google's retry horizon. */
export const RETRY_HORIZON_MS = 7 * DAY_MS
/** Tolerated clock difference between Google and us, in both directions. */
export const CLOCK_SKEW_MS = 5 * 60 * 1000
/** Oldest acceptable `sendTime`: the retry horizon plus skew. */
export const MAX_EVENT_AGE_MS = RETRY_HORIZON_MS + CLOCK_SKEW_MS
/** Smallest allowed dedupe retention: every event still inside the window must stay deduplicated. */
export const MIN_DEDUPE_RETENTION_MS = MAX_EVENT_AGE_MS
/** Default dedupe retention: 8 days. */
export const DEFAULT_DEDUPE_RETENTION_MS = 8 * DAY_MS

export type SendTimeVerdict = 'ok' | 'unknown' | 'too-old' | 'in-future'

/**
 * Classifies an event's `sendTime` against `now`. `unknown` (absent or a placeholder such as
 * `SEND_TIME`) is accepted, as Google's own test payloads need; dedupe still applies.
 */
export function checkSendTime(sendTimeMs: number | undefined, now: number): SendTimeVerdict {
  if (sendTimeMs === undefined) return 'unknown'
  if (sendTimeMs < now - MAX_EVENT_AGE_MS) return 'too-old'
  if (sendTimeMs > now + CLOCK_SKEW_MS) return 'in-future'
  return 'ok'
}
