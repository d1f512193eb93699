/**
 * @module oauth/errors
 * Translation of everything the OAuth client library (or fetch) throws into bm-oauth errors, in one
 * place (style habit 4). OAuth error responses keep their protocol fields as data
 * ({@link OAuthProtocolError}: `ERR_OAUTH_PROTOCOL`, or `ERR_OAUTH_INVALID_GRANT`); transport
 * failures become `ERR_NETWORK` / `ERR_HTTP_TIMEOUT`; the rest becomes an {@link OAuthResponseError}
 * (`ERR_OAUTH_RESPONSE`, or `ERR_OAUTH_DISCOVERY` for a bad metadata document). Library errors are never attached as-is: their `cause` can hold the
 * request parameters or response body (codes, tokens), so only a sanitised copy is kept.
 */
import * as oauth from 'oauth4webapi'
import { BmOAuthError } from '../errors.ts'

/** Which call failed; part of every message so logs say what happened without any values. */
export type OAuthOperation = 'discovery' | 'authorization_code' | 'refresh_token' | 'revocation' | 'userinfo'

export interface OAuthResponseErrorOptions {
  httpStatus?: number
  cause?: unknown
  /** The response's `Retry-After` header, verbatim. */
  retryAfter?: string | undefined
}

/**
 * The provider's answer could not be used: an unexpected status, a malformed body, a failed ID-token
 * check. `code` is `ERR_OAUTH_RESPONSE`, or `ERR_OAUTH_DISCOVERY` for a metadata document.
 */
export class OAuthResponseError extends BmOAuthError<'ERR_OAUTH_RESPONSE' | 'ERR_OAUTH_DISCOVERY'> {
  /** The failed operation. */
  readonly operation: OAuthOperation
  /** HTTP status of the provider's response when one was received and it is the reason for the failure. */
  readonly httpStatus: number | undefined
  /**
   * The response's `Retry-After` header as sent (delta-seconds or an HTTP-date), when it had one:
   * a 503 or 429 says when to try again (RFC 7009 §2.2.1, RFC 9110 §10.2.3).
   */
  readonly retryAfter: string | undefined
  constructor(operation: OAuthOperation, message: string, options: OAuthResponseErrorOptions = {}) {
    const code = operation === 'discovery' ? 'ERR_OAUTH_DISCOVERY' : 'ERR_OAUTH_RESPONSE'
    super(code, message, options.cause === undefined ? { status: 502 } : { status: 502, cause: options.cause })
    this.name = 'OAuthResponseError'
    this.operation = operation
    this.httpStatus = options.httpStatus
    this.retryAfter = options.retryAfter
  }
}

/**
 * The provider answered with an OAuth error (RFC 6749 §5.2, RFC 6750 §3, RFC 7009 §2.2.1).
 * `code` is `ERR_OAUTH_INVALID_GRANT` for `invalid_grant`, else `ERR_OAUTH_PROTOCOL`. A sibling of
 * {@link OAuthResponseError}, not a subclass, so that each class narrows its own codes (docs/api.md §7);
 * {@link isProviderFailure} matches both.
 */
export class OAuthProtocolError extends BmOAuthError<'ERR_OAUTH_PROTOCOL' | 'ERR_OAUTH_INVALID_GRANT'> {
  /** The failed operation. */
  readonly operation: OAuthOperation
  /** The OAuth `error` value, e.g. `invalid_grant`, `invalid_client`, `invalid_token`. */
  readonly error: string
  /** The provider's `error_description`, if any (provider text: do not show it to end users). */
  readonly errorDescription: string | undefined
  /** HTTP status of the provider's response (`status` stays the 502 to answer with at our own edge). */
  readonly httpStatus: number
  /** The response's `Retry-After` header as sent, when it had one (as on {@link OAuthResponseError}). */
  readonly retryAfter: string | undefined
  constructor(
    operation: OAuthOperation,
    error: string,
    errorDescription: string | undefined,
    httpStatus: number,
    retryAfter?: string,
  ) {
    const code = error === 'invalid_grant' ? 'ERR_OAUTH_INVALID_GRANT' : 'ERR_OAUTH_PROTOCOL'
    const detail = errorDescription ? ` (${errorDescription})` : ''
    super(code, `${operation} request failed: ${error}${detail}`, { status: 502 })
    this.name = 'OAuthProtocolError'
    this.operation = operation
    this.error = error
    this.errorDescription = errorDescription
    this.httpStatus = httpStatus
    this.retryAfter = retryAfter
  }
}

/** Whether the provider answered and its answer was the failure: an {@link OAuthResponseError} or {@link OAuthProtocolError}. */
export function isProviderFailure(err: unknown): err is OAuthResponseError | OAuthProtocolError {
  return err instanceof OAuthResponseError || err instanceof OAuthProtocolError
}

/**
 * Converts anything thrown during `operation` into a bm-oauth error (use as
 * `catch (err) { throw await toOAuthError('refresh_token', err) }`).
 */
export async function toOAuthError(operation: OAuthOperation, err: unknown): Promise<BmOAuthError> {
  if (err instanceof BmOAuthError) return err
  if (err instanceof oauth.ResponseBodyError) {
    return new OAuthProtocolError(operation, err.error, err.error_description, err.status, retryAfterOf(err.response))
  }
  if (err instanceof oauth.WWWAuthenticateChallengeError) return fromChallenge(operation, err)
  if (isTimeout(err)) {
    return new BmOAuthError('ERR_HTTP_TIMEOUT', `${operation} request timed out`, { status: 504, cause: sanitize(err) })
  }
  if (isNetworkFailure(err)) {
    return new BmOAuthError('ERR_NETWORK', `${operation} request failed: ${networkReason(err)}`, {
      status: 502,
      cause: sanitize(err),
    })
  }
  const unexpected = (err as { cause?: unknown }).cause
  if (codeOf(err) === oauth.RESPONSE_IS_NOT_CONFORM && unexpected instanceof Response) {
    return fromUnexpectedStatus(operation, unexpected, err)
  }
  const libraryCode = codeOf(err)
  const detail = err instanceof Error ? err.message : 'unexpected failure'
  const message = `${operation} response rejected${libraryCode === undefined ? '' : ` (${libraryCode})`}: ${detail}`
  return new OAuthResponseError(operation, message, { cause: sanitize(err) })
}

/**
 * oauth4webapi parses OAuth error bodies on 4xx only; providers also send them with 5xx
 * (`temporarily_unavailable` on 503), which the caller needs for its backoff (security case X5).
 */
async function fromUnexpectedStatus(
  operation: OAuthOperation,
  response: Response,
  err: unknown,
): Promise<BmOAuthError> {
  const body = hasJsonMediaType(response) ? await response.json().catch(() => undefined) : undefined
  const error = (body as { error?: unknown } | undefined)?.error
  if (typeof error === 'string' && error !== '') {
    const description = (body as { error_description?: unknown }).error_description
    const text = typeof description === 'string' ? description : undefined
    return new OAuthProtocolError(operation, error, text, response.status, retryAfterOf(response))
  }
  return new OAuthResponseError(operation, `${operation} response has unexpected HTTP status ${response.status}`, {
    httpStatus: response.status,
    cause: sanitize(err),
    retryAfter: retryAfterOf(response),
  })
}

/**
 * Token and refresh responses, and every OAuth error body, must be declared JSON (RFC 6749 §5.1
 * and RFC 6749 §5.2): `application/json` or a `+json` type, any parameters. oauth4webapi looks at the media type
 * only when the body fails to parse, so without this a JSON body sent as `text/plain` (or with no
 * content type) would be stored as a grant (security case X11). Call it on a 200 before the library
 * processes it. Error bodies: the library checks the media type of a 4xx body itself, and
 * {@link toOAuthError} reads a 5xx body only when it is declared JSON. Revocation does not call
 * it: a 200's body is ignored there (RFC 7009 §2.2).
 * @throws {OAuthResponseError} `ERR_OAUTH_RESPONSE` for a 200 without a JSON media type.
 */
export function assertJsonTokenResponse(operation: OAuthOperation, response: Response): void {
  if (response.status === 200 && !hasJsonMediaType(response)) throw notJson(operation, response)
}

function hasJsonMediaType(response: Response): boolean {
  const essence = (response.headers.get('content-type') ?? '').split(';', 1)[0]?.trim().toLowerCase() ?? ''
  return essence === 'application/json' || /^application\/[!#$&^_.+\w-]+\+json$/.test(essence)
}

function notJson(operation: OAuthOperation, response: Response): OAuthResponseError {
  const declared = response.headers.get('content-type')?.split(';', 1)[0]?.trim() || 'none'
  return new OAuthResponseError(operation, `${operation} response is not JSON (content type: ${declared})`, {
    httpStatus: response.status,
    retryAfter: retryAfterOf(response),
  })
}

function retryAfterOf(response: Response | undefined): string | undefined {
  return response?.headers.get('retry-after')?.trim() || undefined
}

function fromChallenge(operation: OAuthOperation, err: oauth.WWWAuthenticateChallengeError): OAuthProtocolError {
  const challenge = err.cause.find((c) => typeof c.parameters.error === 'string') ?? err.cause[0]
  const error = challenge?.parameters.error ?? 'invalid_request'
  return new OAuthProtocolError(operation, error, challenge?.parameters.error_description, err.status)
}

function isTimeout(err: unknown): boolean {
  return err instanceof Error && (err.name === 'TimeoutError' || err.name === 'AbortError')
}

/** fetch rejects with a plain `TypeError` (cause: the socket error); the library's own TypeErrors carry a code. */
function isNetworkFailure(err: unknown): boolean {
  if (!(err instanceof Error)) return false
  if (err instanceof TypeError) return codeOf(err) === undefined
  const causeCode = (err as { cause?: { code?: unknown } }).cause?.code
  return typeof causeCode === 'string' && /^E[A-Z]+/.test(causeCode)
}

function networkReason(err: unknown): string {
  const cause = (err as { cause?: { code?: unknown } }).cause
  return typeof cause?.code === 'string' ? `network error (${cause.code})` : 'network error'
}

function codeOf(err: unknown): string | undefined {
  const code = (err as { code?: unknown } | undefined)?.code
  return typeof code === 'string' ? code : undefined
}

/**
 * A copy of `err` with its name, message and code only. oauth4webapi messages never quote values,
 * but their `cause` may hold the callback parameters or the raw response body, so it is dropped.
 */
function sanitize(err: unknown): Error {
  if (!(err instanceof Error)) return new Error('non-error thrown')
  const copy = new Error(err.message)
  copy.name = err.name
  const code = codeOf(err)
  if (code !== undefined) Object.defineProperty(copy, 'code', { value: code, enumerable: true })
  const causeCode = (err as { cause?: { code?: unknown } }).cause?.code
  if (typeof causeCode === 'string') copy.cause = { code: causeCode }
  return copy
}
