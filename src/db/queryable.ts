/**
 * @module db/queryable
 * The one small SQL interface every store is written against. Two adapters implement it:
 * `sqlite.ts` (node:sqlite, the embedded default) and `postgres.ts` (pg, the only importer of `pg`).
 *
 * Portable SQL rules: placeholders are `$1, $2, …`; times are epoch-ms integers (BIGINT) passed in
 * as parameters (the injected clock); binary values are BLOB/BYTEA and read back as `Uint8Array`;
 * `INSERT … ON CONFLICT … DO UPDATE`, `DELETE/UPDATE … RETURNING` work on both engines.
 */

export type SQLValue = string | number | bigint | boolean | null | Uint8Array

export type Row = Record<string, unknown>

export interface QueryResult<R extends Row = Row> {
  rows: R[]
  /** Rows inserted, updated or deleted (0 for plain selects). */
  rowCount: number
}

export interface Queryable {
  query<R extends Row = Row>(text: string, params?: readonly SQLValue[]): Promise<QueryResult<R>>
  /**
   * Runs a script of `;`-separated statements, without parameters or results (migrations).
   * SQLite: `DatabaseSync.exec`; PostgreSQL: one simple-protocol query. Inside a transaction, a
   * failing statement rolls back the earlier ones with the rest of the transaction.
   */
  exec(script: string): Promise<void>
}

export interface Database extends Queryable {
  /** Which SQL dialect is behind it, for the rare statement that must differ. */
  readonly dialect: 'sqlite' | 'postgres'
  /**
   * Runs `fn` in one transaction (SQLite: `BEGIN IMMEDIATE`; PostgreSQL: a pooled client).
   * Commits when `fn` resolves, rolls back and rethrows when it rejects.
   */
  transaction<T>(fn: (tx: Queryable) => Promise<T>): Promise<T>
  /**
   * Cross-process wake-ups (PostgreSQL `LISTEN`/`NOTIFY`; absent on SQLite, where one process owns
   * the file): `onNotify` runs for each `notify(channel)` from any connection. A lost connection is
   * re-established; callers keep polling as the fallback, so a missed notification only waits for
   * the next poll.
   */
  listen?(channel: string, onNotify: () => void): Promise<{ close(): Promise<void> }>
  notify?(channel: string): Promise<void>
  close(): Promise<void>
}
