/**
 * @module tokens/revocation-queue
 * Durable queue of RFC 7009 revocations still owed to a provider (security case R8). When a user
 * signs out, the grant's tokens leave the token store at once (nobody may use them again, R9), but a
 * provider that answered 503, timed out or was unreachable must be assumed to still hold them
 * (RFC 7009 §2.2.1), so each token waits here until a retry gets a 200 or a horizon passes.
 *
 * The token is sealed with the vault under its own purpose (`pending-revocation`), bound to the
 * row's id, agent, provider and hint: a sealed value copied to another row or read as a token set
 * fails to open (S1). Everything else is in clear for operators. Portable SQL (SQLite, PostgreSQL).
 * Claims are compare-and-set on `next_attempt_at`, so two processes never retry the same row at once.
 */
import { randomUUID } from 'node:crypto'
import { silentLogger, type Logger } from '../core/logger.ts'
import { storeMigrator, type StoreMigrator } from '../db/migrate.ts'
import type { Database, Row } from '../db/queryable.ts'
import { isBmOAuthError } from '../errors.ts'
import { rekeySealedRows } from './rekey.ts'
import type { SealContext, Vault } from './seal.ts'
import type { RekeyOptions, RekeyResult } from './token-store.ts'

/** Creates or upgrades the queue table (namespace `revocation_queue`). Append, never edit. */
export const migrateRevocationQueue: StoreMigrator = storeMigrator('revocation_queue', [
  `CREATE TABLE bm_pending_revocations (
     id TEXT PRIMARY KEY,
     agent TEXT NOT NULL,
     provider TEXT NOT NULL,
     token_type_hint TEXT NOT NULL,
     key_id TEXT NOT NULL,
     sealed {{blob}} NOT NULL,
     attempts INTEGER NOT NULL,
     next_attempt_at BIGINT NOT NULL,
     created_at BIGINT NOT NULL,
     last_error TEXT
   );
   CREATE INDEX bm_pending_revocations_due ON bm_pending_revocations (agent, provider, next_attempt_at);
   CREATE INDEX bm_pending_revocations_key_id ON bm_pending_revocations (key_id)`,
])

export type RevocationTokenTypeHint = 'refresh_token' | 'access_token'

/** A revocation to send. */
export interface NewRevocation {
  /** The agent whose client credentials authenticate the request. */
  readonly agent: string
  /** Provider id (issuer, else token endpoint) the token was issued by. */
  readonly provider: string
  /** The token (secret: sealed at rest, never logged). */
  readonly token: string
  readonly tokenTypeHint: RevocationTokenTypeHint
}

/** A queued revocation, token opened. */
export interface PendingRevocation extends NewRevocation {
  readonly id: string
  /** Attempts started so far (a claim counts as one). */
  readonly attempts: number
  readonly nextAttemptAt: number
  readonly createdAt: number
}

/** What an operator sees: no token. */
export type PendingRevocationSummary = Omit<PendingRevocation, 'token'> & { readonly lastError: string | undefined }

export interface RevocationQueue {
  /**
   * Queues a revocation as already claimed by the caller (attempt 1 running): no other process
   * picks it up before `now + leaseMs`, which also covers a crash before the first attempt.
   */
  enqueue(entry: NewRevocation, now: number, leaseMs: number): Promise<PendingRevocation>
  /**
   * Claims up to `limit` rows of (agent, provider) due at `now`: each gets `attempts + 1` and is
   * hidden until `now + leaseMs`. Rows another process claimed first are skipped. A row no listed
   * key can open (key removed, or damaged) can never be sent: it is deleted and logged, not returned.
   */
  claimDue(
    agent: string,
    provider: string,
    now: number,
    options: { leaseMs: number; limit: number },
  ): Promise<PendingRevocation[]>
  /** Sets when to try a row again; `lastError` is an error code, never provider text with secrets. */
  reschedule(id: string, nextAttemptAt: number, lastError: string): Promise<void>
  /** Deletes a row (revoked, or given up). Returns whether it existed. */
  remove(id: string): Promise<boolean>
  /** Deletes the agent's rows created before `cutoff` (past the retry horizon); returns how many. */
  dropCreatedBefore(agent: string, cutoff: number): Promise<number>
  /** Queued rows, oldest first, without tokens. */
  list(filter?: { agent?: string }): Promise<PendingRevocationSummary[]>
  /** Re-seals every row under the active key (S3). */
  rekey(options?: RekeyOptions): Promise<RekeyResult>
}

interface QueueRow extends Row {
  id: string
  agent: string
  provider: string
  token_type_hint: string
  sealed: Uint8Array
  attempts: number | string
  next_attempt_at: number | string
  created_at: number | string
  last_error: string | null
}

/** The AEAD context of a queued token. */
function revocationSealContext(row: {
  id: string
  agent: string
  provider: string
  token_type_hint: string
}): SealContext {
  return {
    purpose: 'pending-revocation',
    id: row.id,
    agent: row.agent,
    provider: row.provider,
    hint: row.token_type_hint,
  }
}

/** The table the queries use (the migration spells it out: its text never changes). */
export const REVOCATION_QUEUE_TABLE = 'bm_pending_revocations'
const T = REVOCATION_QUEUE_TABLE

export interface RevocationQueueOptions {
  /** Where a dropped unreadable row is reported (ids only, never a token). Default: silent. */
  readonly logger?: Logger
}

/** The queue over `db`. Run {@link migrateRevocationQueue} first. */
export function createRevocationQueue(
  db: Database,
  vault: Vault,
  options: RevocationQueueOptions = {},
): RevocationQueue {
  const logger = options.logger ?? silentLogger
  const open = (row: QueueRow): PendingRevocation => ({
    ...summaryOf(row),
    token: vault.openText(row.sealed, revocationSealContext(row)),
  })
  /** Opens a claimed row; one that cannot be opened is deleted (it would come back every pass until the horizon). */
  const openOrDrop = async (row: QueueRow): Promise<PendingRevocation | undefined> => {
    try {
      return open(row)
    } catch (err) {
      if (!isBmOAuthError(err, 'ERR_TOKEN_VAULT_DECRYPT')) throw err
      await db.query(`DELETE FROM ${T} WHERE id = $1`, [row.id])
      const fields = {
        revocationId: row.id,
        agent: row.agent,
        provider: row.provider,
        hint: row.token_type_hint,
        errCode: err.code,
      }
      logger.error(fields, 'queued revocation cannot be opened (vault key removed or row damaged); dropped')
      return undefined
    }
  }
  return {
    async enqueue(entry, now, leaseMs) {
      const id = randomUUID()
      const context = { id, agent: entry.agent, provider: entry.provider, token_type_hint: entry.tokenTypeHint }
      const sealed = vault.seal(entry.token, revocationSealContext(context))
      await db.query(
        `INSERT INTO ${T} (id, agent, provider, token_type_hint, key_id, sealed, attempts, next_attempt_at, created_at)
         VALUES ($1, $2, $3, $4, $5, $6, 1, $7, $8)`,
        [id, entry.agent, entry.provider, entry.tokenTypeHint, vault.activeKeyId, sealed, now + leaseMs, now],
      )
      return { ...entry, id, attempts: 1, nextAttemptAt: now + leaseMs, createdAt: now }
    },

    async claimDue(agent, provider, now, options) {
      const { rows } = await db.query<QueueRow>(
        `SELECT * FROM ${T} WHERE agent = $1 AND provider = $2 AND next_attempt_at <= $3
          ORDER BY next_attempt_at LIMIT $4`,
        [agent, provider, now, Math.max(1, Math.trunc(options.limit))],
      )
      const claimed: PendingRevocation[] = []
      for (const row of rows) {
        const { rowCount } = await db.query(
          `UPDATE ${T} SET attempts = attempts + 1, next_attempt_at = $2 WHERE id = $1 AND next_attempt_at = $3`,
          [row.id, now + options.leaseMs, row.next_attempt_at],
        )
        if (rowCount !== 1) continue // another process claimed it first
        const next = { ...row, attempts: Number(row.attempts) + 1, next_attempt_at: now + options.leaseMs }
        const opened = await openOrDrop(next)
        if (opened !== undefined) claimed.push(opened)
      }
      return claimed
    },

    async reschedule(id, nextAttemptAt, lastError) {
      await db.query(`UPDATE ${T} SET next_attempt_at = $2, last_error = $3 WHERE id = $1`, [
        id,
        nextAttemptAt,
        lastError.slice(0, 200),
      ])
    },

    async remove(id) {
      const { rowCount } = await db.query(`DELETE FROM ${T} WHERE id = $1`, [id])
      return rowCount > 0
    },

    async dropCreatedBefore(agent, cutoff) {
      const { rowCount } = await db.query(`DELETE FROM ${T} WHERE agent = $1 AND created_at < $2`, [agent, cutoff])
      return rowCount
    },

    async list(filter = {}) {
      const where = filter.agent === undefined ? '' : 'WHERE agent = $1'
      // Explicit column list: `sealed` is never read for a listing.
      const { rows } = await db.query<QueueRow>(
        `SELECT id, agent, provider, token_type_hint, attempts, next_attempt_at, created_at, last_error
           FROM ${T} ${where} ORDER BY created_at, id`,
        filter.agent === undefined ? [] : [filter.agent],
      )
      return rows.map((row) => ({ ...summaryOf(row), lastError: row.last_error ?? undefined }))
    },

    rekey: (options) =>
      rekeySealedRows(
        db,
        vault,
        {
          table: T,
          keyColumns: ['id'],
          contextColumns: ['agent', 'provider', 'token_type_hint'],
          contextOf: (row) => revocationSealContext(row as QueueRow),
        },
        options,
      ),
  }
}

function summaryOf(row: QueueRow): Omit<PendingRevocation, 'token'> {
  return {
    id: row.id,
    agent: row.agent,
    provider: row.provider,
    tokenTypeHint: row.token_type_hint === 'refresh_token' ? 'refresh_token' : 'access_token',
    attempts: Number(row.attempts),
    nextAttemptAt: Number(row.next_attempt_at),
    createdAt: Number(row.created_at),
  }
}
