/**
 * @module db/migrate
 * A tiny forward-only migration runner shared by every store. Each store owns a namespace (e.g.
 * `tokens`, `webhook_inbox`) and an ordered list of migrations; version n is the n-th entry. Applied
 * versions are kept in `schema_migrations(namespace, version, applied_at)`.
 *
 * Concurrency: everything happens in ONE transaction that first takes a database-wide migration
 * lock (PostgreSQL: `pg_advisory_xact_lock`; SQLite: `BEGIN IMMEDIATE` already holds the write
 * lock), so two processes starting at once apply each migration exactly once, and a failing
 * migration leaves no partial schema behind (DDL is transactional on both engines).
 *
 * Portability: write migrations in the common subset (TEXT, INTEGER, BIGINT for epoch ms,
 * `{{blob}}` for binary, which becomes BLOB on SQLite and BYTEA on PostgreSQL). A migration may
 * also be a function of the dialect for the rare statement that must differ.
 */
import { systemClock, type Clock } from '../core/clock.ts'
import { InvalidArgumentError } from '../errors.ts'
import type { Database, Queryable } from './queryable.ts'
import { SchemaVersionError } from './store-error.ts'

/**
 * One migration: a script of `;`-separated statements (run by `Queryable.exec`), or a function
 * producing it per dialect. Spell table names out rather than interpolating constants: a shipped
 * migration's text must never change, even when a constant is renamed.
 */
export type Migration = string | ((dialect: Database['dialect']) => string) | DataMigration

/**
 * A schema change that also rewrites existing rows, e.g. re-sealing them under a new seal context
 * (issue 9's channel key): it needs what only `bm-oauth migrate` is given (the vault). Without it, a
 * store with rows to rewrite is refused as older than the code (`ERR_SCHEMA_VERSION`), so a process
 * that merely starts never leaves rows it cannot read; an empty store is migrated at once.
 */
export interface DataMigration {
  readonly schema: string | ((dialect: Database['dialect']) => string)
  /** Whether rows exist that {@link rewrite} must touch (asked before the schema change). */
  needsRewrite(tx: Queryable): Promise<boolean>
  /** Rewrites the rows after the schema change, in the same transaction. */
  rewrite(tx: Queryable, data: MigrationData): Promise<void>
}

/** What a {@link DataMigration} may need: the vault, to re-seal rows (the token vault's shape). */
export interface MigrationData {
  readonly vault: MigrationVault
}

/** The part of the token vault a data migration uses (declared here: the db layer imports no store). */
export interface MigrationVault {
  readonly activeKeyId: string
  seal(plaintext: Uint8Array, context: Readonly<Record<string, string>>): Uint8Array
  open(sealed: Uint8Array, context: Readonly<Record<string, string>>): Uint8Array
}

export interface MigrateOptions {
  /** Source of `applied_at` (default: the system clock). */
  clock?: Clock
  /** Given by `bm-oauth migrate` only (every instance stopped): lets data migrations run. */
  data?: MigrationData
}

export interface MigrateResult {
  /** Versions applied by this call, ascending (empty when the schema was already current). */
  applied: number[]
}

/**
 * A store's migrate function: brings the store's tables up to date (see {@link migrate}).
 * Idempotent; safe to call from several processes at once.
 */
export type StoreMigrator = (db: Database, options?: MigrateOptions) => Promise<MigrateResult>

/**
 * The one way a store declares its schema: its namespace in `schema_migrations` and its ordered
 * migrations (append, never edit), as the function that applies them.
 *
 * @example
 * export const migrateWidgetStore = storeMigrator('widgets', ['CREATE TABLE widget (id TEXT PRIMARY KEY)'])
 */
export function storeMigrator(namespace: string, migrations: readonly Migration[]): StoreMigrator {
  return (db, options) => migrate(db, namespace, migrations, options)
}

/** Arbitrary fixed key for the PostgreSQL advisory lock held while migrating. */
const ADVISORY_LOCK_KEY = 0x626d_6f61 // "bmoa"

/**
 * Brings `namespace` up to date by applying, in order, the migrations not yet recorded.
 * Idempotent; safe to call from several processes at once.
 *
 * @example
 * await migrate(db, 'webhook_inbox', ['CREATE TABLE webhook_inbox (id TEXT PRIMARY KEY, payload {{blob}})'])
 */
export async function migrate(
  db: Database,
  namespace: string,
  migrations: readonly Migration[],
  options: MigrateOptions = {},
): Promise<MigrateResult> {
  if (!/^[a-z][a-z0-9_]*$/.test(namespace)) {
    throw new InvalidArgumentError('namespace', 'lower-case letters, digits and underscores, starting with a letter')
  }
  const clock = options.clock ?? systemClock
  return db.transaction(async (tx) => {
    if (db.dialect === 'postgres') await tx.query('SELECT pg_advisory_xact_lock($1)', [ADVISORY_LOCK_KEY])
    await tx.query(
      `CREATE TABLE IF NOT EXISTS schema_migrations (
         namespace TEXT NOT NULL,
         version INTEGER NOT NULL,
         applied_at BIGINT NOT NULL,
         PRIMARY KEY (namespace, version)
       )`,
    )
    const done = await appliedVersions(tx, namespace)
    // A newer release migrated this database: its rows may mean something this code cannot read (S13).
    const newest = Math.max(0, ...done)
    if (newest > migrations.length) throw new SchemaVersionError(namespace, newest, migrations.length)
    const applied: number[] = []
    for (const [index, migration] of migrations.entries()) {
      const version = index + 1
      if (done.has(version)) continue
      if (typeof migration === 'object') {
        const rewrite = await migration.needsRewrite(tx)
        if (rewrite && options.data === undefined)
          throw new SchemaVersionError(namespace, version - 1, migrations.length)
        await tx.exec(renderMigration(migration.schema, db.dialect))
        if (rewrite && options.data !== undefined) await migration.rewrite(tx, options.data)
      } else {
        await tx.exec(renderMigration(migration, db.dialect))
      }
      await tx.query('INSERT INTO schema_migrations (namespace, version, applied_at) VALUES ($1, $2, $3)', [
        namespace,
        version,
        clock.now(),
      ])
      applied.push(version)
    }
    return { applied }
  })
}

async function appliedVersions(tx: Queryable, namespace: string): Promise<Set<number>> {
  const { rows } = await tx.query<{ version: number | string }>(
    'SELECT version FROM schema_migrations WHERE namespace = $1',
    [namespace],
  )
  return new Set(rows.map((r) => Number(r.version)))
}

/** Expands the dialect placeholders of a migration script. */
export function renderMigration(migration: DataMigration['schema'], dialect: Database['dialect']): string {
  const script = typeof migration === 'function' ? migration(dialect) : migration
  return script.replaceAll('{{blob}}', dialect === 'postgres' ? 'BYTEA' : 'BLOB')
}
