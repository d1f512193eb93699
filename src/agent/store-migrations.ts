/**
 * @module agent/store-migrations
 * Every schema of the agent's stores, migrated in one place: by the agent's `start()` and the
 * operator commands without the vault (a fresh database is created; a store whose rows a data
 * migration must rewrite is refused as older, `ERR_SCHEMA_VERSION`), and by `bm-oauth migrate` with
 * it, every instance stopped (docs/operations.md "Migrations").
 */
import type { MigrationData } from '../db/migrate.ts'
import type { Database } from '../db/queryable.ts'
import { migrateSignInStore } from '../signin-store/migrations.ts'
import { migrateTokenStore } from '../tokens/migrations.ts'
import { migrateRevocationQueue } from '../tokens/revocation-queue.ts'
import { migrateInbox } from '../webhook/inbox-schema.ts'
import { migrateFlowStateStore } from './flow-state-store.ts'
import { migrateAuditLog } from '../audit/audit-log.ts'

/** The versions each store namespace was brought to, by the call. */
export type StoreMigrationReport = Record<string, number[]>

const MIGRATORS = [
  ['tokens', migrateTokenStore],
  ['signin_store', migrateSignInStore],
  ['agent_flow_state', migrateFlowStateStore],
  ['revocation_queue', migrateRevocationQueue],
  ['webhook_inbox', migrateInbox],
  ['audit_log', migrateAuditLog],
] as const

/**
 * Migrates every store of the agent. With `data` (the vault), data migrations re-seal existing rows;
 * without it a store that has such rows is refused with `ERR_SCHEMA_VERSION`.
 */
export async function migrateAgentStores(db: Database, data?: MigrationData): Promise<StoreMigrationReport> {
  const report: StoreMigrationReport = {}
  for (const [namespace, migrator] of MIGRATORS) {
    report[namespace] = (await migrator(db, data === undefined ? {} : { data })).applied
  }
  return report
}
