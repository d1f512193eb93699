/**
 * @module core/bearer
 * A per-start bearer token for loopback-only endpoints that must not answer everyone on the
 * machine (the sandbox's agent state and its relay at the emulator, security case E5): made from a
 * CSPRNG, sent as `Authorization: Bearer …`, compared in constant time.
 */
import { createHash, randomBytes, timingSafeEqual } from 'node:crypto'

/** A fresh 256-bit token, base64url. */
export function newBearerToken(): string {
  return randomBytes(32).toString('base64url')
}

/** The `Authorization` header value that carries `token`. */
export function bearerHeader(token: string): string {
  return `Bearer ${token}`
}

/**
 * Whether an `Authorization` header carries exactly `expected`. Compares SHA-256 digests in
 * constant time, so neither the token nor its length leaks; an empty `expected` never matches.
 */
export function hasBearerToken(header: string | readonly string[] | null | undefined, expected: string): boolean {
  if (expected === '' || typeof header !== 'string') return false
  const match = /^Bearer ([\x21-\x7e]+)$/i.exec(header.trim())
  if (match === null) return false
  const digest = (s: string): Buffer => createHash('sha256').update(s, 'utf8').digest()
  return timingSafeEqual(digest(match[1] ?? ''), digest(expected))
}
