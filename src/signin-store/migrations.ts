/**
 * @module signin-store/migrations
 * Schema of the sign-in store (namespace `signin_store`): pending sign-ins and code-exchange markers.
 * Never edit a shipped entry: append a new one.
 */
import { storeMigrator, type StoreMigrator } from '../db/migrate.ts'

/**
 * Creates or upgrades the sign-in store schema. Version 1:
 * - Pending sign-ins: one row per (agent, conversation) (P6). `sealed` holds the PKCE verifier and
 *   the parked user question (AEAD, never plaintext); provider, scopes and times are in clear.
 * - Exchange markers: "a token request for this code may have been sent", keyed by the SHA-256 of the
 *   code (X1), never the code itself.
 */
export const migrateSignInStore: StoreMigrator = storeMigrator('signin_store', [
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
])

/** The tables the queries use (the migration spells them out: its text never changes). */
export const PENDING_SIGNIN_TABLE = 'bm_pending_signins'
export const EXCHANGE_MARKER_TABLE = 'bm_exchange_markers'
