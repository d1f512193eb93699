/**
 * @module signin-store/exchange-markers
 * "A token request for this authorization code may have been sent": a persisted marker written
 * BEFORE the token request, keyed by the SHA-256 of the code (never the code itself).
 *
 * Google delivers webhooks at least once, and providers revoke every token issued from a code that
 * is redeemed twice, so a duplicate delivery, a second instance or a restart after a crash must
 * never send a second token request for the same code (X1, X3,
 * docs/contract-decisions.md §10 "crash semantics"). `claim` is one
 * `INSERT … ON CONFLICT DO NOTHING`: exactly one caller, in any process, sees `true`. Markers are
 * kept for longer than Google's 7-day redelivery horizon, then purged.
 */
import { createHash } from 'node:crypto'
import { InvalidArgumentError } from '../errors.ts'
import type { Database } from '../db/queryable.ts'
import { EXCHANGE_MARKER_TABLE } from './migrations.ts'

/** Default marker retention: Google's 7-day redelivery horizon plus a day of clock skew and slack. */
export const DEFAULT_EXCHANGE_MARKER_RETENTION_MS = 8 * 24 * 60 * 60 * 1000

const CODE_HASH_PATTERN = /^[0-9a-f]{64}$/
const T = EXCHANGE_MARKER_TABLE

/** The marker key of an authorization code: lower-case hex SHA-256 of its UTF-8 bytes. */
export function hashAuthorizationCode(code: string): string {
  return createHash('sha256').update(code, 'utf8').digest('hex')
}

/** Where the code came from; stored with the marker for diagnostics (not secret). */
export interface ExchangeMarkerContext {
  readonly agent?: string
  readonly conversation?: string
}

/** Exactly-once guard for authorization code exchanges. */
export interface ExchangeMarkers {
  /**
   * Records that a token request for `codeHash` is about to be sent. `true` for exactly one caller
   * ever (within the retention); `false` means another delivery already claimed it: do not exchange.
   */
  claim(codeHash: string, now: number, context?: ExchangeMarkerContext): Promise<boolean>
  /** Whether a marker exists for `codeHash`. */
  isClaimed(codeHash: string): Promise<boolean>
  /**
   * Where `codeHash` was claimed (fields the claimer did not give are absent), or `undefined` when
   * it is unclaimed: tells a redelivery (same conversation) from a code injected elsewhere (X12).
   */
  claimant(codeHash: string): Promise<ExchangeMarkerContext | undefined>
  /** Deletes markers older than the retention at `now`; returns how many. */
  purgeExpired(now: number): Promise<number>
}

export interface ExchangeMarkersOptions {
  /** How long markers are kept (default {@link DEFAULT_EXCHANGE_MARKER_RETENTION_MS}). */
  retentionMs?: number
}

/** Exchange markers over `db`. Run `migrateSignInStore(db)` first. */
export function createExchangeMarkers(db: Database, options: ExchangeMarkersOptions = {}): ExchangeMarkers {
  const retentionMs = options.retentionMs ?? DEFAULT_EXCHANGE_MARKER_RETENTION_MS
  return {
    async claim(codeHash, now, context = {}) {
      checkCodeHash(codeHash)
      const { rowCount } = await db.query(
        `INSERT INTO ${T} (code_hash, agent, conversation, claimed_at)
         VALUES ($1, $2, $3, $4) ON CONFLICT (code_hash) DO NOTHING`,
        [codeHash, context.agent ?? null, context.conversation ?? null, now],
      )
      return rowCount === 1
    },

    async isClaimed(codeHash) {
      checkCodeHash(codeHash)
      const { rows } = await db.query(`SELECT 1 AS hit FROM ${T} WHERE code_hash = $1`, [codeHash])
      return rows.length > 0
    },

    async claimant(codeHash) {
      checkCodeHash(codeHash)
      const { rows } = await db.query<{ agent: string | null; conversation: string | null }>(
        `SELECT agent, conversation FROM ${T} WHERE code_hash = $1`,
        [codeHash],
      )
      const row = rows[0]
      if (row === undefined) return undefined
      return {
        ...(row.agent === null ? {} : { agent: row.agent }),
        ...(row.conversation === null ? {} : { conversation: row.conversation }),
      }
    },

    async purgeExpired(now) {
      const { rowCount } = await db.query(`DELETE FROM ${T} WHERE claimed_at <= $1`, [now - retentionMs])
      return rowCount
    },
  }
}

/** Refuses anything but a SHA-256 hex digest, so a raw code can never be stored by mistake. */
function checkCodeHash(codeHash: string): void {
  if (!CODE_HASH_PATTERN.test(codeHash)) {
    throw new InvalidArgumentError('codeHash', 'must be hashAuthorizationCode(code): lower-case hex SHA-256')
  }
}
