/**
 * @module db/sqlite
 * The embedded {@link Database} adapter on `node:sqlite` (`DatabaseSync`, SQLite 3.5x in Node 24).
 *
 * - Durability: WAL journal with `synchronous=FULL` (a committed row survives power loss),
 *   `busy_timeout` so a second process waits for the write lock instead of failing at once, and
 *   `foreign_keys=ON`.
 * - SQL: portable `$n` placeholders are rewritten to `?n`; prepared statements are cached (LRU).
 * - Values: BLOBs read back as `Uint8Array`; booleans are stored as 0/1. Integers are read as
 *   JavaScript numbers (`setReadBigInts(false)`), which is exact for every value the stores keep:
 *   epoch milliseconds stay below `Number.MAX_SAFE_INTEGER` until the year 287396. Reading a larger
 *   integer throws rather than losing precision.
 * - Concurrency: `DatabaseSync` is synchronous, so a single statement never interleaves with
 *   another. A transaction callback may await, however, so transactions hold the async lock
 *   (`core/keyed-lock`) from `BEGIN IMMEDIATE` to `COMMIT`, and statements issued outside it on the
 *   same connection wait.
 *   `BEGIN IMMEDIATE` takes SQLite's write lock up front, which serialises writers across processes
 *   too (waiting up to `busyTimeoutMs`, blocking the event loop meanwhile: keep transactions short).
 *
 * Open one connection per file per process: a second connection to the same file in the same
 * process would busy-wait synchronously for a lock the first can only release once the event loop
 * runs again. This adapter is one connection for one process. Saying so loudly at startup is the caller's job.
 */
import { AsyncLocalStorage } from 'node:async_hooks'
import { DatabaseSync, type SQLInputValue, type StatementSync } from 'node:sqlite'
import { BmOAuthError } from '../errors.ts'
import { KeyedLock } from '../core/keyed-lock.ts'
import type { Database, QueryResult, Queryable, Row, SQLValue } from './queryable.ts'
import { rewritePlaceholders } from './sql-text.ts'
import { StoreError } from './store-error.ts'

export interface OpenSQLiteDatabaseOptions {
  /** How long to wait for another connection's write lock, in ms (default 5000). */
  busyTimeoutMs?: number
  /** How many prepared statements to keep (default 256). */
  statementCacheSize?: number
}

/**
 * Opens (creating if needed) an SQLite database file, or a private in-memory one for `':memory:'`.
 *
 * @example
 * const db = openSQLiteDatabase('./bm-oauth.sqlite')
 * await db.query('SELECT 1 AS one WHERE $1 = $1', [1])
 */
export function openSQLiteDatabase(path: string, options: OpenSQLiteDatabaseOptions = {}): Database {
  const busyTimeoutMs = options.busyTimeoutMs ?? 5000
  let native: DatabaseSync
  try {
    native = new DatabaseSync(path, { timeout: busyTimeoutMs, enableForeignKeyConstraints: true, readBigInts: false })
    native.exec('PRAGMA journal_mode = WAL')
    native.exec('PRAGMA synchronous = FULL')
    native.exec(`PRAGMA busy_timeout = ${Math.trunc(busyTimeoutMs)}`)
    native.exec('PRAGMA foreign_keys = ON')
  } catch (err) {
    throw toStoreError(err, `cannot open SQLite database at ${path}`)
  }
  return new SQLiteDatabase(native, options.statementCacheSize ?? 256)
}

/** The one key of the connection's lock. */
const CONNECTION = 'connection'

class SQLiteDatabase implements Database {
  readonly dialect = 'sqlite' as const
  readonly #native: DatabaseSync
  readonly #statements = new Map<string, StatementSync>()
  readonly #cacheSize: number
  /** Held (under {@link CONNECTION}) for a whole transaction and for closing. */
  readonly #lock = new KeyedLock()
  /** Marks the async context of a running transaction callback, to catch `db.query` misuse there. */
  readonly #inTransaction = new AsyncLocalStorage<{ active: boolean }>()
  #closed = false

  constructor(native: DatabaseSync, cacheSize: number) {
    this.#native = native
    this.#cacheSize = Math.max(1, cacheSize)
  }

  async query<R extends Row = Row>(text: string, params: readonly SQLValue[] = []): Promise<QueryResult<R>> {
    this.#refuseInsideOwnTransaction('query')
    if (!this.#lock.isHeld(CONNECTION)) return this.#execute<R>(text, params)
    return this.#lock.run(CONNECTION, () => this.#execute<R>(text, params))
  }

  async exec(script: string): Promise<void> {
    this.#refuseInsideOwnTransaction('exec')
    if (!this.#lock.isHeld(CONNECTION)) return this.#executeScript(script)
    return this.#lock.run(CONNECTION, () => this.#executeScript(script))
  }

  async transaction<T>(fn: (tx: Queryable) => Promise<T>): Promise<T> {
    this.#refuseInsideOwnTransaction('transaction')
    return this.#lock.run(CONNECTION, async () => {
      const scope = { active: true }
      const ensureActive = (): void => {
        if (!scope.active) throw new StoreError('transaction already ended', plainFields())
      }
      const tx: Queryable = {
        query: async <R extends Row = Row>(text: string, params: readonly SQLValue[] = []) => {
          ensureActive()
          return this.#execute<R>(text, params)
        },
        exec: async (script: string) => {
          ensureActive()
          this.#executeScript(script)
        },
      }
      try {
        this.#execute('BEGIN IMMEDIATE', [])
        let result: T
        try {
          result = await this.#inTransaction.run(scope, () => fn(tx))
          this.#execute('COMMIT', [])
        } catch (err) {
          if (this.#native.isOpen && this.#native.isTransaction) this.#native.exec('ROLLBACK')
          throw err
        }
        return result
      } finally {
        scope.active = false
      }
    })
  }

  async close(): Promise<void> {
    if (this.#closed) return
    await this.#lock.run(CONNECTION, () => {
      this.#closed = true
      this.#statements.clear()
      this.#native.close()
    })
  }

  #refuseInsideOwnTransaction(what: string): void {
    // Calling the database itself (not `tx`) inside its own transaction would wait for the lock
    // the transaction holds: a silent deadlock. Fail loudly instead. Work the callback started
    // that outlives the transaction is not affected (the scope is marked inactive at the end).
    if (this.#inTransaction.getStore()?.active === true) {
      throw new StoreError(`db.${what}() called inside db.transaction(); use the tx argument`, plainFields())
    }
  }

  #execute<R extends Row>(text: string, params: readonly SQLValue[]): QueryResult<R> {
    if (this.#closed) throw new StoreError('database is closed', plainFields())
    try {
      const statement = this.#prepare(text)
      const args = params.map(toSQLiteValue)
      if (statement.columns().length === 0) {
        const { changes } = statement.run(...args)
        return { rows: [], rowCount: isDataChange(text) ? Number(changes) : 0 }
      }
      const before = leadingKeyword(text) === 'with' ? this.#totalChanges() : undefined
      // Spread into plain objects: node:sqlite rows have a null prototype, which surprises deepEqual.
      const rows = statement.all(...args).map((row) => ({ ...row }) as R)
      const rowCount = before !== undefined ? this.#totalChanges() - before : isDataChange(text) ? rows.length : 0
      return { rows, rowCount }
    } catch (err) {
      throw toStoreError(err, 'SQLite statement failed')
    }
  }

  #executeScript(script: string): void {
    if (this.#closed) throw new StoreError('database is closed', plainFields())
    try {
      this.#native.exec(script)
    } catch (err) {
      throw toStoreError(err, 'SQLite script failed')
    }
  }

  #prepare(text: string): StatementSync {
    const cached = this.#statements.get(text)
    if (cached !== undefined) {
      this.#statements.delete(text)
      this.#statements.set(text, cached)
      return cached
    }
    const statement = this.#native.prepare(rewritePlaceholders(text))
    statement.setReadBigInts(false)
    this.#statements.set(text, statement)
    if (this.#statements.size > this.#cacheSize) {
      const oldest = this.#statements.keys().next().value
      if (oldest !== undefined) this.#statements.delete(oldest)
    }
    return statement
  }

  #totalChanges(): number {
    return Number(this.#prepare('SELECT total_changes() AS n').get()?.['n'] ?? 0)
  }
}

function toSQLiteValue(value: SQLValue): SQLInputValue {
  if (typeof value === 'boolean') return value ? 1 : 0
  return value
}

/** The first SQL keyword, past whitespace, comments and opening parentheses, in lower case. */
export function leadingKeyword(sql: string): string {
  const match = /^(?:\s+|--[^\n]*\n?|\/\*[\s\S]*?\*\/|\()*([A-Za-z]+)/.exec(sql)
  return match?.[1]?.toLowerCase() ?? ''
}

function isDataChange(sql: string): boolean {
  return ['insert', 'update', 'delete', 'replace', 'with'].includes(leadingKeyword(sql))
}

function plainFields(): { dialect: 'sqlite'; dbCode: undefined; uniqueViolation: false } {
  return { dialect: 'sqlite', dbCode: undefined, uniqueViolation: false }
}

const SQLITE_CONSTRAINT_PRIMARYKEY = 1555
const SQLITE_CONSTRAINT_UNIQUE = 2067

/** SQLite messages name tables, columns and constraints, never bound values, so they are kept. */
function toStoreError(err: unknown, context: string): BmOAuthError {
  if (err instanceof BmOAuthError) return err
  const errcode = (err as { errcode?: unknown } | null)?.errcode
  const message = err instanceof Error ? err.message : String(err)
  return new StoreError(`${context}: ${message}`, {
    dialect: 'sqlite',
    dbCode: typeof errcode === 'number' ? String(errcode) : undefined,
    uniqueViolation: errcode === SQLITE_CONSTRAINT_UNIQUE || errcode === SQLITE_CONSTRAINT_PRIMARYKEY,
  })
}
