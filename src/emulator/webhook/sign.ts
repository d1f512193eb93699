/**
 * @module emulator/webhook/sign
 * Google's side of `X-Goog-Signature` (docs/contract-decisions.md §3.7): standard base64 (with `=`
 * padding) of HMAC-SHA512 over the exact raw body bytes, keyed with the UTF-8 bytes of the
 * configured key (the partner key / webhook client token, docs/contract-decisions.md §10 Q7).
 * Written with `node:crypto` directly so the emulator stays an independent counterpart of the
 * agent's verifier.
 */
import { createHmac } from 'node:crypto'

/**
 * Signs a webhook body the way Google did.
 *
 * @param rawBody The exact bytes that go on the wire (a string is taken as its UTF-8 bytes).
 * @param key The signing key; its UTF-8 bytes are the HMAC key.
 * @param algorithm The HMAC hash; Google used `sha512`, other values serve the `signature` fault.
 * @returns Standard base64 of the HMAC, the `X-Goog-Signature` header value.
 * @see https://developers.google.com/business-communications/business-messages/guides/how-to/message/receive
 * @example
 * const header = signWebhookBody('{"requestId":"r-1"}', 'SJENCPGJESMGUFPY')
 */
export function signWebhookBody(
  rawBody: Uint8Array | string,
  key: string,
  algorithm: 'sha512' | 'sha256' = 'sha512',
): string {
  const bytes = typeof rawBody === 'string' ? Buffer.from(rawBody, 'utf8') : rawBody
  return createHmac(algorithm, Buffer.from(key, 'utf8')).update(bytes).digest('base64')
}
