/**
 * @module jobs/group-commit
 * Group commit for job inserts (docs/jobs.md "Group commit"). On SQLite every commit is an fsync
 * (`synchronous=FULL`) that blocks the event loop, so one commit per delivery caps ingest at the
 * disk's fsync rate. Here the writes that arrive while the event loop runs one turn are recorded in
 * ONE transaction and each caller's promise settles only after that transaction has committed: a
 * 200 still means the delivery is on disk, and a batch that fails to commit rejects every write in
 * it (the receiver answers 500 to each, so each is redelivered).
 *
 * Each write runs under its own savepoint, so one write's failure (a bad row) rejects that write
 * alone and the others still commit. Writes in one batch run in arrival order, so a duplicate of a
 * row inserted earlier in the same batch sees it (`ON CONFLICT DO NOTHING` reports 0 rows).
 *
 * PostgreSQL already flushes concurrent commits together on the server (WAL group flush) and
 * commits from a pool of connections, so there writes run at once, each in its own implicit
 * transaction; client-side batching there is a separate, multi-row `INSERT` (issue 10, B4).
 */
import { AsyncLocalStorage } from 'node:async_hooks'
import type { Database, Queryable } from '../db/queryable.ts'

/** Runs writes in shared transactions; see the module comment. */
export interface GroupCommit {
  /** Runs `write` inside the next batch's transaction; settles after that transaction commits (or fails). */
  run<T>(write: (tx: Queryable) => Promise<T>): Promise<T>
}

export interface GroupCommitOptions {
  /** The most writes in one transaction (default 512): bounds how long one commit holds the connection. */
  maxBatch?: number
  /**
   * Called inside each batch's transaction after its writes and before `COMMIT`, with the batch
   * size. For fault injection and tests: throwing fails the batch (rolled back, every write rejected).
   */
  beforeCommit?: (size: number) => void | Promise<void>
}

interface Pending {
  write: (tx: Queryable) => Promise<unknown>
  resolve: (value: unknown) => void
  reject: (err: unknown) => void
}

/** A group committer over `db`'s one connection. Prefer {@link groupCommitFor}, which shares one per database. */
export function createGroupCommit(db: Database, options: GroupCommitOptions = {}): GroupCommit {
  if (db.dialect !== 'sqlite') return { run: (write) => write(db) }
  const maxBatch = Math.max(1, Math.trunc(options.maxBatch ?? 512))
  const queue: Pending[] = []
  let scheduled = false
  // Batches run in the context the committer was made in, not in whichever caller's context
  // happened to schedule them (a caller's transaction scope must not leak into the batch).
  const inCreationContext = AsyncLocalStorage.snapshot()

  const flush = async (): Promise<void> => {
    const batch = queue.splice(0, maxBatch)
    const outcomes: Array<{ ok: true; value: unknown } | { ok: false; err: unknown }> = []
    try {
      await db.transaction(async (tx) => {
        for (const item of batch) {
          await tx.query('SAVEPOINT group_write')
          try {
            outcomes.push({ ok: true, value: await item.write(tx) })
          } catch (err) {
            await tx.query('ROLLBACK TO group_write')
            outcomes.push({ ok: false, err })
          }
          await tx.query('RELEASE group_write')
        }
        await options.beforeCommit?.(batch.length)
      })
    } catch (err) {
      for (const item of batch) item.reject(err)
      return
    }
    // Committed: only now is each write answered.
    batch.forEach((item, i) => {
      const outcome = outcomes[i]
      if (outcome?.ok === true) item.resolve(outcome.value)
      else item.reject(outcome?.err)
    })
  }

  const drain = (): void => {
    scheduled = false
    // The connection's lock orders batches; the next one is scheduled once this one is taken.
    void flush().finally(() => {
      if (queue.length > 0) schedule()
    })
  }
  const schedule = (): void => {
    if (scheduled) return
    scheduled = true
    // After the I/O callbacks of this turn, so the requests read together are committed together.
    setImmediate(() => inCreationContext(drain))
  }

  return {
    run<T>(write: (tx: Queryable) => Promise<T>): Promise<T> {
      const { promise, resolve, reject } = Promise.withResolvers<T>()
      queue.push({ write, resolve: resolve as (value: unknown) => void, reject })
      schedule()
      return promise
    },
  }
}

const shared = new WeakMap<Database, GroupCommit>()

/** The one group committer of `db`, shared by every queue on it (one fsync covers all their writes). */
export function groupCommitFor(db: Database): GroupCommit {
  let committer = shared.get(db)
  if (committer === undefined) {
    committer = createGroupCommit(db)
    shared.set(db, committer)
  }
  return committer
}
