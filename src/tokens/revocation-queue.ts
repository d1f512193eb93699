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
 * The queue is a job table (src/jobs, docs/jobs.md): a claim leases rows in one statement, so two
 * processes never retry the same row at once; a finished row is deleted.
 */
import { randomUUID } from 'node:crypto'
import { silentLogger, type Logger } from '../core/logger.ts'
import { storeMigrator, type Migration, type StoreMigrator } from '../db/migrate.ts'
import type { Database } from '../db/queryable.ts'
import { isBmOAuthError } from '../errors.ts'
import { createJobTable, type JobRow } from '../jobs/job-table.ts'
import { rekeySealedRows } from './rekey.ts'
import type { SealContext, Vault } from './seal.ts'
import type { RekeyOptions, RekeyResult } from './token-store.ts'

/** The queue's migrations (namespace `revocation_queue`). Append, never edit. */
export const revocationQueueMigrations: readonly Migration[] = [
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
  // Version 2: the job columns of src/jobs (docs/jobs.md). A v1 row's next_attempt_at was its retry
  // time or its lease's end; either way it is due then, as a pending job.
  `ALTER TABLE bm_pending_revocations ADD COLUMN state TEXT NOT NULL DEFAULT 'pending';
   ALTER TABLE bm_pending_revocations ADD COLUMN lease_until BIGINT;
   ALTER TABLE bm_pending_revocations RENAME COLUMN next_attempt_at TO available_at`,
]

/** Creates or upgrades the queue table. Idempotent; safe from several processes at once. */
export const migrateRevocationQueue: StoreMigrator = storeMigrator('revocation_queue', revocationQueueMigrations)

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

interface QueueRow extends JobRow {
  agent: string
  provider: string
  token_type_hint: string
  sealed: Uint8Array
  created_at: number | string
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
  // Finished revocations are deleted: the sealed token must not outlive its use.
  const jobs = createJobTable<QueueRow>(db, { table: T, createdColumn: 'created_at', finished: 'delete' })
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
      await jobs.giveUp(row.id, err.code)
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
      // Queued already leased: the caller attempts it now; the queue matters only if that fails.
      await jobs.enqueue(
        `INSERT INTO ${T}
           (id, agent, provider, token_type_hint, key_id, sealed, state, attempts, available_at, lease_until, created_at)
         VALUES ($1, $2, $3, $4, $5, $6, 'leased', 1, $7, $8, $7)`,
        [id, entry.agent, entry.provider, entry.tokenTypeHint, vault.activeKeyId, sealed, now, now + leaseMs],
      )
      return { ...entry, id, attempts: 1, nextAttemptAt: now + leaseMs, createdAt: now }
    },

    async claimDue(agent, provider, now, options) {
      const rows = await jobs.claim(now, { leaseMs: options.leaseMs, limit: options.limit, where: { agent, provider } })
      const claimed: PendingRevocation[] = []
      for (const row of rows) {
        const opened = await openOrDrop(row)
        if (opened !== undefined) claimed.push(opened)
      }
      return claimed
    },

    async reschedule(id, nextAttemptAt, lastError) {
      await jobs.retry(id, nextAttemptAt, lastError)
    },

    remove: (id) => jobs.complete(id),

    async dropCreatedBefore(agent, cutoff) {
      const { rowCount } = await db.query(`DELETE FROM ${T} WHERE agent = $1 AND created_at < $2`, [agent, cutoff])
      return rowCount
    },

    async list(filter = {}) {
      const where = filter.agent === undefined ? '' : 'WHERE agent = $1'
      // Explicit column list: `sealed` is never read for a listing.
      const { rows } = await db.query<QueueRow>(
        `SELECT id, agent, provider, token_type_hint, state, attempts, available_at, lease_until, created_at, last_error
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
    nextAttemptAt: Number(row.state === 'leased' ? row.lease_until : row.available_at),
    createdAt: Number(row.created_at),
  }
}
