/**
 * @module flow/authorization-errors
 * What an authorization error means for the conversation, and how provider text is made safe for
 * the developer's logs. Business Messages' error enum is undocumented
 * (docs/contract-decisions.md §8 Q4), so per §10 Q4 any string is accepted and the
 * RFC 6749 §4.1.2.1 codes are matched case-insensitively (`access_denied` and `ACCESS_DENIED` alike).
 */

/**
 * - `cancelled`: the user said no; another chip makes sense.
 * - `provider-unavailable`: the provider is down for now; another chip later makes sense.
 * - `misconfigured`: our client, scopes or endpoint are wrong; more chips cannot help (P10, X5).
 * - `unknown`: anything else; treated as an ordinary failed try.
 */
export type AuthorizationErrorClass = 'cancelled' | 'provider-unavailable' | 'misconfigured' | 'unknown'

const CLASS_OF_CODE: Readonly<Record<string, AuthorizationErrorClass>> = {
  access_denied: 'cancelled',
  server_error: 'provider-unavailable',
  temporarily_unavailable: 'provider-unavailable',
  invalid_request: 'misconfigured',
  invalid_scope: 'misconfigured',
  unauthorized_client: 'misconfigured',
  unsupported_response_type: 'misconfigured',
  invalid_client: 'misconfigured',
}

/**
 * Lower-cases and trims an error code for use as a hook reason. Anything that does not look like
 * a code (spaces, markup, over 64 characters) becomes `unrecognised`, so provider text never
 * travels in a reason.
 */
export function normaliseErrorCode(error: string): string {
  const code = error.trim().toLowerCase()
  return /^[a-z0-9_.-]{1,64}$/.test(code) ? code : 'unrecognised'
}

/** Classifies an authorization error code, any case. Unknown strings are `unknown`. */
export function classifyAuthorizationError(error: string): AuthorizationErrorClass {
  const code = normaliseErrorCode(error)
  return Object.hasOwn(CLASS_OF_CODE, code) ? (CLASS_OF_CODE[code] as AuthorizationErrorClass) : 'unknown'
}

/** Longest provider description passed to a hook. */
export const MAX_DETAIL_LENGTH = 200

/**
 * Makes provider text fit for a log line: control and format characters (newlines, bidi
 * overrides) become spaces, runs of spaces collapse, and the result is capped at
 * {@link MAX_DETAIL_LENGTH} characters. Returns `undefined` for nothing left. For hooks only:
 * the user never sees provider text.
 */
export function sanitiseProviderText(text: string | undefined): string | undefined {
  if (text === undefined) {
    return undefined
  }
  const clean = text
    .replace(/[\p{Cc}\p{Cf}\p{Zl}\p{Zp}]/gu, ' ')
    .replace(/\s+/g, ' ')
    .trim()
  if (clean === '') {
    return undefined
  }
  const chars = Array.from(clean)
  return chars.length <= MAX_DETAIL_LENGTH ? clean : `${chars.slice(0, MAX_DETAIL_LENGTH - 1).join('')}…`
}
