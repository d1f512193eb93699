/**
 * @module pkce
 * Proof Key for Code Exchange (RFC 7636) helpers: code verifier generation and validation, and the
 * S256 challenge. Pure apart from the injectable random source; nothing here does I/O. Business
 * Messages assumes `plain` when no method is sent (security case P3), so bm-oauth only ever
 * computes and sends S256 challenges.
 * @see https://www.rfc-editor.org/rfc/rfc7636
 */
import { createHash, randomBytes as nodeRandomBytes } from 'node:crypto'
import { InvalidArgumentError } from '../errors.ts'

/** Source of cryptographically secure random bytes (a test seam; default `crypto.randomBytes`). */
export type RandomBytes = (size: number) => Uint8Array

/** The only code challenge method bm-oauth sends. */
export const CODE_CHALLENGE_METHOD = 'S256'

/** Number of random octets behind a verifier: 32 octets give 43 base64url characters (RFC 7636 §4.1). */
const VERIFIER_OCTETS = 32

/** RFC 7636 §4.1: `code-verifier = 43*128unreserved`, unreserved = ALPHA / DIGIT / "-" / "." / "_" / "~". */
const VERIFIER_PATTERN = /^[A-Za-z0-9\-._~]{43,128}$/

/**
 * Generates a fresh PKCE code verifier: 32 random octets, base64url without padding (43 characters).
 * @param random random source; must be a CSPRNG (default `crypto.randomBytes`).
 * @see https://www.rfc-editor.org/rfc/rfc7636#section-4.1
 */
export function generateCodeVerifier(random: RandomBytes = nodeRandomBytes): string {
  const bytes = random(VERIFIER_OCTETS)
  if (bytes.length !== VERIFIER_OCTETS) {
    throw new InvalidArgumentError('random', `must return exactly ${VERIFIER_OCTETS} bytes`)
  }
  return Buffer.from(bytes).toString('base64url')
}

/** Whether `value` is a syntactically valid code verifier (43–128 unreserved characters). */
export function isValidCodeVerifier(value: unknown): value is string {
  return typeof value === 'string' && VERIFIER_PATTERN.test(value)
}

/**
 * Throws unless `value` is a valid code verifier. The error names the rule, never the value.
 * @throws {InvalidArgumentError} `ERR_INVALID_ARGUMENT` with `field: 'codeVerifier'`.
 * @see https://www.rfc-editor.org/rfc/rfc7636#section-4.1
 */
export function validateCodeVerifier(value: unknown): asserts value is string {
  if (!isValidCodeVerifier(value)) {
    throw new InvalidArgumentError('codeVerifier', 'must be 43-128 characters of [A-Za-z0-9-._~] (RFC 7636 §4.1)')
  }
}

/**
 * Computes the S256 code challenge: `BASE64URL(SHA256(ASCII(code_verifier)))`, unpadded.
 * @throws {InvalidArgumentError} when `verifier` is not a valid code verifier.
 * @see https://www.rfc-editor.org/rfc/rfc7636#section-4.2
 * @example
 * ```ts
 * const verifier = generateCodeVerifier()
 * const challenge = calculateS256Challenge(verifier) // send with codeChallengeMethod: 'S256'
 * ```
 */
export function calculateS256Challenge(verifier: string): string {
  validateCodeVerifier(verifier)
  return createHash('sha256').update(verifier, 'ascii').digest('base64url')
}
