/**
 * @module metrics/instrumented-fetch
 * Counts a channel's platform API calls (Google's Business Messages API, later the Graph API) by
 * endpoint template and status, by wrapping the `fetch` the channel is given: the channel stays
 * unaware of metrics, and every call it makes is counted, retries included.
 */
import type { FetchLike } from '../core/fetch.ts'
import { redactURL } from '../core/redact-url.ts'

/** `fetch` that reports `(endpoint, status)` for each answer, `status` `failed` when none came. */
export function instrumentedFetch(fetch: FetchLike, report: (endpoint: string, status: string) => void): FetchLike {
  return async (input, init) => {
    const url = input instanceof Request ? input.url : String(input)
    const method = (init?.method ?? (input instanceof Request ? input.method : 'GET')).toUpperCase()
    // A template (`POST /v1/conversations/:id/messages`) keeps the label set small and free of ids.
    const endpoint = `${method} ${redactURL(url).path}`
    try {
      const response = await fetch(input, init)
      report(endpoint, String(response.status))
      return response
    } catch (err) {
      report(endpoint, 'failed')
      throw err
    }
  }
}
