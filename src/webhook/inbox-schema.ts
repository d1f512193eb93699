/**
 * @module webhook/inbox-schema
 * Tables of the durable webhook inbox (namespace `webhook_inbox` in `schema_migrations`). Portable
 * SQL: epoch-ms BIGINTs, `{{blob}}` for BLOB/BYTEA.
 *
 * `webhook_inbox.id` is the event's dedupe key, so the primary key itself makes de-duplication
 * atomic on both engines and across processes (`INSERT … ON CONFLICT (id) DO NOTHING`, W10).
 * `payload_format` says how `payload` is kept: `sealed` (the injected AEAD), `plain` (a body that
 * holds no secret) or `stripped` (the authorization code removed because no sealer was given).
 */
import { storeMigrator, type StoreMigrator } from '../db/migrate.ts'

/** Creates or upgrades the inbox tables. */
export const migrateInbox: StoreMigrator = storeMigrator('webhook_inbox', [
  `CREATE TABLE webhook_inbox (
     id TEXT PRIMARY KEY,
     received_at BIGINT NOT NULL,
     agent TEXT,
     conversation_id TEXT,
     kind TEXT NOT NULL,
     payload {{blob}} NOT NULL,
     payload_format TEXT NOT NULL,
     state TEXT NOT NULL,
     attempts INTEGER NOT NULL DEFAULT 0,
     available_at BIGINT NOT NULL,
     lease_until BIGINT,
     last_error TEXT
   );
   CREATE INDEX webhook_inbox_claim ON webhook_inbox (state, available_at);
   CREATE INDEX webhook_inbox_received ON webhook_inbox (received_at);
   CREATE TABLE webhook_quarantine (
     id TEXT PRIMARY KEY,
     received_at BIGINT NOT NULL,
     reason TEXT NOT NULL,
     body_bytes INTEGER NOT NULL,
     payload {{blob}}
   );
   CREATE INDEX webhook_quarantine_received ON webhook_quarantine (received_at)`,
])
