/**
 * @module errors
 * Every failure bm-oauth reports is a {@link BmOAuthError} with a stable `code` from the closed
 * {@link ErrorCode} union. Each code has one meaning and belongs to one class: a class exists only
 * when it carries fields, and codes without fields use the generic base. {@link AnyBmOAuthError} is
 * the union of them all, so `switch (err.code)` narrows to the class (as jose's errors do; docs/api.md §7).
 * Details live in typed fields, never only in the message, and no field ever holds a token, code,
 * verifier, secret or key. `docs/errors.md` documents every code; a test keeps the two in step.
 */
import type { StoreConflictError, StoreError } from './db/store-error.ts'
import type { ServiceAccountTokenError } from './google/service-account.ts'
import type { OAuthProtocolError, OAuthResponseError } from './oauth/errors.ts'
import type { VaultKeyError } from './tokens/keyring.ts'
import type { VaultDecryptError } from './tokens/seal.ts'
import type { SignInRequiredError } from './agent/errors.ts'

/** Stable error codes. Never reuse a retired code. */
export type ErrorCode =
  | 'ERR_INVALID_ARGUMENT'
  | 'ERR_CONFIG'
  | 'ERR_SERVICE_ACCOUNT_KEY'
  | 'ERR_SERVICE_ACCOUNT_TOKEN'
  | 'ERR_GOOGLE_API'
  | 'ERR_WHATSAPP_API'
  | 'ERR_HTTP_TIMEOUT'
  | 'ERR_NETWORK'
  | 'ERR_UNEXPECTED_RESPONSE'
  | 'ERR_WEBHOOK_SIGNATURE_MISSING'
  | 'ERR_WEBHOOK_SIGNATURE_MISMATCH'
  | 'ERR_WEBHOOK_UNPROCESSABLE'
  | 'ERR_OAUTH_DISCOVERY'
  | 'ERR_OAUTH_PROVIDER_UNSUPPORTED'
  | 'ERR_OAUTH_RESPONSE'
  | 'ERR_OAUTH_PROTOCOL'
  | 'ERR_OAUTH_INVALID_GRANT'
  | 'ERR_TOKEN_VAULT_KEY'
  | 'ERR_TOKEN_VAULT_DECRYPT'
  | 'ERR_STORE'
  | 'ERR_STORE_CONFLICT'
  | 'ERR_SIGNIN_REQUIRED'

export interface BmOAuthErrorOptions extends ErrorOptions {
  /** HTTP status to answer with when this error reaches an HTTP edge (default 500). */
  status?: number
}

/**
 * Base class of every bm-oauth error. `code` is a literal: its subclass's code(s), or a
 * {@link PlainErrorCode} when thrown as is. `expose` says whether the message may be shown to a caller.
 */
export class BmOAuthError<C extends ErrorCode = ErrorCode> extends Error {
  readonly code: C
  readonly status: number
  constructor(code: C, message: string, options: BmOAuthErrorOptions = {}) {
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
export class InvalidArgumentError extends BmOAuthError<'ERR_INVALID_ARGUMENT'> {
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

/**
 * Configuration is missing, malformed or unsafe (a setting, an option, a key file). The message
 * names the field and its source and the rule, never the value. HTTP 500: it is the operator's to fix.
 */
export class ConfigError extends BmOAuthError<'ERR_CONFIG'> {
  /** Dotted path of the field, e.g. `webhook.port` or `client.privateKey`, or the environment variable name. */
  readonly field: string
  /** The rule that was broken, e.g. `is required`. */
  readonly rule: string
  /** Where the value came from: an environment variable, the config file's path, or `flag`. */
  readonly source: string | undefined
  constructor(field: string, rule: string, source?: string, options: ErrorOptions = {}) {
    const from = source === undefined ? '' : ` (from ${source})`
    super('ERR_CONFIG', `configuration ${field}${from}: ${rule}`, { ...options, status: 500 })
    this.name = 'ConfigError'
    this.field = field
    this.rule = rule
    this.source = source
  }
}

/** A Google API answered with its error envelope `{error: {code, message, status}}`. */
export class GoogleAPIError extends BmOAuthError<'ERR_GOOGLE_API'> {
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

/**
 * The WhatsApp Cloud API (Meta's Graph API) answered with its error envelope
 * `{error: {message, type, code, error_subcode, error_data: {details}, fbtrace_id}}`, after the retry
 * policy gave up or decided not to retry (docs/whatsapp-decisions.md §5). Branch on `graphCode`
 * (Meta: "build your error handling logic around code values and details"), never on the message.
 */
export class WhatsAppAPIError extends BmOAuthError<'ERR_WHATSAPP_API'> {
  /** HTTP status of the answer. */
  readonly httpStatus: number
  /** Meta's `error.code`, e.g. 131047 (outside the 24-hour window) or 130429 (throughput); 0 when absent. */
  readonly graphCode: number
  /** Meta's `error.error_subcode`, when sent (Meta documents it as deprecated from v16.0). */
  readonly graphSubcode: number | undefined
  /** Meta's `error.type`, e.g. `OAuthException`. */
  readonly graphType: string | undefined
  /** Meta's `error.fbtrace_id`: quote it to Meta's support. */
  readonly fbtraceId: string | undefined
  /** Meta's `error.error_data.details`: the most precise reason, sometimes naming the bad parameter. */
  readonly details: string | undefined
  /** Method and path of the failed call (the path holds only the version and phone-number id). */
  readonly request: { method: string; path: string }
  constructor(fields: {
    httpStatus: number
    graphCode: number
    graphSubcode?: number | undefined
    graphType?: string | undefined
    fbtraceId?: string | undefined
    details?: string | undefined
    message: string
    request: { method: string; path: string }
  }) {
    super(
      'ERR_WHATSAPP_API',
      `${fields.request.method} ${fields.request.path} failed: ${fields.httpStatus} (#${fields.graphCode}) ${fields.message}`,
      { status: 502 },
    )
    this.name = 'WhatsAppAPIError'
    this.httpStatus = fields.httpStatus
    this.graphCode = fields.graphCode
    this.graphSubcode = fields.graphSubcode
    this.graphType = fields.graphType
    this.fbtraceId = fields.fbtraceId
    this.details = fields.details
    this.request = fields.request
  }
}

/** The errors with a class of their own, i.e. with fields. */
export type ClassBmOAuthError =
  | InvalidArgumentError
  | ConfigError
  | ServiceAccountTokenError
  | GoogleAPIError
  | WhatsAppAPIError
  | OAuthResponseError
  | OAuthProtocolError
  | VaultKeyError
  | VaultDecryptError
  | StoreError
  | StoreConflictError
  | SignInRequiredError

/** The codes without fields, thrown as the generic {@link BmOAuthError} itself: those no class claims. */
export type PlainErrorCode = Exclude<ErrorCode, ClassBmOAuthError['code']>

/**
 * Every error bm-oauth throws, discriminated by `code`: `switch (err.code)` narrows to the class,
 * e.g. the `ERR_OAUTH_INVALID_GRANT` branch sees {@link OAuthProtocolError}'s `error`. The plain
 * codes come as one `BmOAuthError<C>` each, so their `case` narrows too. Emulator and demo errors
 * are not library failures and are not in it.
 */
export type AnyBmOAuthError = ClassBmOAuthError | { [C in PlainErrorCode]: BmOAuthError<C> }[PlainErrorCode]

/**
 * Whether `err` is a bm-oauth error (with `code`, when given), narrowed to the matching members of
 * {@link AnyBmOAuthError}: `isBmOAuthError(err, 'ERR_GOOGLE_API')` gives a {@link GoogleAPIError}.
 */
export function isBmOAuthError<C extends ErrorCode = ErrorCode>(
  err: unknown,
  code?: C,
): err is AnyBmOAuthError & { readonly code: C } {
  return err instanceof BmOAuthError && (code === undefined || err.code === code)
}
