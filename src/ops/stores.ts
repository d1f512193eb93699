/**
 * @module ops/stores
 * Opens the agent's storage from the configuration: the database (embedded SQLite by default, or
 * PostgreSQL), every schema migration (tokens, sign-in store, flow states, revocation queue, webhook
 * inbox), the vault built from
 * `BM_OAUTH_VAULT_KEYS`, and the stores on top. The embedded SQLite default says loudly, once per
 * process, that it is for a single host only (style habit 8).
 */
import { mkdirSync } from 'node:fs'
import { dirname } from 'node:path'
import { systemClock, type Clock } from '../core/clock.ts'
import { silentLogger, type Logger } from '../core/logger.ts'
import { openPostgresDatabase } from '../db/postgres.ts'
import type { Database } from '../db/queryable.ts'
import { openSQLiteDatabase } from '../db/sqlite.ts'
import { ConfigError, isBmOAuthError } from '../errors.ts'
import { createFlowStateStore, migrateFlowStateStore, type FlowStateStore } from '../agent/flow-state-store.ts'
import { type AuditLog, createAuditLog, migrateAuditLog } from '../audit/audit-log.ts'
import { openSealedInbox } from '../agent/sealed-inbox.ts'
import { createExchangeMarkers, type ExchangeMarkers } from '../signin-store/exchange-markers.ts'
import { migrateSignInStore } from '../signin-store/migrations.ts'
import {
  createPendingSignInStore,
  type PendingSignInAdmin,
  type PendingSignInStore,
} from '../signin-store/pending-signins.ts'
import { parseVaultKeys, type Keyring } from '../tokens/keyring.ts'
import { migrateTokenStore } from '../tokens/migrations.ts'
import { createRevocationQueue, migrateRevocationQueue, type RevocationQueue } from '../tokens/revocation-queue.ts'
import { createVault, type Vault } from '../tokens/seal.ts'
import { createSQLTokenStore, type SQLTokenStore } from '../tokens/sql-token-store.ts'
import type { InboxStore } from '../webhook/inbox-store.ts'
import type { BmOAuthConfig } from './config.ts'

/** Everything stored for one agent deployment, over one database. */
export interface AgentStores {
  readonly db: Database
  readonly vault: Vault
  readonly tokens: SQLTokenStore
  readonly pendingSignIns: PendingSignInStore & PendingSignInAdmin
  readonly exchangeMarkers: ExchangeMarkers
  /** The agent's sealed per-conversation sign-in state (for `rekey`). */
  readonly flowStates: FlowStateStore
  /** Revocations still owed to providers (R8): `signins revoke` queues here, the running agent retries. */
  readonly revocations: RevocationQueue
  readonly inbox: InboxStore
  /** What was done with each conversation's tokens (`audit`; erased by `signins revoke`). */
  readonly audit: AuditLog
  /** Closes the database. */
  close(): Promise<void>
}

export interface OpenStoresOptions {
  logger?: Logger
  clock?: Clock
  /** Lifetime of a pending sign-in (default 10 minutes). */
  pendingSignInTtlMs?: number
  /**
   * Default true: refuse to open without `BM_OAUTH_VAULT_KEYS`. `false` opens read-only listings
   * without keys; any seal or open then fails with the same configuration error.
   */
  requireVault?: boolean
}

/** The message every bm-oauth process logs when it uses the embedded store. */
export const SQLITE_NOTICE =
  'embedded SQLite store: single host only. One process on one machine; for anything shared or ' +
  'production set BM_OAUTH_DATABASE_URL (PostgreSQL).'

let sqliteNoticeLogged = false

/**
 * Opens the configured database, runs all migrations and builds the stores.
 * @throws {ConfigError} when the vault keys are missing or malformed (and `requireVault` is not false).
 * @throws {StoreError} when the database cannot be opened or migrated.
 */
export async function openStores(config: BmOAuthConfig, options: OpenStoresOptions = {}): Promise<AgentStores> {
  const logger = options.logger ?? silentLogger
  const vault =
    options.requireVault === false && config.vaultKeys === undefined
      ? lockedVault()
      : createVault(keyringFromConfig(config))
  const db = openDatabase(config, logger)
  try {
    await migrateTokenStore(db)
    await migrateSignInStore(db)
    await migrateFlowStateStore(db)
    await migrateRevocationQueue(db)
    await migrateAuditLog(db)
    const inbox = await openSealedInbox(db, vault)
    const clock = options.clock === undefined ? {} : { clock: options.clock }
    const now = (): number => (options.clock ?? systemClock).now()
    return {
      db,
      vault,
      tokens: createSQLTokenStore(db, vault, clock),
      pendingSignIns: createPendingSignInStore(
        db,
        vault,
        options.pendingSignInTtlMs === undefined ? {} : { ttlMs: options.pendingSignInTtlMs },
      ),
      exchangeMarkers: createExchangeMarkers(db),
      flowStates: createFlowStateStore(db, vault, now),
      revocations: createRevocationQueue(db, vault),
      audit: createAuditLog(db),
      inbox,
      close: () => db.close(),
    }
  } catch (err) {
    await db.close().catch(() => undefined)
    throw err
  }
}

/**
 * Parses `BM_OAUTH_VAULT_KEYS` from the configuration.
 * @throws {ConfigError} naming the variable (and the entry), never the key material.
 */
export function keyringFromConfig(config: BmOAuthConfig): Keyring {
  if (config.vaultKeys === undefined) throw missingVaultKeys()
  try {
    return parseVaultKeys(config.vaultKeys)
  } catch (err) {
    if (!isBmOAuthError(err, 'ERR_TOKEN_VAULT_KEY')) throw err
    const error = new ConfigError('BM_OAUTH_VAULT_KEYS', err.message)
    Object.defineProperty(error, 'cause', { value: err, enumerable: false })
    throw error
  }
}

function missingVaultKeys(): ConfigError {
  return new ConfigError(
    'BM_OAUTH_VAULT_KEYS',
    'is not set: run "bm-oauth keys generate" and set BM_OAUTH_VAULT_KEYS to the printed line ' +
      '(bm-oauth never stores tokens or verifiers unencrypted)',
  )
}

/** Opens the configured database (creating the SQLite folder if needed). */
export function openDatabase(config: BmOAuthConfig, logger: Logger = silentLogger): Database {
  if ('postgres' in config.store) {
    return openPostgresDatabase({ connectionString: config.store.postgres, logger })
  }
  const path = config.store.sqlite
  if (path !== ':memory:') mkdirSync(dirname(path), { recursive: true })
  if (!sqliteNoticeLogged) {
    sqliteNoticeLogged = true
    logger.warn({ store: 'sqlite', path }, SQLITE_NOTICE)
  }
  return openSQLiteDatabase(path)
}

/** A vault without keys: listings work, anything touching a secret fails with the configuration error. */
function lockedVault(): Vault {
  const fail = (): never => {
    throw missingVaultKeys()
  }
  return { activeKeyId: '', seal: fail, open: fail, openText: fail, keyIdOf: fail }
}
