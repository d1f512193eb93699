/**
 * @module stores
 * Entry of `bm-oauth/stores`: persistence. The SQL databases every store runs on (SQLite embedded
 * default, PostgreSQL) and the migration runner; the token vault (AES-256-GCM keyring); the token
 * store, the pending sign-ins (sealed PKCE verifiers), the exactly-once code-exchange markers and the
 * revocation queue, each with its migration and `rekey`; and their errors. Explicit named exports
 * only. The per-conversation flow state stays internal: it stores the sign-in flow's own state.
 */
export { openSQLiteDatabase } from '../db/sqlite.ts'
export type { OpenSQLiteDatabaseOptions } from '../db/sqlite.ts'
export { openPostgresDatabase } from '../db/postgres.ts'
export type { OpenPostgresDatabaseOptions } from '../db/postgres.ts'
export type { Database, Queryable, QueryResult, Row, SQLValue } from '../db/queryable.ts'
export { migrate, storeMigrator } from '../db/migrate.ts'
export type { Migration, MigrateOptions, MigrateResult, StoreMigrator } from '../db/migrate.ts'
export { StoreError } from '../db/store-error.ts'
export type { StoreErrorFields } from '../db/store-error.ts'

export { Keyring, VaultKeyError, generateVaultKey, keyringFromEnv, parseVaultKeys } from '../tokens/keyring.ts'
export type { GenerateVaultKeyOptions } from '../tokens/keyring.ts'
export { VaultDecryptError, createVault } from '../tokens/seal.ts'
export type { SealContext, Vault } from '../tokens/seal.ts'

export { createSQLTokenStore } from '../tokens/sql-token-store.ts'
export type { SQLTokenStore, SQLTokenStoreOptions } from '../tokens/sql-token-store.ts'
export { migrateTokenStore } from '../tokens/migrations.ts'
export type {
  ListTokensFilter,
  MarkSignedOutOptions,
  RefreshLeases,
  RekeyOptions,
  RekeyResult,
  StoredIdTokenClaims,
  StoredTokenSet,
  TokenKey,
  TokenRecord,
  TokenStatus,
  TokenStore,
  TokenStoreAdmin,
  TokenSummary,
  TokenWrite,
} from '../tokens/token-store.ts'

export { createPendingSignInStore } from '../signin-store/pending-signins.ts'
export type {
  ConsumedSignIn,
  NewPendingSignIn,
  PendingSignIn,
  PendingSignInAdmin,
  PendingSignInStore,
  PendingSignInStoreOptions,
} from '../signin-store/pending-signins.ts'
export { createExchangeMarkers } from '../signin-store/exchange-markers.ts'
export type {
  ExchangeMarkerContext,
  ExchangeMarkers,
  ExchangeMarkersOptions,
} from '../signin-store/exchange-markers.ts'
export { migrateSignInStore } from '../signin-store/migrations.ts'

export { createRevocationQueue, migrateRevocationQueue } from '../tokens/revocation-queue.ts'
export type {
  NewRevocation,
  PendingRevocation,
  PendingRevocationSummary,
  RevocationQueue,
  RevocationQueueOptions,
  RevocationTokenTypeHint,
} from '../tokens/revocation-queue.ts'
