/**
 * @module emulator/state/access-tokens
 * Access tokens the emulator's `/token` endpoint issued. Only the SHA-256 of each token is stored, so
 * the database never holds a usable bearer token.
 */
import { createHash } from 'node:crypto'
import type { DatabaseSync } from 'node:sqlite'

/** What an issued token grants. */
export interface TokenGrant {
  clientEmail: string
  scopes: string[]
  expiresAt: number
}

/** SHA-256 hex of a token: the only form in which tokens are stored or compared. */
export function hashToken(token: string): string {
  return createHash('sha256').update(token, 'utf8').digest('hex')
}

/** Records issued tokens and looks them up by their hash. */
export class TokenStore {
  readonly #db: DatabaseSync
  constructor(db: DatabaseSync) {
    this.#db = db
  }

  /** Records a newly issued token (by hash) with its grant. */
  record(token: string, grant: TokenGrant, nowMs: number): void {
    this.#db
      .prepare(
        'INSERT INTO access_tokens (token_hash, client_email, scopes, expires_at, created_at) VALUES (?, ?, ?, ?, ?)',
      )
      .run(hashToken(token), grant.clientEmail, grant.scopes.join(' '), grant.expiresAt, nowMs)
  }

  /** The grant of `token`, or undefined when it was never issued here (expiry is the caller's check). */
  lookup(token: string): TokenGrant | undefined {
    const row = this.#db
      .prepare('SELECT client_email, scopes, expires_at FROM access_tokens WHERE token_hash = ?')
      .get(hashToken(token)) as { client_email: string; scopes: string; expires_at: number } | undefined
    if (row === undefined) return undefined
    return {
      clientEmail: row.client_email,
      scopes: row.scopes.split(' ').filter(Boolean),
      expiresAt: Number(row.expires_at),
    }
  }

  /** Drops tokens that expired before `nowMs` (housekeeping on start). */
  purgeExpired(nowMs: number): void {
    this.#db.prepare('DELETE FROM access_tokens WHERE expires_at < ?').run(nowMs)
  }
}
