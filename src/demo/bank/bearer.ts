/**
 * @module demo/bank/bearer
 * RFC 6750 on the resource-server side, as pure functions: reading the bearer token from the
 * `Authorization` header (RFC 6750 §2.1, the only method accepted) and building the `WWW-Authenticate`
 * challenge and JSON body of an error answer (RFC 6750 §3).
 */

/** What the `Authorization` header holds, as far as a resource server cares. */
export type BearerCredentials = { kind: 'missing' } | { kind: 'malformed' } | { kind: 'bearer'; token: string }

/** `b64token` of RFC 6750 §2.1. */
const B64TOKEN = /^[A-Za-z0-9\-._~+/]+=*$/
/** Longer values are not tokens this provider issues; refusing them keeps introspection calls small. */
const MAX_TOKEN_LENGTH = 4096

/**
 * Reads `Authorization: Bearer <token>`. Another scheme (or none) counts as missing; a `Bearer`
 * value that breaks the `b64token` grammar, or several `Authorization` headers, as malformed.
 */
export function readBearerToken(header: string | readonly string[] | undefined): BearerCredentials {
  if (header === undefined) return { kind: 'missing' }
  if (typeof header !== 'string') return { kind: 'malformed' }
  const match = /^bearer(?: +(.*))?$/i.exec(header.trim())
  if (match === null) return { kind: 'missing' }
  const token = match[1] ?? ''
  if (token.length === 0 || token.length > MAX_TOKEN_LENGTH || !B64TOKEN.test(token)) return { kind: 'malformed' }
  return { kind: 'bearer', token }
}

/** The RFC 6750 §3.1 error codes, plus none for a request that carried no credentials at all. */
export type BearerErrorCode = 'invalid_request' | 'invalid_token' | 'insufficient_scope'

/** An RFC 6750 error answer: status, `WWW-Authenticate` value and JSON body. */
export interface BearerErrorResponse {
  status: 400 | 401 | 403
  challenge: string
  body: { error: string; error_description: string; scope?: string }
}

/**
 * Builds the error answer. Without `error` (no credentials sent) the challenge carries no error
 * code, as RFC 6750 §3.1 asks, and the body says `unauthorized`.
 */
export function bearerError(
  realm: string,
  error: BearerErrorCode | undefined,
  description: string,
  scope?: string,
): BearerErrorResponse {
  const params = [`realm="${quote(realm)}"`]
  if (error !== undefined) params.push(`error="${error}"`, `error_description="${quote(description)}"`)
  if (scope !== undefined) params.push(`scope="${quote(scope)}"`)
  const status = error === 'insufficient_scope' ? 403 : error === 'invalid_request' ? 400 : 401
  const body = {
    error: error ?? 'unauthorized',
    error_description: description,
    ...(scope === undefined ? {} : { scope }),
  }
  return { status, challenge: `Bearer ${params.join(', ')}`, body }
}

/** Keeps a quoted-string value inside its quotes (RFC 9110 §5.6.4): no quotes, backslashes or controls. */
function quote(value: string): string {
  return value.replace(/[\\"\u0000-\u001f\u007f]/g, '')
}
