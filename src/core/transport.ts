/**
 * @module core/transport
 * One HTTP exchange with a deadline: send, read the whole body, and turn transport failures into
 * `ERR_HTTP_TIMEOUT` / `ERR_NETWORK`. The deadline covers the body too, since a server can stall
 * after the headers. Shared by the Google clients (their API core and the service-account token request) and the WhatsApp client.
 * Error messages carry method and URL only; request bodies and headers (tokens, assertions) never.
 */
import type { FetchLike } from './fetch.ts'
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
