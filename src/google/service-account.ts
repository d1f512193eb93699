/**
 * @module google/service-account
 * Access tokens for Google's APIs from a service-account key: the RFC 7523 JWT-bearer grant, done
 * with jose + fetch so that the key file's `token_uri` is honoured (google-auth-library ignores it,
 * which would make the emulator unreachable). Tokens are cached until shortly before expiry and
 * refreshed single-flight. The key, assertion and token live only in `#private` fields; the
 * object's JSON and inspect forms show the service account's e-mail and nothing else.
 *
 * @see docs/contract-decisions.md §5.2 (token request on the wire), §5.3, §10 "service-account tokens"
 * @see https://www.rfc-editor.org/rfc/rfc7523#section-2.1
 */
import { importPKCS8, SignJWT } from 'jose'
import { z } from 'zod'
import { systemClock, type Clock } from '../core/clock.ts'
import type { FetchLike } from '../core/fetch.ts'
import { BmOAuthError } from '../errors.ts'
import type { ServiceAccountKey } from './service-account-key.ts'
import { expandScopes } from './scopes.ts'
import { DEFAULT_TIMEOUT_MS, exchange, type RawResponse, type TimeoutSignalFactory } from './transport.ts'

/** Google's token endpoint, used when the key file has no `token_uri`. */
export const GOOGLE_TOKEN_URL = 'https://oauth2.googleapis.com/token'
const JWT_BEARER_GRANT = 'urn:ietf:params:oauth:grant-type:jwt-bearer'
const ASSERTION_LIFETIME_S = 3600
const DEFAULT_REFRESH_MARGIN_MS = 60_000

/** Anything that can hand out a bearer token for Google's APIs. */
export interface AccessTokenSource {
  /** A currently valid access token (cached or freshly fetched). */
  getAccessToken(): Promise<string>
  /** Drops the cached token, e.g. after Google answered 401; the next call fetches a new one. */
  invalidate(): void
}

/** The token endpoint refused the assertion (`{error, error_description}`), or answered non-JSON. */
export class ServiceAccountTokenError extends BmOAuthError<'ERR_SERVICE_ACCOUNT_TOKEN'> {
  /** The OAuth `error` code, e.g. `invalid_grant`, or `http_STATUS` when the body had none. */
  readonly error: string
  /** The server's `error_description`; safe to show, it describes the request, not a secret. */
  readonly error_description: string | undefined
  /** HTTP status of the token endpoint's answer. */
  readonly httpStatus: number
  constructor(error: string, errorDescription: string | undefined, httpStatus: number) {
    const detail = errorDescription === undefined ? '' : ` (${errorDescription})`
    const message = `service-account token request failed: ${error}${detail}`
    super('ERR_SERVICE_ACCOUNT_TOKEN', message, { status: 502 })
    this.name = 'ServiceAccountTokenError'
    this.error = error
    this.error_description = errorDescription
    this.httpStatus = httpStatus
  }
}

export interface ServiceAccountCredentialsOptions {
  /** Scope URLs or oauth2l short names (`businessmessages`). */
  scopes: readonly string[]
  fetch?: FetchLike
  clock?: Clock
  /** Deadline for one token request (default 30 s). */
  timeoutMs?: number
  timeoutSignal?: TimeoutSignalFactory
  /** Refresh this long before `expires_in` runs out (default 60 s). */
  refreshMarginMs?: number
  /** Overrides the key file's `token_uri`. */
  tokenUrl?: string
}

const tokenReplySchema = z.object({
  access_token: z.string().min(1),
  expires_in: z.coerce.number().positive().optional(),
  token_type: z.string().optional(),
})

const errorReplySchema = z.object({ error: z.string().min(1), error_description: z.string().optional() })

/**
 * Service-account credentials: signs an RS256 assertion with the key and exchanges it for an access
 * token at the key's `token_uri`.
 * @example
 * ```ts
 * const credentials = new ServiceAccountCredentials(await readServiceAccountKey('key.json'), {
 *   scopes: ['businessmessages'],
 * })
 * const token = await credentials.getAccessToken()
 * ```
 */
export class ServiceAccountCredentials implements AccessTokenSource {
  readonly #key: ServiceAccountKey
  readonly #scope: string
  readonly #tokenUrl: string
  readonly #fetch: FetchLike
  readonly #clock: Clock
  readonly #timeoutMs: number
  readonly #timeoutSignal: TimeoutSignalFactory | undefined
  readonly #marginMs: number
  #signingKey: Promise<CryptoKey> | undefined
  #cached: { token: string; refreshAtMs: number } | undefined
  #inflight: Promise<string> | undefined

  constructor(key: ServiceAccountKey, options: ServiceAccountCredentialsOptions) {
    this.#key = key
    this.#scope = expandScopes(options.scopes).join(' ')
    this.#tokenUrl = options.tokenUrl ?? key.token_uri ?? GOOGLE_TOKEN_URL
    this.#fetch = options.fetch ?? globalThis.fetch
    this.#clock = options.clock ?? systemClock
    this.#timeoutMs = options.timeoutMs ?? DEFAULT_TIMEOUT_MS
    this.#timeoutSignal = options.timeoutSignal
    this.#marginMs = options.refreshMarginMs ?? DEFAULT_REFRESH_MARGIN_MS
  }

  /** The service account's e-mail (not secret). */
  get clientEmail(): string {
    return this.#key.client_email
  }

  /** The token endpoint this source posts to. */
  get tokenUrl(): string {
    return this.#tokenUrl
  }

  getAccessToken(): Promise<string> {
    const cached = this.#cached
    if (cached !== undefined && this.#clock.now() < cached.refreshAtMs) return Promise.resolve(cached.token)
    // Single flight: concurrent callers share one token request.
    this.#inflight ??= this.#fetchToken().finally(() => {
      this.#inflight = undefined
    })
    return this.#inflight
  }

  invalidate(): void {
    this.#cached = undefined
  }

  async #fetchToken(): Promise<string> {
    const assertion = await this.#signAssertion()
    const body = new URLSearchParams({ grant_type: JWT_BEARER_GRANT, assertion })
    const init: RequestInit = {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded', accept: 'application/json' },
      body: body.toString(),
    }
    const options = { fetch: this.#fetch, timeoutMs: this.#timeoutMs }
    const response = await exchange(
      this.#tokenUrl,
      init,
      this.#timeoutSignal === undefined ? options : { ...options, timeoutSignal: this.#timeoutSignal },
    )
    const { token, expiresInS } = processTokenResponse(response)
    const receivedAt = this.#clock.now()
    this.#cached = { token, refreshAtMs: receivedAt + expiresInS * 1000 - this.#marginMs }
    return token
  }

  async #signAssertion(): Promise<string> {
    this.#signingKey ??= importPKCS8(this.#key.private_key, 'RS256').catch(() => {
      this.#signingKey = undefined
      // No cause: the importer's error is about the key's content.
      const message = 'service-account key: private_key is not an RSA PKCS#8 key'
      throw new BmOAuthError('ERR_SERVICE_ACCOUNT_KEY', message)
    })
    const iat = Math.floor(this.#clock.now() / 1000)
    const kid = this.#key.private_key_id
    const header = kid === undefined ? { alg: 'RS256' } : { alg: 'RS256', kid }
    return new SignJWT({ scope: this.#scope })
      .setProtectedHeader(header)
      .setIssuer(this.#key.client_email)
      .setAudience(this.#tokenUrl)
      .setIssuedAt(iat)
      .setExpirationTime(iat + ASSERTION_LIFETIME_S)
      .sign(await this.#signingKey)
  }

  toJSON(): { type: 'ServiceAccountCredentials'; client_email: string } {
    return { type: 'ServiceAccountCredentials', client_email: this.#key.client_email }
  }

  [Symbol.for('nodejs.util.inspect.custom')](): string {
    return `ServiceAccountCredentials { client_email: '${this.#key.client_email}' }`
  }
}

/**
 * Interprets the token endpoint's answer (pure; no I/O).
 * @throws {ServiceAccountTokenError} for an error reply; {@link BmOAuthError} `ERR_UNEXPECTED_RESPONSE`
 * for a 2xx without an access token.
 */
export function processTokenResponse(response: RawResponse): { token: string; expiresInS: number } {
  const json = parseJSON(response.text)
  if (response.status < 200 || response.status > 299) {
    const reply = errorReplySchema.safeParse(json)
    if (!reply.success) {
      throw new ServiceAccountTokenError(`http_${response.status}`, undefined, response.status)
    }
    const description = reply.data.error_description?.replace(/[\u0000-\u001f]/g, ' ').slice(0, 500)
    throw new ServiceAccountTokenError(reply.data.error, description, response.status)
  }
  const reply = tokenReplySchema.safeParse(json)
  if (!reply.success) {
    throw new BmOAuthError('ERR_UNEXPECTED_RESPONSE', 'token endpoint answered 2xx without an access_token', {
      status: 502,
    })
  }
  return { token: reply.data.access_token, expiresInS: reply.data.expires_in ?? ASSERTION_LIFETIME_S }
}

function parseJSON(text: string): unknown {
  try {
    return JSON.parse(text)
  } catch {
    return undefined
  }
}

/** A fixed token (tests, or a token minted elsewhere). `invalidate()` does nothing. */
export class StaticAccessTokenSource implements AccessTokenSource {
  readonly #token: string
  constructor(token: string) {
    this.#token = token
  }
  getAccessToken(): Promise<string> {
    return Promise.resolve(this.#token)
  }
  invalidate(): void {}
  toJSON(): { type: 'StaticAccessTokenSource' } {
    return { type: 'StaticAccessTokenSource' }
  }
  [Symbol.for('nodejs.util.inspect.custom')](): string {
    return 'StaticAccessTokenSource {}'
  }
}

/**
 * The value of an `Authorization` header for the source's current token: `Bearer …`. The CLI's
 * `header` command (the `oauth2l header` replacement) prints `Authorization: ` followed by this.
 */
export async function createAuthorizationHeader(source: AccessTokenSource): Promise<string> {
  return `Bearer ${await source.getAccessToken()}`
}
