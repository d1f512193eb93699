/**
 * @module emulator/webhook/http-post
 * One HTTP POST of Google's webhook sender, classified. Redirects are not followed (they count as a
 * failure, docs/contract-decisions.md §3.5), the whole exchange (headers and body) is bounded by
 * the timeout, and failure descriptions never include the URL, headers or body (the URL may carry a
 * secret).
 */
import type { FetchLike } from '../../core/fetch.ts'

/**
 * What Google's side sent in `User-Agent` was never documented (docs/contract-decisions.md §8 Q6);
 * this says who we are.
 */
export const WEBHOOK_USER_AGENT = 'Google-Business-Messages (bm-oauth emulator)'

export interface PostOutcome {
  /** HTTP status, when a response arrived. */
  status: number | undefined
  /** Response body text (only when asked for). */
  body: string | undefined
  /** Why no response arrived: `timeout after N ms` or `network error: CODE`. */
  error: string | undefined
}

export interface PostOptions {
  fetch: FetchLike
  timeoutMs: number
  headers: Record<string, string>
  /** Read the response body (the handshake needs it; deliveries discard it). */
  readBody: boolean
}

/** POSTs `body` to `url` once, without following redirects. Never throws. */
export async function postOnce(url: string, body: string, options: PostOptions): Promise<PostOutcome> {
  const signal = AbortSignal.timeout(options.timeoutMs)
  try {
    const response = await options.fetch(url, {
      method: 'POST',
      body,
      headers: { 'Content-Type': 'application/json', 'User-Agent': WEBHOOK_USER_AGENT, ...options.headers },
      redirect: 'manual',
      signal,
    })
    let text: string | undefined
    if (options.readBody) text = await response.text()
    else await response.body?.cancel().catch(() => {})
    return { status: response.status, body: text, error: undefined }
  } catch (err) {
    return { status: undefined, body: undefined, error: describeFailure(err, signal, options.timeoutMs) }
  }
}

function describeFailure(err: unknown, signal: AbortSignal, timeoutMs: number): string {
  if (signal.aborted) return `timeout after ${timeoutMs} ms`
  const cause = err instanceof Error ? err.cause : undefined
  const code = cause !== null && typeof cause === 'object' && 'code' in cause ? String(cause.code) : undefined
  if (code !== undefined) return `network error: ${code}`
  return `network error: ${err instanceof Error ? err.name : 'unknown'}`
}
