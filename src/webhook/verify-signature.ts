/**
 * @module webhook/verify-signature
 * Checks `X-Goog-Signature`: standard base64 (padded) of HMAC-SHA512 over the exact raw body bytes,
 * keyed with the UTF-8 bytes of the webhook key (docs/contract-decisions.md §3.7, §10 Q7). Runs
 * before any parsing. Never logs, and never puts into an error, a signature or a key.
 */
import { createHmac, createSecretKey, type KeyObject, timingSafeEqual } from 'node:crypto'
import { BmOAuthError, InvalidArgumentError } from '../errors.ts'

export interface VerifyWebhookSignatureInput {
  /** The request body exactly as received. */
  rawBody: Uint8Array
  /** The `X-Goog-Signature` header value, if any. */
  signatureHeader: string | undefined
  /** Current key first, then optionally the previous one during rotation. */
  keys: readonly string[]
}

const SHA512_BYTES = 64
/** Standard, padded base64 of 64 bytes: 86 characters and `==`. No base64url, hex or `sha512=` prefix (W5). */
const BASE64_SHA512 = /^[A-Za-z0-9+/]{86}==$/

/**
 * Returns the index in `keys` of the key that produced the signature.
 * Throws `ERR_WEBHOOK_SIGNATURE_MISSING` (no header) or `ERR_WEBHOOK_SIGNATURE_MISMATCH` (anything
 * else: wrong length, not base64, wrong algorithm, wrong key), both with status 401.
 *
 * Every key's HMAC is computed and compared even after a match, so timing does not tell which key
 * matched (security case W6).
 *
 * @see https://developers.google.com/business-communications/business-messages/guides/how-to/message/receive (archived)
 */
export function verifyWebhookSignature(input: VerifyWebhookSignatureInput): number {
  const result = checkWebhookSignature(input)
  if (result === 'ERR_WEBHOOK_SIGNATURE_MISSING') {
    throw new BmOAuthError(result, 'X-Goog-Signature header is missing', { status: 401 })
  }
  if (result === 'ERR_WEBHOOK_SIGNATURE_MISMATCH') {
    throw new BmOAuthError(result, 'X-Goog-Signature does not match the body', { status: 401 })
  }
  return result
}

/**
 * {@link verifyWebhookSignature} without the throw: the matching key's index, or the error code a
 * rejection carries. The receiver uses it so that a forged request costs what a valid one does
 * (building an error and its stack trace doubled the cost of a rejection: docs/benchmarks.md, B1).
 */
export function checkWebhookSignature(
  input: VerifyWebhookSignatureInput,
): number | 'ERR_WEBHOOK_SIGNATURE_MISSING' | 'ERR_WEBHOOK_SIGNATURE_MISMATCH' {
  if (input.keys.length === 0 || input.keys.some((k) => k === '')) {
    throw new InvalidArgumentError('keys', 'at least one non-empty webhook key')
  }
  const header = input.signatureHeader?.trim()
  if (header === undefined || header === '') return 'ERR_WEBHOOK_SIGNATURE_MISSING'
  // Decoding a malformed value would still yield some bytes; check the shape first (W3, W5).
  const shapeOk = BASE64_SHA512.test(header)
  const received = shapeOk ? Buffer.from(header, 'base64') : Buffer.alloc(SHA512_BYTES)
  let matched = -1
  for (const [index, key] of input.keys.entries()) {
    const expected = createHmac('sha512', keyObject(key)).update(input.rawBody).digest()
    if (timingSafeEqual(expected, received) && matched === -1) matched = index
  }
  return shapeOk && received.length === SHA512_BYTES && matched !== -1 ? matched : 'ERR_WEBHOOK_SIGNATURE_MISMATCH'
}

/**
 * Keys as `KeyObject`s, made once: `createHmac` with a string or Buffer key builds a new native key
 * per call, which profiled as about half of the HMAC's cost on a 1.2 KB body (docs/benchmarks.md,
 * B1/B2). Bounded: a receiver holds one or two keys; a caller cycling through many only refills it.
 */
const keyObjects = new Map<string, KeyObject>()
const MAX_CACHED_KEYS = 8

function keyObject(key: string): KeyObject {
  let object = keyObjects.get(key)
  if (object === undefined) {
    if (keyObjects.size >= MAX_CACHED_KEYS) keyObjects.clear()
    object = createSecretKey(Buffer.from(key, 'utf8'))
    keyObjects.set(key, object)
  }
  return object
}
