/**
 * @module test/contract/token-store-fixtures
 * The databases the store contract suites run against: SQLite in memory, SQLite in a temp file and
 * PostgreSQL in a throwaway cluster. Each fixture opens a fresh empty database per test, can open a
 * second connection to it (a stand-in for a second process) where the engine allows, and can dump
 * what is persisted, as raw bytes, for the encryption-at-rest checks (S5).
 */
import { randomBytes } from 'node:crypto'
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { openPostgresDatabase } from '../../src/db/postgres.ts'
import type { Database } from '../../src/db/queryable.ts'
import { openSQLiteDatabase } from '../../src/db/sqlite.ts'
import { sharedPostgres } from '../support/postgres.ts'

/** One fresh database for one test. */
export interface TestDatabase {
  readonly db: Database
  /** Another connection to the same database (another "process"); absent for `:memory:`. */
  readonly openSecond: (() => Database) | undefined
  /** Closes the database (and `db`) and opens it again: what a restart sees. Absent for `:memory:`. */
  readonly reopen: (() => Promise<Database>) | undefined
  /** Everything persisted in `tables`, as bytes: file bytes (SQLite file) or every row and column (others). */
  rawBytes(tables: readonly string[]): Promise<Buffer>
  /** Closes every connection opened through this fixture and removes temp files. */
  close(): Promise<void>
}

export interface StoreFixture {
  readonly name: string
  /** Why the fixture cannot run here; the suite is skipped with this reason. */
  readonly skip?: string
  open(): Promise<TestDatabase>
}

/** The three engines. PostgreSQL is skipped with a reason when its binaries are missing (never in CI). */
export async function storeFixtures(): Promise<StoreFixture[]> {
  return [sqliteMemoryFixture(), sqliteFileFixture(), await postgresFixture()]
}

function sqliteMemoryFixture(): StoreFixture {
  return {
    name: 'SQLite :memory:',
    async open() {
      const db = openSQLiteDatabase(':memory:')
      return {
        db,
        openSecond: undefined,
        reopen: undefined,
        rawBytes: (tables) => dumpRows(db, tables),
        close: () => db.close(),
      }
    },
  }
}

function sqliteFileFixture(): StoreFixture {
  return {
    name: 'SQLite file',
    async open() {
      const dir = mkdtempSync(join(tmpdir(), 'bm-store-'))
      const path = join(dir, 'store.sqlite')
      const opened: Database[] = []
      const track = (db: Database): Database => {
        opened.push(db)
        return db
      }
      let db = track(openSQLiteDatabase(path))
      return {
        get db() {
          return db
        },
        openSecond: () => track(openSQLiteDatabase(path)),
        reopen: async () => {
          await db.close()
          db = track(openSQLiteDatabase(path))
          return db
        },
        // The database file plus its WAL: every byte SQLite has written, checkpointed or not.
        rawBytes: async () =>
          Buffer.concat([path, `${path}-wal`].filter((p) => existsSync(p)).map((p) => readFileSync(p))),
        close: async () => {
          for (const d of opened) await d.close()
          rmSync(dir, { recursive: true, force: true })
        },
      }
    },
  }
}

async function postgresFixture(): Promise<StoreFixture> {
  const cluster = await sharedPostgres()
  if ('skip' in cluster) {
    return { name: 'PostgreSQL', skip: cluster.skip, open: () => Promise.reject(new Error(cluster.skip)) }
  }
  return {
    name: 'PostgreSQL',
    async open() {
      const connectionString = await cluster.createDatabase(`t_${randomBytes(6).toString('hex')}`)
      const opened: Database[] = []
      const connect = (): Database => {
        const db = openPostgresDatabase({ connectionString, pool: { max: 4 } })
        opened.push(db)
        return db
      }
      let db = connect()
      return {
        get db() {
          return db
        },
        openSecond: connect,
        reopen: async () => {
          await db.close()
          db = connect()
          return db
        },
        rawBytes: (tables) => dumpRows(db, tables),
        close: async () => {
          for (const d of opened) await d.close()
        },
      }
    },
  }
}

/**
 * Every column of every row, as the engine stores it: binary columns as their bytes, everything else
 * as text. On PostgreSQL each row is also rendered whole as text (`t::text`, bytea in hex).
 */
async function dumpRows(db: Database, tables: readonly string[]): Promise<Buffer> {
  const parts: Buffer[] = []
  for (const table of tables) {
    const { rows } = await db.query(`SELECT * FROM ${table}`)
    for (const row of rows) {
      for (const value of Object.values(row)) {
        parts.push(value instanceof Uint8Array ? Buffer.from(value) : Buffer.from(String(value)))
      }
    }
    if (db.dialect === 'postgres') {
      const whole = await db.query<{ t: string }>(`SELECT CAST(x AS TEXT) AS t FROM ${table} x`)
      parts.push(...whole.rows.map((r) => Buffer.from(r.t)))
    }
  }
  return Buffer.concat(parts)
}

/** Whether `raw` contains `secret` as UTF-8, or hex-encoded (PostgreSQL's bytea text form). */
export function containsSecret(raw: Buffer, secret: string): boolean {
  const bytes = Buffer.from(secret, 'utf8')
  return raw.includes(bytes) || raw.includes(Buffer.from(bytes.toString('hex')))
}

/** Runs `fn` with a fresh database from `fixture`, closing it afterwards. */
export async function withDatabase(fixture: StoreFixture, fn: (t: TestDatabase) => Promise<void>): Promise<void> {
  const t = await fixture.open()
  try {
    await fn(t)
  } finally {
    await t.close()
  }
}
