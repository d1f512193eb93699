/**
 * @module signin-store/migrations
 * Schema of the sign-in store (namespace `signin_store`): pending sign-ins and code-exchange markers.
 * Never edit a shipped entry: append a new one.
 */
import { migrate, type Migration } from '../db/migrate.ts'
import type { Database } from '../db/queryable.ts'

export const PENDING_SIGNIN_TABLE = 'bm_pending_signins'
export const EXCHANGE_MARKER_TABLE = 'bm_exchange_markers'

/**
 * Version 1.
 * - Pending sign-ins: one row per (agent, conversation) (P6). `sealed` holds the PKCE verifier and
 *   the parked user question (AEAD, never plaintext); provider, scopes and times are in clear.
 * - Exchange markers: "a token request for this code may have been sent", keyed by the SHA-256 of the
 *   code (X1), never the code itself.
 */
export const signInStoreMigrations: readonly Migration[] = [
  `CREATE TABLE ${PENDING_SIGNIN_TABLE} (
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
   CREATE INDEX ${PENDING_SIGNIN_TABLE}_expires_at ON ${PENDING_SIGNIN_TABLE} (expires_at);
   CREATE INDEX ${PENDING_SIGNIN_TABLE}_key_id ON ${PENDING_SIGNIN_TABLE} (key_id);
   CREATE TABLE ${EXCHANGE_MARKER_TABLE} (
     code_hash TEXT PRIMARY KEY,
     agent TEXT,
     conversation TEXT,
     claimed_at BIGINT NOT NULL
   );
   CREATE INDEX ${EXCHANGE_MARKER_TABLE}_claimed_at ON ${EXCHANGE_MARKER_TABLE} (claimed_at)`,
]

/** Creates or upgrades the sign-in store schema. Idempotent; safe from several processes at once. */
export async function migrateSignInStore(db: Database): Promise<void> {
  await migrate(db, 'signin_store', signInStoreMigrations)
}
