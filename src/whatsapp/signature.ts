/**
 * @module whatsapp/signature
 * Checks `X-Hub-Signature-256: sha256=<hex>`: the lowercase hex HMAC-SHA256 of the exact raw body,
 * keyed by the app secret (docs/whatsapp-decisions.md §2). Runs before any parsing. The current and
 * the previous secret are both tried, so an app-secret rotation loses no delivery. Never logs, and
 * never puts into an error, a signature or a secret.
 */
import { createHmac, timingSafeEqual } from 'node:crypto'
import { BmOAuthError, InvalidArgumentError } from '../errors.ts'

/** The header Meta signs every event notification with. */
export const WHATSAPP_SIGNATURE_HEADER = 'x-hub-signature-256'

export interface VerifyWhatsAppSignatureInput {
  /** The request body exactly as received (never a re-serialised JSON value). */
  rawBody: Uint8Array
  /** The `X-Hub-Signature-256` header value, if any. */
  signatureHeader: string | undefined
  /** The app secret first, then optionally the previous one during rotation. */
  appSecrets: readonly string[]
}

const SHA256_BYTES = 32
/** `sha256=` and 64 hex digits. Meta documents lowercase; uppercase hex is the same bytes and accepted. */
const SIGNATURE = /^sha256=([0-9a-fA-F]{64})$/

/**
 * Returns the index in `appSecrets` of the secret that produced the signature.
 * Throws `ERR_WEBHOOK_SIGNATURE_MISSING` (no header) or `ERR_WEBHOOK_SIGNATURE_MISMATCH` (malformed:
 * no `sha256=` prefix, wrong length, not hex; or made with another secret), both with status 401.
 * Every secret's HMAC is computed and compared even after a match, so timing does not tell which
 * secret matched, nor whether the header was well-formed.
 */
export function verifyWhatsAppSignature(input: VerifyWhatsAppSignatureInput): number {
  if (input.appSecrets.length === 0 || input.appSecrets.some((s) => s === '')) {
    throw new InvalidArgumentError('appSecrets', 'at least one non-empty app secret')
  }
  const header = input.signatureHeader?.trim()
  if (header === undefined || header === '') {
    throw new BmOAuthError('ERR_WEBHOOK_SIGNATURE_MISSING', 'X-Hub-Signature-256 header is missing', { status: 401 })
  }
  const hex = SIGNATURE.exec(header)?.[1]
  const received = hex === undefined ? Buffer.alloc(SHA256_BYTES) : Buffer.from(hex, 'hex')
  let matched = -1
  for (const [index, secret] of input.appSecrets.entries()) {
    if (timingSafeEqual(hmac(secret, input.rawBody), received) && matched === -1) matched = index
  }
  if (hex === undefined || matched === -1) {
    throw new BmOAuthError('ERR_WEBHOOK_SIGNATURE_MISMATCH', 'X-Hub-Signature-256 does not match the body', {
      status: 401,
    })
  }
  return matched
}

/** The header value Meta would send for `rawBody` (for the emulator's deliveries and for tests). */
export function signWhatsAppBody(rawBody: Uint8Array | string, appSecret: string): string {
  const bytes = typeof rawBody === 'string' ? Buffer.from(rawBody, 'utf8') : rawBody
  return `sha256=${hmac(appSecret, bytes).toString('hex')}`
}

function hmac(secret: string, body: Uint8Array): Buffer {
  return createHmac('sha256', Buffer.from(secret, 'utf8')).update(body).digest()
}
