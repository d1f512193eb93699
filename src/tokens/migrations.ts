/**
 * @module tokens/migrations
 * Schema of the token store (namespace `tokens`), applied with the shared forward-only runner.
 * Never edit a shipped entry: append a new one.
 */
import { type Migration, storeMigrator, type StoreMigrator } from '../db/migrate.ts'
import { hasRows, pick, resealRows } from './rekey.ts'

/**
 * Creates or upgrades the token store schema. Version 1: one row per (agent, conversation, provider). `sealed` holds the AEAD-sealed token set
 * (NULL once signed out) and `key_id` the vault key it is sealed under, so a rekey finds old rows
 * without opening them. `scopes`, `subject` and `expires_at` are kept in clear for `signins list`.
 * `refresh_lease_until` is the cross-process refresh lease (R1).
 */
/** The store's migrations, in order (append, never edit). */
export const tokenStoreMigrations: readonly Migration[] = [
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
  // Version 2 (issue 9): keyed by (channel, agent, conversation, provider), existing rows on
  // `business-messages`, each re-sealed once with the channel in its seal context (S1).
  {
    schema: `CREATE TABLE bm_token_sets_v2 (
       channel TEXT NOT NULL,
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
       PRIMARY KEY (channel, agent, conversation, provider)
     );
     INSERT INTO bm_token_sets_v2 (channel, agent, conversation, provider, subject, scopes, status, version,
                                   key_id, sealed, expires_at, refresh_lease_until, created_at, updated_at)
       SELECT 'business-messages', agent, conversation, provider, subject, scopes, status, version,
              key_id, sealed, expires_at, refresh_lease_until, created_at, updated_at FROM bm_token_sets;
     DROP TABLE bm_token_sets;
     ALTER TABLE bm_token_sets_v2 RENAME TO bm_token_sets;
     CREATE INDEX bm_token_sets_key_id ON bm_token_sets (key_id)`,
    needsRewrite: (tx) => hasRows(tx, 'bm_token_sets'),
    rewrite: (tx, { vault }) =>
      resealRows(tx, vault, {
        table: 'bm_token_sets',
        keyColumns: ['channel', 'agent', 'conversation', 'provider'],
        // The contexts as of this version, spelled out: a shipped migration never changes with the code.
        legacyContextOf: (row) => ({ purpose: 'token-set', ...pick(row, 'agent', 'conversation', 'provider') }),
        contextOf: (row) => ({ purpose: 'token-set', ...pick(row, 'channel', 'agent', 'conversation', 'provider') }),
      }),
  },
]

/** Creates or upgrades the store's schema (data migrations need `options.data`: `bm-oauth migrate`). */
export const migrateTokenStore: StoreMigrator = storeMigrator('tokens', tokenStoreMigrations)

/** The token table, for the queries (the migration spells it out: its text never changes). */
export const TOKEN_TABLE = 'bm_token_sets'
