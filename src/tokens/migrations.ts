/**
 * @module tokens/migrations
 * Schema of the token store (namespace `tokens`), applied with the shared forward-only runner.
 * Never edit a shipped entry: append a new one.
 */
import { migrate, type Migration } from '../db/migrate.ts'
import type { Database } from '../db/queryable.ts'

/** Name of the token table. */
export const TOKEN_TABLE = 'bm_token_sets'

/**
 * Version 1: one row per (agent, conversation, provider). `sealed` holds the AEAD-sealed token set
 * (NULL once signed out) and `key_id` the vault key it is sealed under, so a rekey finds old rows
 * without opening them. `scopes`, `subject` and `expires_at` are kept in clear for `signins list`.
 * `refresh_lease_until` is the cross-process refresh lease (R1).
 */
export const tokenStoreMigrations: readonly Migration[] = [
  `CREATE TABLE ${TOKEN_TABLE} (
     agent TEXT NOT NULL,
     conversation TEXT NOT NULL,
     provider TEXT NOT NULL,
     subject TEXT,
     scopes TEXT NOT NULL,
     status TEXT NOT NULL,
     version BIGINT NOT NULL,
     key_id TEXT,
     sealed {{blob}},
     expires_at BIGINT,
     refresh_lease_until BIGINT,
     created_at BIGINT NOT NULL,
     updated_at BIGINT NOT NULL,
     PRIMARY KEY (agent, conversation, provider)
   );
   CREATE INDEX ${TOKEN_TABLE}_key_id ON ${TOKEN_TABLE} (key_id)`,
]

/** Creates or upgrades the token store schema. Idempotent; safe from several processes at once. */
export async function migrateTokenStore(db: Database): Promise<void> {
  await migrate(db, 'tokens', tokenStoreMigrations)
}
