/**
 * @module db/postgres
 * The PostgreSQL {@link Database} adapter, and the only module that imports `pg`.
 *
 * - A `pg.Pool` runs plain queries; {@link Database.transaction} checks out one dedicated client
 *   for `BEGIN … COMMIT/ROLLBACK`, so statements of concurrent transactions never mix.
 * - Values: `BYTEA` reads back as a fresh `Uint8Array` (a copy, never a view into a pooled
 *   `Buffer` slab); `BIGINT` (int8, also `COUNT(*)`) reads back as a JavaScript number, exact for
 *   epoch ms and counters, and a value beyond `Number.MAX_SAFE_INTEGER` fails the query instead of
 *   losing precision. These parsers are set on this pool's clients only, never globally in `pg`.
 * - Errors become {@link StoreError}: PostgreSQL's `detail` (which quotes row values such as a
 *   duplicate key) is dropped, and so is the message of data exceptions (SQLSTATE class 22, which
 *   can quote an input value).
 */
import pg from 'pg'
import type { Logger } from '../core/logger.ts'
import { silentLogger } from '../core/logger.ts'
import { BmOAuthError } from '../errors.ts'
import type { Database, QueryResult, Queryable, Row, SQLValue } from './queryable.ts'
import { StoreError } from './store-error.ts'

/** Options for {@link openPostgresDatabase}: a connection string, or full pool settings. */
export type OpenPostgresDatabaseOptions = (
  | { connectionString: string; pool?: Omit<pg.PoolConfig, 'connectionString' | 'types'> }
  | { pool: Omit<pg.PoolConfig, 'types'> }
) & {
  /** Receives pool-level connection errors (logged without connection details). */
  logger?: Logger
}

const INT8_OID = 20
const BYTEA_OID = 17

/**
 * Opens a pooled PostgreSQL database. No connection is made until the first query.
 *
 * @example
 * const db = openPostgresDatabase({ connectionString: 'postgres://bm@127.0.0.1/bm_oauth' })
 */
export function openPostgresDatabase(options: OpenPostgresDatabaseOptions): Database {
  const base: pg.PoolConfig =
    'connectionString' in options
      ? { ...options.pool, connectionString: options.connectionString }
      : { ...options.pool }
  const pool = new pg.Pool({
    application_name: 'bm-oauth',
    ...base,
    types: { getTypeParser: getTypeParser as pg.CustomTypesConfig['getTypeParser'] },
  })
  const logger = options.logger ?? silentLogger
  // Without a listener an idle client's network error would crash the process.
  pool.on('error', (err) => logger.warn({ dbCode: (err as { code?: string }).code }, 'PostgreSQL idle client error'))
  return new PostgresDatabase(pool, () => new pg.Client({ application_name: 'bm-oauth-listen', ...base }))
}

function getTypeParser(oid: number, format?: 'text' | 'binary'): (value: string) => unknown {
  if (oid === INT8_OID) return parseSafeInteger
  if (oid === BYTEA_OID) {
    const parseBuffer = pg.types.getTypeParser(BYTEA_OID, format ?? 'text') as (value: string) => Buffer
    return (value) => new Uint8Array(parseBuffer(value))
  }
  return pg.types.getTypeParser(oid, format ?? 'text') as (value: string) => unknown
}

function parseSafeInteger(value: string): number {
  const n = Number(value)
  if (!Number.isSafeInteger(n)) throw new RangeError('BIGINT value is beyond Number.MAX_SAFE_INTEGER')
  return n
}

class PostgresDatabase implements Database {
  readonly dialect = 'postgres' as const
  readonly #pool: pg.Pool
  /** A connection outside the pool for `LISTEN`, so a listener never takes a pool slot from the stores. */
  readonly #newClient: () => pg.Client
  #closed = false

  constructor(pool: pg.Pool, newClient: () => pg.Client) {
    this.#pool = pool
    this.#newClient = newClient
  }

  async query<R extends Row = Row>(text: string, params: readonly SQLValue[] = []): Promise<QueryResult<R>> {
    if (this.#closed) throw new StoreError('database is closed', plainFields())
    return runQuery<R>(this.#pool, text, params)
  }

  async exec(script: string): Promise<void> {
    if (this.#closed) throw new StoreError('database is closed', plainFields())
    await runScript(this.#pool, script)
  }

  async transaction<T>(fn: (tx: Queryable) => Promise<T>): Promise<T> {
    if (this.#closed) throw new StoreError('database is closed', plainFields())
    const client = await this.#pool.connect().catch((err: unknown) => {
      throw toStoreError(err)
    })
    let active = true
    const ensureActive = (): void => {
      if (!active) throw new StoreError('transaction already ended', plainFields())
    }
    const tx: Queryable = {
      query: async <R extends Row = Row>(text: string, params: readonly SQLValue[] = []) => {
        ensureActive()
        return runQuery<R>(client, text, params)
      },
      exec: async (script: string) => {
        ensureActive()
        await runScript(client, script)
      },
    }
    let broken = false
    try {
      await runQuery(client, 'BEGIN', [])
      try {
        const result = await fn(tx)
        await runQuery(client, 'COMMIT', [])
        return result
      } catch (err) {
        await client.query('ROLLBACK').catch(() => {
          broken = true // the connection is unusable; destroy it instead of returning it to the pool
        })
        throw err
      }
    } finally {
      active = false
      client.release(broken)
    }
  }

  async notify(channel: string): Promise<void> {
    await this.query('SELECT pg_notify($1, $2)', [channel, ''])
  }

  async listen(channel: string, onNotify: () => void): Promise<{ close(): Promise<void> }> {
    if (this.#closed) throw new StoreError('database is closed', plainFields())
    let client: pg.Client | undefined
    let closed = false
    const onNotification = (message: pg.Notification): void => {
      if (message.channel === channel) onNotify()
    }
    // A dedicated connection holds the LISTEN; if it breaks, listen again on a new one (polling covers the gap).
    const connect = async (): Promise<void> => {
      const next = this.#newClient()
      next.on('notification', onNotification)
      next.once('error', () => {
        next.off('notification', onNotification)
        void next.end().catch(() => undefined)
        if (client === next) client = undefined
        if (!closed && !this.#closed) setTimeout(() => void connect().catch(() => undefined), 1000).unref()
      })
      try {
        await next.connect()
        await next.query(`LISTEN ${pg.escapeIdentifier(channel)}`)
      } catch (err) {
        await next.end().catch(() => undefined)
        throw toStoreError(err)
      }
      client = next
    }
    await connect()
    return {
      close: async () => {
        closed = true
        const held = client
        client = undefined
        if (held === undefined) return
        held.off('notification', onNotification)
        await held.end().catch(() => undefined)
      },
    }
  }

  async close(): Promise<void> {
    if (this.#closed) return
    this.#closed = true
    await this.#pool.end()
  }
}

async function runQuery<R extends Row>(
  on: pg.Pool | pg.PoolClient,
  text: string,
  params: readonly SQLValue[],
): Promise<QueryResult<R>> {
  try {
    const result = await on.query<R>(text, params.map(toPgValue))
    const changesRows = ['INSERT', 'UPDATE', 'DELETE', 'MERGE'].includes(result.command)
    return { rows: result.rows, rowCount: changesRows ? (result.rowCount ?? 0) : 0 }
  } catch (err) {
    throw toStoreError(err)
  }
}

/** Without parameters, pg sends a simple query, which may hold several statements. */
async function runScript(on: pg.Pool | pg.PoolClient, script: string): Promise<void> {
  try {
    await on.query(script)
  } catch (err) {
    throw toStoreError(err)
  }
}

function toPgValue(value: SQLValue): unknown {
  if (typeof value === 'bigint') return value.toString()
  if (value instanceof Uint8Array && !Buffer.isBuffer(value)) {
    return Buffer.from(value.buffer, value.byteOffset, value.byteLength)
  }
  return value
}

function plainFields(): { dialect: 'postgres'; dbCode: undefined; uniqueViolation: false } {
  return { dialect: 'postgres', dbCode: undefined, uniqueViolation: false }
}

const UNIQUE_VIOLATION = '23505'

function toStoreError(err: unknown): BmOAuthError {
  if (err instanceof BmOAuthError) return err
  const e = (err ?? {}) as { code?: unknown; constraint?: unknown; message?: unknown }
  const dbCode = typeof e.code === 'string' ? e.code : undefined
  const constraint = typeof e.constraint === 'string' ? e.constraint : undefined
  const isSQLState = dbCode !== undefined && /^[0-9A-Z]{5}$/.test(dbCode)
  // Class 22 (data exception) messages can quote the offending input; keep only the code.
  const message =
    isSQLState && dbCode.startsWith('22')
      ? `data exception (SQLSTATE ${dbCode})`
      : `${typeof e.message === 'string' ? e.message : String(err)}${isSQLState ? ` (SQLSTATE ${dbCode})` : ''}`
  return new StoreError(`PostgreSQL statement failed: ${message}`, {
    dialect: 'postgres',
    dbCode,
    uniqueViolation: dbCode === UNIQUE_VIOLATION,
    constraint,
  })
}
