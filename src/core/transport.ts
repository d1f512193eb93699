/**
 * @module core/transport
 * One HTTP exchange with a deadline: send, read the whole body, and turn transport failures into
 * `ERR_HTTP_TIMEOUT` / `ERR_NETWORK`. The deadline covers the body too, since a server can stall
 * after the headers. Shared by the Google clients (their API core and the service-account token request) and the WhatsApp client.
 * Error messages carry method and URL only; request bodies and headers (tokens, assertions) never.
 */
import { setTimeout as delay } from 'node:timers/promises'
import { systemClock, type Clock } from './clock.ts'
import type { FetchLike } from './fetch.ts'
import type { RandomSource } from './retry.ts'
import { BmOAuthError } from '../errors.ts'

/** Makes the abort signal that enforces a deadline (default `AbortSignal.timeout`); a test seam. */
export type TimeoutSignalFactory = (ms: number) => AbortSignal

/** A fully read response. */
export interface RawResponse {
  status: number
  headers: Headers
  text: string
}

export interface ExchangeOptions {
  fetch: FetchLike
  timeoutMs: number
  timeoutSignal?: TimeoutSignalFactory
}

/** Default request deadline (30 s). */
export const DEFAULT_TIMEOUT_MS = 30_000

/**
 * Sends one request and reads its body within `timeoutMs`.
 * @throws {BmOAuthError} `ERR_HTTP_TIMEOUT` when the deadline passes, `ERR_NETWORK` otherwise.
 */
export async function exchange(url: string, init: RequestInit, options: ExchangeOptions): Promise<RawResponse> {
  const signal = (options.timeoutSignal ?? AbortSignal.timeout)(options.timeoutMs)
  const method = init.method ?? 'GET'
  try {
    const response = await options.fetch(url, { ...init, signal })
    const text = await response.text()
    return { status: response.status, headers: response.headers, text }
  } catch (err) {
    if (isTimeout(err, signal)) {
      throw new BmOAuthError('ERR_HTTP_TIMEOUT', `${method} ${url} timed out after ${options.timeoutMs} ms`, {
        status: 504,
        cause: err,
      })
    }
    throw new BmOAuthError('ERR_NETWORK', `${method} ${url} failed: ${networkReason(err)}`, {
      status: 502,
      cause: err,
    })
  }
}

function isTimeout(err: unknown, signal: AbortSignal): boolean {
  if (signal.aborted) return true
  return err instanceof Error && err.name === 'TimeoutError'
}

/** A short reason such as `ECONNREFUSED`, never the error's full text (which can quote a URL or body). */
function networkReason(err: unknown): string {
  const cause = (err as { cause?: { code?: unknown } } | undefined)?.cause
  if (cause !== undefined && typeof cause.code === 'string') return `network error (${cause.code})`
  if (err instanceof Error && typeof (err as NodeJS.ErrnoException).code === 'string') {
    return `network error (${(err as NodeJS.ErrnoException).code})`
  }
  return 'network error'
}

/** The injectable parts of an HTTP client, resolved to their defaults. */
export interface HttpSeams {
  readonly fetch: FetchLike
  readonly clock: Clock
  readonly sleep: (ms: number) => Promise<void>
  /** Uniform [0, 1) source for backoff jitter. */
  readonly random: RandomSource
  /** Deadline per attempt. */
  readonly timeoutMs: number
  readonly timeoutSignal: TimeoutSignalFactory | undefined
}

/** The seams a client's options may override (every one optional). */
export interface HttpSeamOptions {
  readonly fetch?: FetchLike | undefined
  readonly clock?: Clock | undefined
  readonly sleep?: ((ms: number) => Promise<void>) | undefined
  readonly random?: RandomSource | undefined
  readonly timeoutMs?: number | undefined
  readonly timeoutSignal?: TimeoutSignalFactory | undefined
}

/** Fills in the defaults: global fetch, the system clock, a real timer, `Math.random`, 30 s. */
export function resolveHttpSeams(options: HttpSeamOptions): HttpSeams {
  return {
    fetch: options.fetch ?? globalThis.fetch,
    clock: options.clock ?? systemClock,
    sleep: options.sleep ?? ((ms) => delay(ms)),
    random: options.random ?? Math.random,
    timeoutMs: options.timeoutMs ?? DEFAULT_TIMEOUT_MS,
    timeoutSignal: options.timeoutSignal,
  }
}

/**
 * One attempt through the seams. Transport failures (`ERR_HTTP_TIMEOUT`, `ERR_NETWORK`) are
 * returned, not thrown, so the caller's retry policy can weigh them; anything else is thrown.
 */
export async function attemptExchange(
  url: string,
  init: RequestInit,
  seams: HttpSeams,
): Promise<RawResponse | BmOAuthError> {
  const options = { fetch: seams.fetch, timeoutMs: seams.timeoutMs }
  const timeoutSignal = seams.timeoutSignal
  try {
    return await exchange(url, init, timeoutSignal === undefined ? options : { ...options, timeoutSignal })
  } catch (err) {
    if (err instanceof BmOAuthError) return err
    throw err
  }
}
