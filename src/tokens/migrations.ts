/**
 * @module tokens/migrations
 * Schema of the token store (namespace `tokens`), applied with the shared forward-only runner.
 * Never edit a shipped entry: append a new one.
 */
import { storeMigrator, type StoreMigrator } from '../db/migrate.ts'

/**
 * Creates or upgrades the token store schema. Version 1: one row per (agent, conversation, provider). `sealed` holds the AEAD-sealed token set
 * (NULL once signed out) and `key_id` the vault key it is sealed under, so a rekey finds old rows
 * without opening them. `scopes`, `subject` and `expires_at` are kept in clear for `signins list`.
 * `refresh_lease_until` is the cross-process refresh lease (R1).
 */
export const migrateTokenStore: StoreMigrator = storeMigrator('tokens', [
  `CREATE TABLE bm_token_sets (
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
   CREATE INDEX bm_token_sets_key_id ON bm_token_sets (key_id)`,
])

/** The token table, for the queries (the migration spells it out: its text never changes). */
export const TOKEN_TABLE = 'bm_token_sets'
