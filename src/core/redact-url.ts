/**
 * @module core/redact-url
 * A URL as logs, audit entries and metric labels may keep it: the origin, and the path without its
 * query and with every identifier-like segment (numbers, UUIDs, long tokens) replaced by `:id`. The
 * same shape serves a user's audit entry (no account numbers) and a bounded metric label.
 */

const IDENTIFIER = /^(?:\d{3,}|[0-9a-f]{8}-[0-9a-f-]{27}|[A-Za-z0-9_-]{20,}|.*\d.*\d.*\d.*)$/i

/** `url` as the log keeps it: origin, and a path without query or identifier-like segments. */
export function redactURL(url: string | URL): { origin: string; path: string } {
  const parsed = new URL(url)
  const path = parsed.pathname
    .split('/')
    .map((segment) => (segment !== '' && IDENTIFIER.test(decodeURIComponent(segment)) ? ':id' : segment))
    .join('/')
  return { origin: parsed.origin, path }
}
