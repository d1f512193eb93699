/**
 * @module emulator/webhook/faults
 * Fault switches of the webhook sender, set through the emulator's control API to exercise an
 * agent's receiver. They live in memory only (not persisted): a restarted emulator starts clean,
 * which is what a test run expects, while the deliveries already queued keep the effects that were
 * applied at enqueue time (duplicates, delay, `sendTime` skew) because those are in their rows.
 */

/** Fault injection settings of a {@link WebhookDispatcher}. */
export interface FaultSettings {
  /** Extra identical copies (same body bytes, same `requestId`) of each new delivery; 0 = off. */
  duplicate: number
  /** Hold each new delivery this long (clock ms) before its first attempt. */
  delayMs: number
  /** Attempt due deliveries of an agent newest-first instead of oldest-first. */
  reorder: boolean
  /**
   * `valid` signs correctly, `wrong` signs with a different key, `missing` sends no header,
   * `sha256` uses HMAC-SHA256 with the right key (a receiver must insist on SHA-512).
   */
  signature: 'valid' | 'wrong' | 'missing' | 'sha256'
  /**
   * `pretty` sends the JSON indented (still correctly signed over those exact bytes): a receiver that
   * re-serialises the parsed body before checking the signature fails, one that checks raw bytes passes.
   */
  bodyFormat: 'compact' | 'pretty'
  /** Subtracted from the payload's `sendTime` at enqueue time (a stale `sendTime`). */
  sendTimeSkewMs: number
}

/** No faults: Google's normal behaviour. */
export const DEFAULT_FAULTS: FaultSettings = Object.freeze({
  duplicate: 0,
  delayMs: 0,
  reorder: false,
  signature: 'valid',
  bodyFormat: 'compact',
  sendTimeSkewMs: 0,
})
