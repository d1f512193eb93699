/**
 * @module db/store-error
 * The store errors. {@link StoreError} is the one error both database adapters throw when a
 * statement fails; {@link StoreConflictError} says another writer got there first (retry later). It carries the engine's own
 * error code as data and never the statement's parameters: a failed `INSERT` of a token must not
 * put the token into a log line (PostgreSQL's `detail` field, e.g. `Key (x)=(secret) already
 * exists`, is therefore dropped, and the native error is not attached as `cause`).
 */
import { BmOAuthError } from '../errors.ts'

export interface StoreErrorFields {
  /** Which engine failed. */
  dialect: 'sqlite' | 'postgres'
  /** SQLSTATE (PostgreSQL, e.g. `23505`) or SQLite extended result code name/number (e.g. `2067`). */
  dbCode: string | undefined
  /** True when a UNIQUE or PRIMARY KEY constraint rejected the row. */
  uniqueViolation: boolean
  /** Constraint name when the engine reports one (PostgreSQL only). */
  constraint?: string | undefined
}

/** A database statement or transaction failed (`ERR_STORE`, HTTP 500). */
export class StoreError extends BmOAuthError<'ERR_STORE'> {
  readonly dialect: 'sqlite' | 'postgres'
  readonly dbCode: string | undefined
  readonly uniqueViolation: boolean
  readonly constraint: string | undefined
  constructor(message: string, fields: StoreErrorFields) {
    super('ERR_STORE', message, { status: 500 })
    this.name = 'StoreError'
    this.dialect = fields.dialect
    this.dbCode = fields.dbCode
    this.uniqueViolation = fields.uniqueViolation
    this.constraint = fields.constraint
  }
}

/**
 * Another writer holds or moved the row first (a lost compare-and-set, a refresh still running in
 * another process). Nothing is wrong with the database: re-read and retry later, hence HTTP 503.
 */
export class StoreConflictError extends BmOAuthError<'ERR_STORE_CONFLICT'> {
  constructor(message: string) {
    super('ERR_STORE_CONFLICT', message, { status: 503 })
    this.name = 'StoreConflictError'
  }
}

/**
 * Stored data is of a version this release does not know: a store's schema (`schema_migrations`)
 * newer or older than its code, or a sealed value whose envelope version is newer. The process
 * refuses to serve rather than guess, and never discards such a row as damaged: upgrade the
 * release, or run `bm-oauth migrate` with every instance stopped (docs/operations.md).
 */
export class SchemaVersionError extends BmOAuthError<'ERR_SCHEMA_VERSION'> {
  /** What is versioned: a store's namespace (e.g. `tokens`), or `sealed-envelope`. */
  readonly subject: string
  /** The version found in the database. */
  readonly found: number
  /** The version this release knows. */
  readonly known: number
  constructor(subject: string, found: number, known: number) {
    const advice = found > known ? 'upgrade bm-oauth' : 'run `bm-oauth migrate` with every instance stopped'
    super('ERR_SCHEMA_VERSION', `${subject} is at version ${found}, this release knows ${known}: ${advice}`, {
      status: 503,
    })
    this.name = 'SchemaVersionError'
    this.subject = subject
    this.found = found
    this.known = known
  }
}
