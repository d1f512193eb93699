/**
 * @module errors
 * Every failure bm-oauth reports is a {@link BmOAuthError} with a stable `code` from the closed
 * {@link ErrorCode} union. Details live in typed fields, never only in the message, and no field
 * ever holds a token, code, verifier, secret or key. `docs/errors.md` documents every code; a test
 * keeps the two in step.
 */

/** Stable error codes. Never reuse a retired code. */
export type ErrorCode =
  | 'ERR_INVALID_ARGUMENT'
  | 'ERR_CONFIG'
  | 'ERR_SERVICE_ACCOUNT_KEY'
  | 'ERR_SERVICE_ACCOUNT_TOKEN'
  | 'ERR_GOOGLE_API'
  | 'ERR_HTTP_TIMEOUT'
  | 'ERR_NETWORK'
  | 'ERR_UNEXPECTED_RESPONSE'
  | 'ERR_WEBHOOK_SIGNATURE_MISSING'
  | 'ERR_WEBHOOK_SIGNATURE_MISMATCH'
  | 'ERR_WEBHOOK_UNPROCESSABLE'
  | 'ERR_OAUTH_DISCOVERY'
  | 'ERR_OAUTH_PROVIDER_UNSUPPORTED'
  | 'ERR_OAUTH_RESPONSE'
  | 'ERR_OAUTH_INVALID_GRANT'
  | 'ERR_TOKEN_VAULT_KEY'
  | 'ERR_TOKEN_VAULT_DECRYPT'
  | 'ERR_STORE'
  | 'ERR_SIGNIN_REQUIRED'
  | 'ERR_EMULATOR_RPC'

export interface BmOAuthErrorOptions extends ErrorOptions {
  /** HTTP status to answer with when this error reaches an HTTP edge (default 500). */
  status?: number
}

/** Base class of every bm-oauth error. `expose` says whether the message may be shown to a caller. */
export class BmOAuthError extends Error {
  readonly code: ErrorCode
  readonly status: number
  constructor(code: ErrorCode, message: string, options: BmOAuthErrorOptions = {}) {
    super(message, options.cause === undefined ? {} : { cause: options.cause })
    this.name = 'BmOAuthError'
    this.code = code
    this.status = options.status ?? 500
  }
  /** Messages of 4xx errors describe the caller's input and may be shown; 5xx ones stay internal. */
  get expose(): boolean {
    return this.status < 500
  }
}

/** A caller-supplied value broke a rule (Google's limits, a malformed name, a missing option). */
export class InvalidArgumentError extends BmOAuthError {
  /** Dotted path of the offending field, Google spelling (e.g. `message.suggestions[2].reply.text`). */
  readonly field: string
  /** The rule that was broken, e.g. `at most 25 characters`. */
  readonly rule: string
  constructor(field: string, rule: string, options: ErrorOptions = {}) {
    super('ERR_INVALID_ARGUMENT', `${field}: ${rule}`, { ...options, status: 400 })
    this.name = 'InvalidArgumentError'
    this.field = field
    this.rule = rule
  }
}

/** A Google API answered with its error envelope `{error: {code, message, status}}`. */
export class GoogleAPIError extends BmOAuthError {
  /** HTTP status (Google's `error.code`). */
  readonly httpStatus: number
  /** `google.rpc.Code` name, e.g. `PERMISSION_DENIED`. */
  readonly rpcStatus: string
  /** Method and URL of the failed call (no query secrets: Google calls carry none). */
  readonly request: { method: string; url: string }
  /** Seconds from a `Retry-After` header, when the server sent one. */
  readonly retryAfterSeconds: number | undefined
  /** Google's own human-readable message. */
  readonly googleMessage: string
  constructor(
    httpStatus: number,
    rpcStatus: string,
    message: string,
    request: { method: string; url: string },
    retryAfterSeconds?: number,
  ) {
    super('ERR_GOOGLE_API', `${request.method} ${request.url} failed: ${httpStatus} ${rpcStatus}: ${message}`, {
      status: 502,
    })
    this.name = 'GoogleAPIError'
    this.httpStatus = httpStatus
    this.rpcStatus = rpcStatus
    this.request = request
    this.retryAfterSeconds = retryAfterSeconds
    this.googleMessage = message
  }
}

/** Narrowing helper: `isBmOAuthError(err, 'ERR_GOOGLE_API')`. */
export function isBmOAuthError(err: unknown, code?: ErrorCode): err is BmOAuthError {
  return err instanceof BmOAuthError && (code === undefined || err.code === code)
}
