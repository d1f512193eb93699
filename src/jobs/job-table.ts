/**
 * @module jobs/job-table
 * The one durable job mechanism: claim with a lease, count attempts, retry at a time, complete, give
 * up. A queue is a table with the job columns below next to its own payload columns; this module
 * runs the portable SQL (SQLite and PostgreSQL) on it, and each queue is a thin typed layer over it
 * (the webhook inbox, the revocation queue). Why one mechanism, the states and the lease rules:
 * docs/jobs.md.
 *
 * Job columns: `id TEXT PRIMARY KEY`, `state TEXT NOT NULL` (`pending`, `leased`, then `done` or
 * `dead` when finished rows are kept), `attempts INTEGER NOT NULL`, `available_at BIGINT NOT NULL`
 * (when a pending job is due), `lease_until BIGINT` (when a leased job's claim runs out) and
 * `last_error TEXT`.
 */
import type { Database, Row, SQLValue } from '../db/queryable.ts'
import { type GroupCommit, groupCommitFor } from './group-commit.ts'

/** How a queue's table is laid out. Names are trusted constants, never user input. */
export interface JobTableSpec {
  readonly table: string
  /** The creation-time column: jobs due at the same time are claimed oldest first. */
  readonly createdColumn: string
  /** Whether finished jobs stay as `done`/`dead` rows (a dedupe key, a record) or are deleted. */
  readonly finished: 'keep' | 'delete'
  /** How enqueues are committed (default: the database's shared {@link groupCommitFor}). */
  readonly groupCommit?: GroupCommit
}

/** The job columns every claimed row carries. */
export interface JobRow extends Row {
  id: string
  state: string
  attempts: number | string
  available_at: number | string
  lease_until: number | string | null
  last_error: string | null
}

export interface ClaimOptions {
  readonly leaseMs: number
  /** At most this many jobs (default 1). */
  readonly limit?: number
  /** Only jobs whose columns equal these values (e.g. one agent's and provider's). */
  readonly where?: Readonly<Record<string, SQLValue>>
}

/** The longest `last_error` kept: a code and a short reason, never a payload. */
const MAX_REASON_CHARS = 500

/** The job operations on one queue's table. */
export interface JobTable<R extends JobRow> {
  /**
   * Runs the queue's own `INSERT` of one job (`text`, `params`) in a group commit with the other
   * enqueues of this turn; resolves with its row count once its transaction has committed.
   */
  enqueue(text: string, params: readonly SQLValue[]): Promise<number>
  /**
   * Leases up to `limit` due jobs (pending and due, or leased with the lease run out) until
   * `now + leaseMs`, counting one attempt each, oldest due first; returns their rows.
   */
  claim(now: number, options: ClaimOptions): Promise<R[]>
  /** Makes a job pending again, due at `retryAt`, keeping `reason` (no secrets) as its last error. */
  retry(id: string, retryAt: number, reason: string): Promise<void>
  /**
   * Finishes a job that succeeded; `set` also updates columns of the queue's own where finished
   * rows are kept (e.g. drops a payload). Returns whether the job existed.
   */
  complete(id: string, set?: Readonly<Record<string, SQLValue>>): Promise<boolean>
  /** Finishes a job for good without success, keeping `reason` where finished rows are kept. Returns whether it existed. */
  giveUp(id: string, reason: string): Promise<boolean>
}

/** The job operations on `spec.table` over `db`. */
export function createJobTable<R extends JobRow>(db: Database, spec: JobTableSpec): JobTable<R> {
  const T = spec.table
  const group = spec.groupCommit ?? groupCommitFor(db)
  const finish = async (id: string, state: 'done' | 'dead', set: Array<[string, SQLValue]>): Promise<boolean> => {
    if (spec.finished === 'delete') return (await db.query(`DELETE FROM ${T} WHERE id = $1`, [id])).rowCount > 0
    const setSQL = set.map(([column], i) => `, ${column} = $${i + 3}`).join('')
    const { rowCount } = await db.query(`UPDATE ${T} SET state = $2, lease_until = NULL${setSQL} WHERE id = $1`, [
      id,
      state,
      ...set.map(([, value]) => value),
    ])
    return rowCount > 0
  }
  return {
    async enqueue(text, params) {
      return group.run(async (tx) => (await tx.query(text, params)).rowCount)
    },

    async claim(now, options) {
      const scope = Object.entries(options.where ?? {})
      const scopeSQL = scope.map(([column], i) => ` AND ${column} = $${i + 4}`).join('')
      const due = `((state = 'pending' AND available_at <= $1) OR (state = 'leased' AND lease_until <= $1))`
      const pick = `SELECT id FROM ${T} WHERE ${due}${scopeSQL} ORDER BY available_at, ${spec.createdColumn}, id LIMIT $3`
      // PostgreSQL: SKIP LOCKED lets concurrent claimers take different rows, and ARRAY(…) makes the
      // pick an init plan run once (a plain `IN (…)` may be re-run per row and lease more than the
      // limit); the repeated `due` check makes a lost race return nothing rather than a double claim.
      // SQLite serialises writers and runs an uncorrelated `IN (…)` once.
      const picked = db.dialect === 'postgres' ? `= ANY(ARRAY(${pick} FOR UPDATE SKIP LOCKED))` : `IN (${pick})`
      const { rows } = await db.query<R>(
        `UPDATE ${T} SET state = 'leased', lease_until = $2, attempts = attempts + 1
          WHERE id ${picked} AND ${due}
          RETURNING *`,
        [now, now + options.leaseMs, Math.max(1, Math.trunc(options.limit ?? 1)), ...scope.map(([, value]) => value)],
      )
      // RETURNING keeps no order: put the batch back in claim order.
      const key = (row: R): [number, number, string] => [
        Number(row.available_at),
        Number(row[spec.createdColumn]),
        row.id,
      ]
      return rows.sort((a, b) => compareKeys(key(a), key(b)))
    },

    async retry(id, retryAt, reason) {
      await db.query(
        `UPDATE ${T} SET state = 'pending', lease_until = NULL, available_at = $2, last_error = $3 WHERE id = $1`,
        [id, retryAt, reason.slice(0, MAX_REASON_CHARS)],
      )
    },

    async complete(id, set = {}) {
      return finish(id, 'done', Object.entries(set))
    },

    async giveUp(id, reason) {
      return finish(id, 'dead', [['last_error', reason.slice(0, MAX_REASON_CHARS)]])
    },
  }
}

function compareKeys(a: [number, number, string], b: [number, number, string]): number {
  return a[0] - b[0] || a[1] - b[1] || (a[2] < b[2] ? -1 : a[2] > b[2] ? 1 : 0)
}
