/**
 * @module google/fake-fetch.test-util
 * Test-only helpers for the Google clients: a scripted `fetch` that records every call and answers
 * from a queue of handlers, and a `sleep` that advances a {@link ManualClock} instead of waiting.
 * Not exported from the library (the file name keeps it out of the published package).
 */
import type { ManualClock } from '../core/clock.ts'
import type { FetchLike } from '../core/fetch.ts'

export interface RecordedCall {
  url: string
  method: string
  headers: Headers
  body: string
  signal: AbortSignal | undefined
}

export type Handler = (call: RecordedCall) => Response | Promise<Response>

export interface ScriptedFetch {
  fetch: FetchLike
  calls: RecordedCall[]
}

/** A fetch that answers the n-th call with `handlers[n]` (the last handler repeats). */
export function scriptedFetch(...handlers: Handler[]): ScriptedFetch {
  const calls: RecordedCall[] = []
  const fetch: FetchLike = async (input, init = {}) => {
    const call: RecordedCall = {
      url: String(input),
      method: init.method ?? 'GET',
      headers: new Headers(init.headers),
      body: typeof init.body === 'string' ? init.body : '',
      signal: init.signal ?? undefined,
    }
    calls.push(call)
    const handler = handlers[Math.min(calls.length - 1, handlers.length - 1)]
    if (handler === undefined) throw new Error('scriptedFetch: no handler')
    return handler(call)
  }
  return { fetch, calls }
}

/** A JSON response. */
export function json(body: unknown, status = 200, headers: Record<string, string> = {}): Response {
  return new Response(JSON.stringify(body), {
    status,
    headers: { 'content-type': 'application/json', ...headers },
  })
}

/** Google's error envelope (docs/contract-decisions.md §1.8). */
export function googleError(
  code: number,
  status: string,
  message: string,
  headers: Record<string, string> = {},
): Response {
  return json({ error: { code, message, status } }, code, headers)
}

/** A handler that never answers until the request's signal aborts (simulates a stalled server). */
export const hang: Handler = (call) =>
  new Promise<Response>((_, reject) => {
    const signal = call.signal
    if (signal === undefined) return
    if (signal.aborted) reject(signal.reason)
    signal.addEventListener('abort', () => reject(signal.reason), { once: true })
  })

/** A handler that fails like undici does when the connection is refused. */
export const refuse: Handler = () => {
  const cause = Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:1'), { code: 'ECONNREFUSED' })
  return Promise.reject(new TypeError('fetch failed', { cause }))
}

/** A deadline seam whose signal is already timed out: the next request times out at once. */
export function expiredTimeoutSignal(): AbortSignal {
  return AbortSignal.abort(new DOMException('The operation timed out.', 'TimeoutError'))
}

/** A `sleep` that records the delays and advances the clock instead of waiting. */
export function fakeSleep(clock?: ManualClock): { sleep: (ms: number) => Promise<void>; delays: number[] } {
  const delays: number[] = []
  return {
    delays,
    sleep: async (ms: number) => {
      delays.push(ms)
      clock?.advance(ms)
    },
  }
}
