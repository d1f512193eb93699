/**
 * @module emulator/webhook/url-verification
 * The webhook verification handshake Google ran when a webhook URL was set
 * (docs/contract-decisions.md §3.6, §10 Q6): an unsigned POST of `{"clientToken": …, "secret": …}`;
 * the webhook passes iff it answers 200 with a body that is exactly the secret (nothing else, not
 * even a trailing newline: Google compared the body with the secret as is).
 */
import { randomInt } from 'node:crypto'
import type { FetchLike } from '../../core/fetch.ts'
import { postOnce } from './http-post.ts'

/** Result of a verification handshake. `detail` never contains the client token or the secret. */
export interface HandshakeResult {
  ok: boolean
  status: number | undefined
  detail: string
}

export interface HandshakeOptions {
  fetch: FetchLike
  timeoutMs: number
  /** Secret generator; default 16 random decimal digits (the docs' example secret is `0123456789`). */
  newSecret?: () => string
}

/** Runs the handshake against `url` with the webhook's client token. Never throws. */
export async function runWebhookHandshake(
  url: string,
  clientToken: string,
  options: HandshakeOptions,
): Promise<HandshakeResult> {
  const secret = (options.newSecret ?? randomDigits)()
  const outcome = await postOnce(url, JSON.stringify({ clientToken, secret }), {
    fetch: options.fetch,
    timeoutMs: options.timeoutMs,
    headers: {},
    readBody: true,
  })
  if (outcome.status === undefined) {
    return { ok: false, status: undefined, detail: outcome.error ?? 'no response' }
  }
  if (outcome.status !== 200) {
    return { ok: false, status: outcome.status, detail: `expected status 200, got ${outcome.status}` }
  }
  const body = outcome.body ?? ''
  // docs/contract-decisions.md §3.6 / §7 item 4: the body must be the secret and nothing else (not
  // even a newline), so an agent that passes here also passes Google's check.
  if (body === secret) {
    return { ok: true, status: 200, detail: 'webhook echoed the secret' }
  }
  return { ok: false, status: 200, detail: `response body (${body.length} chars) is not the plain-text secret` }
}

function randomDigits(): string {
  let digits = ''
  for (let i = 0; i < 16; i++) digits += String(randomInt(10))
  return digits
}
