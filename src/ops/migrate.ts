/**
 * @module ops/migrate
 * `bm-oauth migrate`'s work: opens the configured database with the vault and migrates every store,
 * re-sealing the rows a data migration changes (docs/operations.md "Migrations").
 */
import { migrateAgentStores, type StoreMigrationReport } from '../agent/store-migrations.ts'
import type { Logger } from '../core/logger.ts'
import { createVault } from '../tokens/seal.ts'
import type { BmOAuthConfig } from './config.ts'
import { keyringFromConfig, openDatabase } from './stores.ts'

/** Migrates the configured database; returns the versions applied per store namespace. */
export async function migrateDatabase(config: BmOAuthConfig, logger?: Logger): Promise<StoreMigrationReport> {
  const vault = createVault(keyringFromConfig(config))
  const db = openDatabase(config, logger)
  try {
    return await migrateAgentStores(db, { vault })
  } finally {
    await db.close()
  }
}
