/**
 * @module emulator/device/google-timestamp
 * Google's JSON `Timestamp` rendering (docs/contract-decisions.md §3.1): RFC 3339 in UTC with nine
 * fractional digits, e.g. `2020-10-02T15:05:24.045123456Z`. The emulator's clock has millisecond
 * resolution, so the six sub-millisecond digits are supplied separately.
 */
import { InvalidArgumentError } from '../../errors.ts'

const TIMESTAMP = /^(\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2})(?:\.(\d{1,9}))?Z$/

/**
 * Formats epoch milliseconds as Google's nine-digit RFC 3339 UTC timestamp.
 *
 * @param ms Epoch milliseconds (integer part used).
 * @param subMillisecondNanos 0–999 999, the digits after the milliseconds.
 */
export function formatGoogleTimestamp(ms: number, subMillisecondNanos: number = 0): string {
  const whole = Math.floor(ms)
  const iso = new Date(whole).toISOString() // yyyy-mm-ddThh:mm:ss.sssZ
  const nanos = Math.trunc(Math.min(Math.max(subMillisecondNanos, 0), 999_999))
  return `${iso.slice(0, 23)}${String(nanos).padStart(6, '0')}Z`
}

/** A parsed Google timestamp: epoch milliseconds plus the nanoseconds below the millisecond. */
export interface GoogleTimestamp {
  ms: number
  subMillisecondNanos: number
}

/** Parses an RFC 3339 UTC timestamp with 0–9 fractional digits; throws on anything else. */
export function parseGoogleTimestamp(value: string): GoogleTimestamp {
  const match = TIMESTAMP.exec(value)
  if (match === null) throw new InvalidArgumentError('sendTime', 'must be an RFC 3339 UTC timestamp')
  const seconds = Date.parse(`${match[1]}Z`)
  if (Number.isNaN(seconds)) throw new InvalidArgumentError('sendTime', 'must be an RFC 3339 UTC timestamp')
  const fraction = (match[2] ?? '').padEnd(9, '0')
  return { ms: seconds + Number(fraction.slice(0, 3)), subMillisecondNanos: Number(fraction.slice(3)) }
}

/** Moves a Google timestamp by `deltaMs`, keeping its sub-millisecond digits. */
export function shiftGoogleTimestamp(value: string, deltaMs: number): string {
  const parsed = parseGoogleTimestamp(value)
  return formatGoogleTimestamp(parsed.ms + deltaMs, parsed.subMillisecondNanos)
}
