/**
 * @module tokens/sql-token-store
 * The {@link TokenStore} on a {@link Database} (SQLite or PostgreSQL, same portable SQL).
 *
 * The whole token set is sealed into one column under the AEAD context of its row (S1); `scopes`,
 * `subject` and `expires_at` are also kept in clear for `signins list`, but reads take them from
 * the sealed copy. Every write bumps `version`; conditional writes are single
 * `UPDATE … WHERE version = $n` statements, so they are atomic on both engines without locks (S6).
 */
import { systemClock, type Clock } from '../core/clock.ts'
import type { Database, Row, SQLValue } from '../db/queryable.ts'
import { StoreError } from '../db/store-error.ts'
import { TOKEN_TABLE } from './migrations.ts'
import { rekeySealedRows } from './rekey.ts'
import { splitScopes } from './scopes.ts'
import type { Vault } from './seal.ts'
import {
  tokenSealContext,
  type ListTokensFilter,
  type MarkSignedOutOptions,
  type RefreshLeases,
  type RekeyOptions,
  type RekeyResult,
  type TokenKey,
  type TokenRecord,
  type StoredTokenSet,
  type TokenStatus,
  type TokenStore,
  type TokenStoreAdmin,
  type TokenSummary,
} from './token-store.ts'

export interface SQLTokenStoreOptions {
  /** Source of `createdAt`/`updatedAt` and lease times (default: system clock). */
  clock?: Clock
}

/** The SQL token store: {@link TokenStore} plus the admin and refresh-lease operations. */
export type SQLTokenStore = TokenStore & TokenStoreAdmin & RefreshLeases

interface TokenRow extends Row {
  channel: string
  agent: string
  conversation: string
  provider: string
  subject: string | null
  scopes: string
  status: string
  version: number | string
  sealed: Uint8Array | null
  expires_at: number | string | null
  created_at: number | string
  updated_at: number | string
}

const T = TOKEN_TABLE
const KEY_WHERE = 'channel = $1 AND agent = $2 AND conversation = $3 AND provider = $4'

/**
 * A token store over `db` sealing with `vault`. Run `migrateTokenStore(db)` first.
 * @example
 * const store = createSQLTokenStore(db, createVault(parseVaultKeys(config.vaultKeys)))
 */
export function createSQLTokenStore(db: Database, vault: Vault, options: SQLTokenStoreOptions = {}): SQLTokenStore {
  const clock = options.clock ?? systemClock
  const keyParams = (key: TokenKey): SQLValue[] => [key.channel, key.agent, key.conversation, key.provider]

  const sealParams = (key: TokenKey, tokens: StoredTokenSet): SQLValue[] => {
    const sealed = vault.seal(JSON.stringify(tokens), tokenSealContext(key))
    return [tokens.scopes.join(' '), vault.activeKeyId, sealed, tokens.expiresAt ?? null]
  }

  const toRecord = (row: TokenRow): TokenRecord => rowToRecord(row, vault, db.dialect)

  return {
    async get(key) {
      const { rows } = await db.query<TokenRow>(`SELECT * FROM ${T} WHERE ${KEY_WHERE}`, keyParams(key))
      return rows[0] === undefined ? undefined : toRecord(rows[0])
    },

    async put(key, write) {
      const now = clock.now()
      const { rows } = await db.query<TokenRow>(
        `INSERT INTO ${T} (channel, agent, conversation, provider, subject, scopes, key_id, sealed, expires_at,
                           status, version, refresh_lease_until, created_at, updated_at)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, 'active', 1, NULL, $10, $11)
         ON CONFLICT (channel, agent, conversation, provider) DO UPDATE SET
           subject = excluded.subject, scopes = excluded.scopes, key_id = excluded.key_id,
           sealed = excluded.sealed, expires_at = excluded.expires_at, status = 'active',
           version = ${T}.version + 1, refresh_lease_until = NULL, updated_at = excluded.updated_at
         RETURNING *`,
        [...keyParams(key), write.subject ?? null, ...sealParams(key, write.tokens), now, now],
      )
      return expectActive(toRecord(single(rows, db.dialect)), db.dialect)
    },

    async compareAndSwap(key, expectedVersion, write) {
      const { rows } = await db.query<TokenRow>(
        `UPDATE ${T} SET subject = COALESCE($5, subject), scopes = $6, key_id = $7, sealed = $8,
                expires_at = $9, status = 'active', version = version + 1, refresh_lease_until = NULL,
                updated_at = $10
          WHERE ${KEY_WHERE} AND version = $11
          RETURNING *`,
        [...keyParams(key), write.subject ?? null, ...sealParams(key, write.tokens), clock.now(), expectedVersion],
      )
      return rows[0] === undefined ? undefined : expectActive(toRecord(rows[0]), db.dialect)
    },

    async markNeedsReconnect(key, options: MarkSignedOutOptions = {}) {
      const versioned = options.expectedVersion !== undefined
      const { rows } = await db.query<TokenRow>(
        `UPDATE ${T} SET status = $5, key_id = NULL, sealed = NULL, expires_at = NULL,
                version = version + 1, refresh_lease_until = NULL, updated_at = $6
          WHERE ${KEY_WHERE}${versioned ? ' AND version = $7' : ''}
          RETURNING *`,
        [
          ...keyParams(key),
          options.status ?? 'needs-reconnect',
          clock.now(),
          ...(versioned ? [options.expectedVersion as number] : []),
        ],
      )
      return rows[0] === undefined ? undefined : toRecord(rows[0])
    },

    async delete(key, options = {}) {
      const versioned = options.expectedVersion !== undefined
      const { rowCount } = await db.query(
        `DELETE FROM ${T} WHERE ${KEY_WHERE}${versioned ? ' AND version = $5' : ''}`,
        [...keyParams(key), ...(versioned ? [options.expectedVersion as number] : [])],
      )
      return rowCount > 0
    },

    list: (filter) => listSummaries(db, filter),

    rekey: (options?: RekeyOptions): Promise<RekeyResult> =>
      rekeySealedRows(
        db,
        vault,
        {
          table: T,
          keyColumns: ['channel', 'agent', 'conversation', 'provider'],
          contextOf: (row) => tokenSealContext(row as TokenRow),
        },
        options,
      ),

    async claimRefreshLease(key, version, leaseMs) {
      const now = clock.now()
      const { rowCount } = await db.query(
        `UPDATE ${T} SET refresh_lease_until = $5
          WHERE ${KEY_WHERE} AND version = $6 AND status = 'active'
            AND (refresh_lease_until IS NULL OR refresh_lease_until <= $7)`,
        [...keyParams(key), now + leaseMs, version, now],
      )
      return rowCount === 1
    },

    async releaseRefreshLease(key, version) {
      await db.query(`UPDATE ${T} SET refresh_lease_until = NULL WHERE ${KEY_WHERE} AND version = $5`, [
        ...keyParams(key),
        version,
      ])
    },
  }
}

async function listSummaries(db: Database, filter: ListTokensFilter = {}): Promise<TokenSummary[]> {
  const conditions: string[] = []
  const params: SQLValue[] = []
  for (const [column, value] of [
    ['channel', filter.channel],
    ['agent', filter.agent],
    ['conversation', filter.conversation],
    ['status', filter.status],
  ] as const) {
    if (value === undefined) continue
    params.push(value)
    conditions.push(`${column} = $${params.length}`)
  }
  params.push(Math.max(1, Math.trunc(filter.limit ?? 1000)))
  const where = conditions.length > 0 ? `WHERE ${conditions.join(' AND ')}` : ''
  // Explicit column list: `sealed` is never read for a listing.
  const { rows } = await db.query<TokenRow>(
    `SELECT channel, agent, conversation, provider, subject, scopes, status, expires_at, created_at, updated_at
       FROM ${T} ${where} ORDER BY channel, agent, conversation, provider LIMIT $${params.length}`,
    params,
  )
  return rows.map((row) => ({
    channel: row.channel,
    agent: row.agent,
    conversation: row.conversation,
    provider: row.provider,
    subject: row.subject ?? undefined,
    scopes: splitScopes(row.scopes),
    status: row.status as TokenStatus,
    expiresAt: row.expires_at === null ? undefined : Number(row.expires_at),
    createdAt: Number(row.created_at),
    updatedAt: Number(row.updated_at),
  }))
}

function rowToRecord(row: TokenRow, vault: Vault, dialect: Database['dialect']): TokenRecord {
  const base = {
    channel: row.channel,
    agent: row.agent,
    conversation: row.conversation,
    provider: row.provider,
    subject: row.subject ?? undefined,
    version: Number(row.version),
    createdAt: Number(row.created_at),
    updatedAt: Number(row.updated_at),
  }
  if (row.status === 'needs-reconnect' || row.status === 'revoked') {
    return { ...base, scopes: splitScopes(row.scopes), status: row.status, tokens: undefined }
  }
  if (row.status !== 'active' || row.sealed === null) {
    throw storeFault(dialect, `token record has an invalid status "${row.status}"`)
  }
  const tokens = parseTokenSet(vault.openText(row.sealed, tokenSealContext(row)), dialect)
  return { ...base, scopes: tokens.scopes, status: 'active', tokens }
}

function parseTokenSet(json: string, dialect: Database['dialect']): StoredTokenSet {
  const value = JSON.parse(json) as StoredTokenSet
  if (typeof value.accessToken !== 'string' || !Array.isArray(value.scopes)) {
    // The AEAD check passed, so this is a writer bug, not tampering; say nothing about the content.
    throw storeFault(dialect, 'sealed token set has an unexpected shape')
  }
  return value
}

function single(rows: TokenRow[], dialect: Database['dialect']): TokenRow {
  if (rows[0] === undefined) throw storeFault(dialect, 'write returned no row')
  return rows[0]
}

function expectActive(record: TokenRecord, dialect: Database['dialect']): TokenRecord & { status: 'active' } {
  if (record.status !== 'active') throw storeFault(dialect, 'write did not produce an active record')
  return record
}

/** An invariant of this store broke (not an engine error). */
function storeFault(dialect: Database['dialect'], message: string): StoreError {
  return new StoreError(message, { dialect, dbCode: undefined, uniqueViolation: false })
}
