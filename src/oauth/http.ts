/**
 * @module oauth/http
 * The fetch handed to the OAuth library: it reads each provider response completely, under the
 * request's deadline, and refuses bodies over a size cap, so a slow or huge provider response can
 * neither hang a sign-in nor pin memory (security case X8).
 */
import type { FetchLike } from '../core/fetch.ts'
import { BmOAuthError } from '../errors.ts'

/** Largest provider response body accepted (64 KiB: token and metadata documents are a few KiB). */
export const MAX_RESPONSE_BYTES = 64 * 1024

/** Statuses whose Response must have a null body. */
const NULL_BODY_STATUSES: ReadonlySet<number> = new Set([101, 204, 205, 304])

/** The options oauth4webapi passes to its custom fetch (a subset of `RequestInit`). */
export interface LibraryFetchOptions {
  body?: unknown
  headers: Record<string, string>
  method: string
  redirect: 'manual'
  signal?: AbortSignal
}

/** Wraps `fetch` so that each response is fully buffered (at most `maxBytes`) before it is returned. */
export function createBoundedFetch(
  fetch: FetchLike,
  maxBytes: number = MAX_RESPONSE_BYTES,
): (url: string, options: LibraryFetchOptions) => Promise<Response> {
  return async (url, options) => {
    const response = await fetch(url, options as RequestInit)
    const body = await readCapped(response, maxBytes)
    return new Response(NULL_BODY_STATUSES.has(response.status) ? null : (body as BodyInit | null), {
      status: response.status,
      statusText: response.statusText,
      headers: response.headers,
    })
  }
}

async function readCapped(response: Response, maxBytes: number): Promise<Uint8Array | null> {
  if (response.body === null) return null
  const declared = Number(response.headers.get('content-length') ?? '0')
  if (declared > maxBytes) {
    await response.body.cancel()
    throw tooLarge(maxBytes)
  }
  const chunks: Uint8Array[] = []
  let total = 0
  for await (const chunk of response.body as AsyncIterable<Uint8Array>) {
    total += chunk.byteLength
    if (total > maxBytes) throw tooLarge(maxBytes)
    chunks.push(chunk)
  }
  return Buffer.concat(chunks, total)
}

function tooLarge(maxBytes: number): BmOAuthError {
  return new BmOAuthError('ERR_UNEXPECTED_RESPONSE', `provider response body exceeds ${maxBytes} bytes`, {
    status: 502,
  })
}
