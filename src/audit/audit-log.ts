/**
 * @module audit/audit-log
 * The audit trail a user can read (docs/operations.md, "Audit trail"): every use of a user's
 * tokens — when, which API origin and a redacted path, the purpose the handler declared, the scopes
 * and the outcome — and every grant event (granted, refreshed, revoked, expired, signed out).
 * Rows hold an intent label, never the user's words, and never a secret: paths lose their query
 * and every segment that looks like an identifier. Erasing a conversation (a data-protection
 * request) deletes its rows and keeps one entry without personal data: a fingerprint of the
 * conversation instead of its id.
 */
import { createHash } from 'node:crypto'
import type { ConversationKey } from '../channel/types.ts'
import { redactURL } from '../core/redact-url.ts'

export { redactURL }
import { storeMigrator } from '../db/migrate.ts'
import type { Database, Queryable } from '../db/queryable.ts'

/** A grant's lifecycle as the log records it. */
export type GrantEvent = 'granted' | 'refreshed' | 'revoked' | 'expired' | 'needs-reconnect' | 'signed-out'

export type AuditEntry =
  | {
      readonly kind: 'access'
      readonly at: number
      /** e.g. `https://api.bank.example` */
      readonly origin: string
      /** The path with identifiers replaced by `:id` and no query, e.g. `/accounts/:id/balance`. */
      readonly path: string
      readonly method: string
      /** What the handler said the call is for, e.g. `read balance`. */
      readonly purpose: string
      readonly scopes: readonly string[]
      /** The HTTP status, or `failed` when no answer came. */
      readonly outcome: string
    }
  | { readonly kind: 'grant'; readonly at: number; readonly event: GrantEvent; readonly scopes: readonly string[] }

export interface AuditLog {
  record(key: ConversationKey, entry: AuditEntry): Promise<void>
  /** The conversation's entries, newest first. */
  list(key: ConversationKey, options?: { limit?: number }): Promise<AuditEntry[]>
  /** Deletes the conversation's entries; keeps one `erased` row keyed by a fingerprint. Returns how many went. */
  erase(key: ConversationKey, now: number): Promise<number>
  /** Deletes entries older than `cutoff` (retention). */
  purgeOlderThan(cutoff: number): Promise<number>
}

/** Default retention of audit entries: about 13 months, a common statement period. */
export const DEFAULT_AUDIT_RETENTION_MS = 400 * 24 * 60 * 60_000

export const migrateAuditLog = storeMigrator('audit_log', [
  // An increasing id orders entries written in the same millisecond.
  (dialect) => `CREATE TABLE bm_audit_log (
     id ${dialect === 'sqlite' ? 'INTEGER PRIMARY KEY' : 'BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY'},
     channel TEXT NOT NULL,
     agent TEXT NOT NULL,
     conversation TEXT NOT NULL,
     at BIGINT NOT NULL,
     kind TEXT NOT NULL,
     detail TEXT NOT NULL
   );
   CREATE INDEX bm_audit_log_conversation ON bm_audit_log (channel, agent, conversation, at);
   CREATE INDEX bm_audit_log_at ON bm_audit_log (at);`,
])

const INSERT =
  'INSERT INTO bm_audit_log (channel, agent, conversation, at, kind, detail) VALUES ($1, $2, $3, $4, $5, $6)'

/** The audit log over `db` (call {@link migrateAuditLog} first). */
export function createAuditLog(db: Database): AuditLog {
  const where = 'channel = $1 AND agent = $2 AND conversation = $3'
  const keyParams = (key: ConversationKey) => [key.channel, key.agent, key.conversation]
  const insert = (tx: Queryable, key: ConversationKey, at: number, kind: string, detail: object) =>
    tx.query(INSERT, [...keyParams(key), at, kind, JSON.stringify(detail)])
  return {
    async record(key, entry) {
      const { kind, at, ...detail } = entry
      await insert(db, key, at, kind, detail)
    },
    async list(key, options = {}) {
      const limit = Math.max(1, Math.min(1000, options.limit ?? 100))
      const { rows } = await db.query<{ at: number | bigint; kind: string; detail: string }>(
        `SELECT at, kind, detail FROM bm_audit_log WHERE ${where} ORDER BY at DESC, id DESC LIMIT ${limit}`,
        keyParams(key),
      )
      return rows.map((row) => ({ ...JSON.parse(row.detail), kind: row.kind, at: Number(row.at) }) as AuditEntry)
    },
    async erase(key, now) {
      return db.transaction(async (tx) => {
        const deleted = await tx.query(`DELETE FROM bm_audit_log WHERE ${where}`, keyParams(key))
        const fingerprint = createHash('sha256').update(key.conversation).digest('base64url').slice(0, 22)
        const erased = { ...key, conversation: `erased:${fingerprint}` }
        await insert(tx, erased, now, 'erased', { entries: deleted.rowCount })
        return deleted.rowCount
      })
    },
    async purgeOlderThan(cutoff) {
      return (await db.query('DELETE FROM bm_audit_log WHERE at < $1', [cutoff])).rowCount
    },
  }
}

/** The entries as lines a user can read, newest first (`describe` for "what have you accessed?"). */
export function describeAuditLog(entries: readonly AuditEntry[], locale = 'en-GB'): string {
  if (entries.length === 0) return 'I have not used your account access yet.'
  const when = (at: number) =>
    new Date(at).toLocaleString(locale, { dateStyle: 'medium', timeStyle: 'short', timeZone: 'UTC' })
  const lines = entries.map((entry) =>
    entry.kind === 'access'
      ? `${when(entry.at)} UTC: ${entry.purpose} (${entry.method} ${entry.origin}${entry.path}, ${entry.outcome})`
      : `${when(entry.at)} UTC: access ${GRANT_WORDS[entry.event]}`,
  )
  return ['What I did with your account access, newest first:', ...lines].join('\n')
}

const GRANT_WORDS: Readonly<Record<GrantEvent, string>> = {
  granted: 'granted by you',
  refreshed: 'renewed',
  revoked: 'revoked',
  expired: 'expired',
  'needs-reconnect': 'ended by your bank (sign in again to continue)',
  'signed-out': 'ended: you signed out',
}
