/**
 * @module emulator/state/db
 * The emulator's one node:sqlite file, `<dataDir>/emulator.sqlite`, opened in WAL mode with
 * `synchronous=FULL` so state survives a crash (docs/contract-decisions.md §10 "emulator state").
 * This module owns the schema of the state tables; the webhook dispatcher adds its own `webhook_*`
 * tables to the same file. Times are epoch milliseconds from the injected clock; resources are
 * stored as JSON text.
 */
import { mkdirSync } from 'node:fs'
import { ensurePrivateFile, narrowSQLiteCompanions } from '../../core/private-file.ts'
import { join } from 'node:path'
import { DatabaseSync } from 'node:sqlite'

/** File name of the database inside the data directory. */
export const DATABASE_FILE = 'emulator.sqlite'

const SCHEMA = `
CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS partners (name TEXT PRIMARY KEY, json TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS brands (name TEXT PRIMARY KEY, partner_name TEXT NOT NULL, json TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS agents (
  seq INTEGER PRIMARY KEY AUTOINCREMENT,
  name TEXT NOT NULL UNIQUE,
  brand_name TEXT NOT NULL,
  json TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS conversations (
  id TEXT PRIMARY KEY,
  agent_name TEXT NOT NULL,
  entry_point TEXT NOT NULL,
  display_name TEXT NOT NULL,
  locale TEXT NOT NULL,
  created_at INTEGER NOT NULL
);
-- Both directions in one ordered log: agent messages, events, receipts, surveys; user messages,
-- suggestion responses, statuses, receipts and authentication responses. bubble = 1 for entries
-- that count as "a message" for the rule that chips show only on the newest message
-- (docs/contract-decisions.md §2.2).
CREATE TABLE IF NOT EXISTS log (
  seq INTEGER PRIMARY KEY AUTOINCREMENT,
  conversation_id TEXT NOT NULL,
  direction TEXT NOT NULL CHECK (direction IN ('agent', 'user')),
  kind TEXT NOT NULL,
  item_id TEXT,
  name TEXT,
  json TEXT NOT NULL,
  bubble INTEGER NOT NULL DEFAULT 0,
  create_time INTEGER NOT NULL
);
CREATE INDEX IF NOT EXISTS log_by_conversation ON log (conversation_id, seq);
CREATE UNIQUE INDEX IF NOT EXISTS log_unique_id ON log (conversation_id, kind, item_id) WHERE item_id IS NOT NULL;
CREATE TABLE IF NOT EXISTS access_tokens (
  token_hash TEXT PRIMARY KEY,
  client_email TEXT NOT NULL,
  scopes TEXT NOT NULL,
  expires_at INTEGER NOT NULL,
  created_at INTEGER NOT NULL
);
CREATE TABLE IF NOT EXISTS signins (
  state TEXT PRIMARY KEY,
  conversation_id TEXT NOT NULL,
  message_name TEXT NOT NULL,
  redirect_uri TEXT NOT NULL,
  chip_json TEXT NOT NULL,
  status TEXT NOT NULL CHECK (status IN ('pending', 'completed', 'cancelled')),
  created_at INTEGER NOT NULL,
  finished_at INTEGER
);
`

/** Opens (creating if needed) `<dataDir>/emulator.sqlite` with WAL, FULL sync and the state schema. */
export function openEmulatorDatabase(dataDir: string): DatabaseSync {
  mkdirSync(dataDir, { recursive: true, mode: 0o700 })
  const path = join(dataDir, DATABASE_FILE)
  // It holds the emulator's codes and tokens: 0600 before SQLite creates it (S14).
  ensurePrivateFile(path)
  const db = new DatabaseSync(path)
  db.exec('PRAGMA journal_mode = WAL')
  db.exec('PRAGMA synchronous = FULL')
  db.exec('PRAGMA busy_timeout = 5000')
  db.exec(SCHEMA)
  narrowSQLiteCompanions(path)
  return db
}

/** Reads one `meta` value. */
export function getMeta(db: DatabaseSync, key: string): string | undefined {
  const row = db.prepare('SELECT value FROM meta WHERE key = ?').get(key) as { value: string } | undefined
  return row?.value
}

/** Writes one `meta` value. */
export function setMeta(db: DatabaseSync, key: string, value: string): void {
  db.prepare('INSERT INTO meta (key, value) VALUES (?, ?) ON CONFLICT (key) DO UPDATE SET value = excluded.value').run(
    key,
    value,
  )
}

/** Runs `fn` inside `BEGIN IMMEDIATE … COMMIT`, rolling back if it throws. `fn` must be synchronous. */
export function inTransaction<T>(db: DatabaseSync, fn: () => T): T {
  db.exec('BEGIN IMMEDIATE')
  try {
    const result = fn()
    db.exec('COMMIT')
    return result
  } catch (err) {
    db.exec('ROLLBACK')
    throw err
  }
}
