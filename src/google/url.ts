/**
 * @module google/url
 * The one URL rule the Google clients apply locally: an absolute `http:` or `https:` URL.
 */

/** Whether `value` parses as an absolute http(s) URL. */
export function isHttpURL(value: unknown): value is string {
  if (typeof value !== 'string') return false
  try {
    const url = new URL(value)
    return (url.protocol === 'https:' || url.protocol === 'http:') && url.hostname !== ''
  } catch {
    return false
  }
}
