/**
 * @module google/http
 * The request core both Google clients share: bearer authentication from an
 * {@link AccessTokenSource}, a deadline on every call, Google's error envelope →
 * {@link GoogleAPIError}, and the retry policy of {@link decideRetry}. Time, sleeping, randomness and
 * fetch are injected so tests neither wait nor touch the network. Logs carry method, path, status
 * and attempt only; never headers or bodies.
 *
 * @see docs/contract-decisions.md §1.8, §2.6, §10 "client retry policy"
 */
import type { Clock } from '../core/clock.ts'
import type { FetchLike } from '../core/fetch.ts'
import { silentLogger, type Logger } from '../core/logger.ts'
import { BmOAuthError, GoogleAPIError } from '../errors.ts'
import { toGoogleAPIError } from './google-error.ts'
import { parseRetryAfter, type RandomSource } from '../core/retry.ts'
import { DEFAULT_RETRY, decideRetry, type RetryOptions } from './retry-policy.ts'
import type { AccessTokenSource } from './service-account.ts'
import {
  attemptExchange,
  resolveHttpSeams,
  type HttpSeams,
  type RawResponse,
  type TimeoutSignalFactory,
} from '../core/transport.ts'

export type HttpMethod = 'GET' | 'POST' | 'PATCH' | 'DELETE'

/** One API call. `path` is below the base URL (`v1/brands/1/agents/2`), already percent-encoded. */
export interface GoogleRequest {
  method: HttpMethod
  path: string
  query?: Readonly<Record<string, string | number | boolean | undefined>>
  body?: unknown
  /**
   * Statuses that end this call at once although the policy would retry them — e.g. 429 on
   * `surveys.create`, which means "one survey per 24 h" and would never succeed within a backoff.
   */
  noRetryOn?: readonly number[]
}

/** Result of a create: the server's answer, or `ALREADY_EXISTS` after an attempt whose fate was unknown. */
export type CreateOutcome<T> = { kind: 'created'; body: T } | { kind: 'already-existed' }

export interface GoogleHTTPOptions {
  /** API origin (and optional path prefix), e.g. `https://businessmessages.googleapis.com/`. */
  baseUrl: string
  credentials: AccessTokenSource
  fetch?: FetchLike
  clock?: Clock
  sleep?: (ms: number) => Promise<void>
  /** Uniform [0, 1) source for backoff jitter (default `Math.random`). */
  random?: RandomSource
  /** Deadline per attempt (default 30 s). */
  timeoutMs?: number
  timeoutSignal?: TimeoutSignalFactory
  retry?: Partial<RetryOptions>
  logger?: Logger
  userAgent?: string
}

const DEFAULT_USER_AGENT = 'bm-oauth'

/** Shared HTTP core of the Business Communications and Business Messages clients. */
export class GoogleHTTP {
  readonly baseUrl: string
  readonly #credentials: AccessTokenSource
  readonly #seams: HttpSeams
  readonly #retry: RetryOptions
  readonly #logger: Logger
  readonly #userAgent: string

  constructor(options: GoogleHTTPOptions) {
    this.baseUrl = options.baseUrl.endsWith('/') ? options.baseUrl : `${options.baseUrl}/`
    this.#credentials = options.credentials
    this.#seams = resolveHttpSeams(options)
    this.#retry = { ...DEFAULT_RETRY, ...options.retry }
    this.#logger = options.logger ?? silentLogger
    this.#userAgent = options.userAgent ?? DEFAULT_USER_AGENT
  }

  /**
   * Sends a request with retries and returns the parsed JSON body.
   * @throws {GoogleAPIError} for an error answer that is not retried (or retries ran out).
   * @throws {BmOAuthError} `ERR_HTTP_TIMEOUT` / `ERR_NETWORK` when the last attempt failed in transport.
   */
  async request<T>(request: GoogleRequest): Promise<T> {
    const outcome = await this.#run<T>(request, false)
    if (outcome.kind === 'created') return outcome.body
    throw new Error('unreachable: already-existed outcome without create semantics')
  }

  /**
   * Like {@link request}, for a create whose resource id travels with the request. An
   * `ALREADY_EXISTS` answer after an earlier attempt that may have reached the API (timeout, network
   * error, 5xx) means that attempt succeeded: it is reported as `already-existed`, not thrown.
   * `ALREADY_EXISTS` on the first attempt (or after a 429/401, which the API did not apply) is an error.
   */
  create<T>(request: GoogleRequest): Promise<CreateOutcome<T>> {
    return this.#run<T>(request, true)
  }

  async #run<T>(request: GoogleRequest, isCreate: boolean): Promise<CreateOutcome<T>> {
    const url = this.#url(request)
    const log = { method: request.method, path: new URL(url).pathname }
    let refreshedCredentials = false
    let mayHaveApplied = false
    for (let attempt = 1; ; attempt++) {
      const result = await this.#attempt(url, request)
      const status = result instanceof BmOAuthError ? undefined : result.status
      this.#logger.debug({ ...log, status, attempt }, 'google api call')
      if (!(result instanceof BmOAuthError) && result.status >= 200 && result.status <= 299) {
        return { kind: 'created', body: parseBody<T>(result.text, request.method, url) }
      }
      const { error, retryAfterMs } = this.#failure(result, request.method, url)
      if (isCreate && mayHaveApplied && error instanceof GoogleAPIError && error.rpcStatus === 'ALREADY_EXISTS') {
        return { kind: 'already-existed' }
      }
      if (status !== undefined && request.noRetryOn?.includes(status) === true) throw error
      const decision = decideRetry(
        { status, attempt, refreshedCredentials, retryAfterMs },
        this.#retry,
        this.#seams.random,
      )
      if (decision.action === 'fail') throw error
      this.#logger.warn({ ...log, status, attempt, delayMs: decision.delayMs }, 'google api retry')
      if (decision.refreshCredentials) {
        this.#credentials.invalidate()
        refreshedCredentials = true
      }
      // A create that timed out or met a 5xx may have been applied; its retry carries the same id.
      if (status === undefined || status >= 500) mayHaveApplied = true
      if (decision.delayMs > 0) await this.#seams.sleep(decision.delayMs)
    }
  }

  /** The error for a failed attempt, and the server's requested pause if any. */
  #failure(
    result: RawResponse | BmOAuthError,
    method: string,
    url: string,
  ): { error: BmOAuthError; retryAfterMs: number | undefined } {
    if (result instanceof BmOAuthError) return { error: result, retryAfterMs: undefined }
    const retryAfterMs = parseRetryAfter(result.headers.get('retry-after'), this.#seams.clock.now())
    return { error: toGoogleAPIError(result.status, result.text, { method, url }, retryAfterMs), retryAfterMs }
  }

  /** One attempt. Transport failures are returned (to be retried); token failures are thrown. */
  async #attempt(url: string, request: GoogleRequest): Promise<RawResponse | BmOAuthError> {
    const token = await this.#credentials.getAccessToken()
    const headers: Record<string, string> = {
      authorization: `Bearer ${token}`,
      accept: 'application/json',
      'user-agent': this.#userAgent,
    }
    const init: RequestInit = { method: request.method, headers }
    if (request.body !== undefined) {
      headers['content-type'] = 'application/json'
      init.body = JSON.stringify(request.body)
    }
    return attemptExchange(url, init, this.#seams)
  }

  #url(request: GoogleRequest): string {
    const url = new URL(request.path.replace(/^\/+/, ''), this.baseUrl).toString()
    const query = buildQuery(request.query)
    return query === '' ? url : `${url}?${query}`
  }
}

/**
 * A query string with each value percent-encoded, except that commas stay literal so a FieldMask
 * reads `updateMask=a.b,c` exactly as in Google's documentation.
 */
export function buildQuery(query: GoogleRequest['query']): string {
  if (query === undefined) return ''
  return Object.entries(query)
    .filter((entry): entry is [string, string | number | boolean] => entry[1] !== undefined)
    .map(([name, value]) => `${encodeURIComponent(name)}=${encodeURIComponent(String(value)).replace(/%2C/g, ',')}`)
    .join('&')
}

function parseBody<T>(text: string, method: string, url: string): T {
  if (text.trim() === '') return {} as T
  try {
    return JSON.parse(text) as T
  } catch {
    throw new BmOAuthError('ERR_UNEXPECTED_RESPONSE', `${method} ${url} answered 2xx with a non-JSON body`, {
      status: 502,
    })
  }
}

/** Options shared by the API clients: those of {@link GoogleHTTP}, with a default base URL. */
export type GoogleClientOptions = Omit<GoogleHTTPOptions, 'baseUrl'> & { baseUrl?: string }
