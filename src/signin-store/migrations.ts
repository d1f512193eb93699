/**
 * @module signin-store/migrations
 * Schema of the sign-in store (namespace `signin_store`): pending sign-ins and code-exchange markers.
 * Never edit a shipped entry: append a new one.
 */
import { type Migration, storeMigrator, type StoreMigrator } from '../db/migrate.ts'
import { hasRows, pick, resealRows } from '../tokens/rekey.ts'

/**
 * Creates or upgrades the sign-in store schema. Version 1:
 * - Pending sign-ins: one row per (agent, conversation) (P6). `sealed` holds the PKCE verifier and
 *   the parked user question (AEAD, never plaintext); provider, scopes and times are in clear.
 * - Exchange markers: "a token request for this code may have been sent", keyed by the SHA-256 of the
 *   code (X1), never the code itself.
 */
/** The store's migrations, in order (append, never edit). */
export const signInStoreMigrations: readonly Migration[] = [
  `CREATE TABLE bm_pending_signins (
     agent TEXT NOT NULL,
     conversation TEXT NOT NULL,
     provider TEXT NOT NULL,
     scopes TEXT NOT NULL,
     key_id TEXT NOT NULL,
     sealed {{blob}} NOT NULL,
     attempts INTEGER NOT NULL,
     created_at BIGINT NOT NULL,
     expires_at BIGINT NOT NULL,
     PRIMARY KEY (agent, conversation)
   );
   CREATE INDEX bm_pending_signins_expires_at ON bm_pending_signins (expires_at);
   CREATE INDEX bm_pending_signins_key_id ON bm_pending_signins (key_id);
   CREATE TABLE bm_exchange_markers (
     code_hash TEXT PRIMARY KEY,
     agent TEXT,
     conversation TEXT,
     claimed_at BIGINT NOT NULL
   );
   CREATE INDEX bm_exchange_markers_claimed_at ON bm_exchange_markers (claimed_at)`,
  // Version 2 (issue 9): pending sign-ins keyed by (channel, agent, conversation), existing rows on
  // `business-messages`, each re-sealed once with the channel in its seal context (S1); markers
  // record the channel of their conversation.
  {
    schema: `CREATE TABLE bm_pending_signins_v2 (
       channel TEXT NOT NULL,
       agent TEXT NOT NULL,
       conversation TEXT NOT NULL,
       provider TEXT NOT NULL,
       scopes TEXT NOT NULL,
       key_id TEXT NOT NULL,
       sealed {{blob}} NOT NULL,
       attempts INTEGER NOT NULL,
       created_at BIGINT NOT NULL,
       expires_at BIGINT NOT NULL,
       PRIMARY KEY (channel, agent, conversation)
     );
     INSERT INTO bm_pending_signins_v2 (channel, agent, conversation, provider, scopes, key_id, sealed, attempts,
                                        created_at, expires_at)
       SELECT 'business-messages', agent, conversation, provider, scopes, key_id, sealed, attempts,
              created_at, expires_at FROM bm_pending_signins;
     DROP TABLE bm_pending_signins;
     ALTER TABLE bm_pending_signins_v2 RENAME TO bm_pending_signins;
     CREATE INDEX bm_pending_signins_expires_at ON bm_pending_signins (expires_at);
     CREATE INDEX bm_pending_signins_key_id ON bm_pending_signins (key_id);
     ALTER TABLE bm_exchange_markers ADD COLUMN channel TEXT;
     UPDATE bm_exchange_markers SET channel = 'business-messages' WHERE agent IS NOT NULL`,
    needsRewrite: (tx) => hasRows(tx, 'bm_pending_signins'),
    rewrite: (tx, { vault }) =>
      resealRows(tx, vault, {
        table: 'bm_pending_signins',
        keyColumns: ['channel', 'agent', 'conversation'],
        contextColumns: ['provider'],
        // The contexts as of this version, spelled out: a shipped migration never changes with the code.
        legacyContextOf: (row) => ({ purpose: 'pending-signin', ...pick(row, 'agent', 'conversation', 'provider') }),
        contextOf: (row) => ({
          purpose: 'pending-signin',
          ...pick(row, 'channel', 'agent', 'conversation', 'provider'),
        }),
      }),
  },
]

/** Creates or upgrades the store's schema (data migrations need `options.data`: `bm-oauth migrate`). */
export const migrateSignInStore: StoreMigrator = storeMigrator('signin_store', signInStoreMigrations)

/** The tables the queries use (the migration spells them out: its text never changes). */
export const PENDING_SIGNIN_TABLE = 'bm_pending_signins'
export const EXCHANGE_MARKER_TABLE = 'bm_exchange_markers'
