/**
 * @module webhook/handshake
 * The set-up time verification request (docs/contract-decisions.md §3.6, §10 Q6): Google POSTs
 * `{"clientToken": "...", "secret": "..."}` unsigned, and the webhook answers 200 with the plain
 * `secret` only when `clientToken` is the configured one (security case W7).
 */
import { createHash, timingSafeEqual } from 'node:crypto'

/** Handshake bodies are tiny; anything larger is not one (and is not JSON-parsed twice). */
const MAX_HANDSHAKE_BYTES = 4096
const UTF8 = new TextDecoder('utf-8', { fatal: true })

export interface HandshakeRequest {
  clientToken: string
  secret: string
}

/**
 * Recognises the handshake ONLY by a JSON object with exactly the two string keys `clientToken`
 * and `secret`. Any other body, signed or not, is not a handshake.
 */
export function detectHandshake(rawBody: Uint8Array): HandshakeRequest | undefined {
  if (rawBody.byteLength > MAX_HANDSHAKE_BYTES) return undefined
  // Every delivery passes here: skip the parse unless the key can be in the body, spelled out or
  // behind a JSON escape (same answer as parsing, without parsing each event twice).
  const bytes = Buffer.from(rawBody.buffer, rawBody.byteOffset, rawBody.byteLength)
  if (!bytes.includes('clientToken') && !bytes.includes('\\u')) return undefined
  let value: unknown
  try {
    value = JSON.parse(UTF8.decode(rawBody))
  } catch {
    return undefined
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return undefined
  const keys = Object.keys(value).sort()
  if (keys.length !== 2 || keys[0] !== 'clientToken' || keys[1] !== 'secret') return undefined
  const { clientToken, secret } = value as Record<string, unknown>
  if (typeof clientToken !== 'string' || typeof secret !== 'string') return undefined
  return { clientToken, secret }
}

export interface HandshakeAnswer {
  status: 200 | 401
  headers: Record<string, string>
  body: string
}

/**
 * 200 `text/plain` with the secret iff `clientToken` equals `expectedClientToken`; otherwise 401
 * with an empty body (the secret is never echoed, and nothing says which check failed). With no
 * configured token nothing is ever echoed. Comparison is constant-time over SHA-256 digests, so it
 * does not leak the token's length either.
 */
export function answerHandshake(request: HandshakeRequest, expectedClientToken: string | undefined): HandshakeAnswer {
  const configured = expectedClientToken !== undefined && expectedClientToken !== ''
  if (!configured || !sameSecret(request.clientToken, expectedClientToken)) {
    return { status: 401, headers: {}, body: '' }
  }
  return { status: 200, headers: { 'content-type': 'text/plain; charset=utf-8' }, body: request.secret }
}

function sameSecret(a: string, b: string): boolean {
  const digest = (s: string): Buffer => createHash('sha256').update(s, 'utf8').digest()
  return timingSafeEqual(digest(a), digest(b))
}
