/**
 * @module emulator/webhook/delivery-store
 * The persistent delivery queue in the emulator's `node:sqlite` database (table `webhook_deliveries`).
 * Each row holds the exact body string that is sent on every attempt, so body bytes and `requestId`
 * are stable across retries and restarts. No key material is ever stored here: the signing key is
 * resolved per attempt.
 */
import type { DatabaseSync } from 'node:sqlite'

/**
 * Lifecycle: `pending` (not attempted yet) → `failed` (last attempt failed, retry scheduled) →
 * `delivered` | `expired`.
 */
export type DeliveryStatus = 'pending' | 'delivered' | 'failed' | 'expired'

/** One queued webhook delivery. `pending` and `failed` are both still queued for (re)delivery. */
export interface DeliveryRecord {
  id: number
  agentName: string
  conversationId: string | undefined
  requestId: string | undefined
  /** The exact raw JSON bytes sent on every attempt. */
  body: string
  status: DeliveryStatus
  attempts: number
  nextAttemptAt: number
  createdAt: number
  lastError: string | undefined
  lastStatus: number | undefined
}

const SCHEMA = `
CREATE TABLE IF NOT EXISTS webhook_deliveries (
  id INTEGER PRIMARY KEY AUTOINCREMENT,
  agent_name TEXT NOT NULL,
  conversation_id TEXT,
  request_id TEXT,
  body TEXT NOT NULL,
  status TEXT NOT NULL,
  attempts INTEGER NOT NULL DEFAULT 0,
  next_attempt_at INTEGER NOT NULL,
  created_at INTEGER NOT NULL,
  last_error TEXT,
  last_status INTEGER
);
CREATE INDEX IF NOT EXISTS webhook_deliveries_due ON webhook_deliveries (status, next_attempt_at);
CREATE INDEX IF NOT EXISTS webhook_deliveries_conversation ON webhook_deliveries (agent_name, conversation_id);
`

const COLUMNS = `id, agent_name, conversation_id, request_id, body, status, attempts, next_attempt_at,
  created_at, last_error, last_status`

/** A new row. */
export interface NewDelivery {
  agentName: string
  conversationId: string | undefined
  requestId: string | undefined
  body: string
  createdAt: number
  nextAttemptAt: number
}

/** What an attempt changed on a row. */
export interface AttemptUpdate {
  status: DeliveryStatus
  attempts: number
  nextAttemptAt: number
  lastError: string | undefined
  lastStatus: number | undefined
}

/** Typed access to `webhook_deliveries`; all statements are synchronous (node:sqlite). */
export class DeliveryStore {
  readonly #db: DatabaseSync

  constructor(db: DatabaseSync) {
    this.#db = db
    db.exec(SCHEMA)
  }

  /** Inserts a new `pending` delivery and returns it. */
  insert(row: NewDelivery): DeliveryRecord {
    const result = this.#db
      .prepare(
        `INSERT INTO webhook_deliveries
           (agent_name, conversation_id, request_id, body, status, attempts, next_attempt_at, created_at)
         VALUES (?, ?, ?, ?, 'pending', 0, ?, ?)`,
      )
      .run(row.agentName, row.conversationId ?? null, row.requestId ?? null, row.body, row.nextAttemptAt, row.createdAt)
    return this.get(Number(result.lastInsertRowid)) as DeliveryRecord
  }

  get(id: number): DeliveryRecord | undefined {
    const row = this.#db.prepare(`SELECT ${COLUMNS} FROM webhook_deliveries WHERE id = ?`).get(id)
    return row === undefined ? undefined : toRecord(row)
  }

  /** Queued deliveries whose next attempt is due at `now`, oldest first. */
  due(now: number): DeliveryRecord[] {
    return this.#db
      .prepare(
        `SELECT ${COLUMNS} FROM webhook_deliveries
         WHERE status IN ('pending', 'failed') AND next_attempt_at <= ? ORDER BY id`,
      )
      .all(now)
      .map(toRecord)
  }

  /** Marks every queued delivery created at or before `createdBefore` as `expired`; returns them. */
  expire(createdBefore: number): DeliveryRecord[] {
    return this.#db
      .prepare(
        `UPDATE webhook_deliveries
         SET status = 'expired', last_error = coalesce(last_error, 'expired before any attempt')
         WHERE status IN ('pending', 'failed') AND created_at <= ? RETURNING ${COLUMNS}`,
      )
      .all(createdBefore)
      .map(toRecord)
  }

  /** Records the outcome of an attempt (or of a deferral). */
  update(id: number, change: AttemptUpdate): void {
    this.#db
      .prepare(
        `UPDATE webhook_deliveries
         SET status = ?, attempts = ?, next_attempt_at = ?, last_error = ?, last_status = ?
         WHERE id = ?`,
      )
      .run(
        change.status,
        change.attempts,
        change.nextAttemptAt,
        change.lastError ?? null,
        change.lastStatus ?? null,
        id,
      )
  }

  /** How many deliveries are stored (any status). */
  count(): number {
    return Number((this.#db.prepare('SELECT count(*) AS n FROM webhook_deliveries').get() as { n: number }).n)
  }

  /** Deliveries, newest first, optionally for one agent and/or conversation. */
  list(filter: { agentName?: string; conversationId?: string } = {}): DeliveryRecord[] {
    const where: string[] = []
    const params: string[] = []
    if (filter.agentName !== undefined) {
      where.push('agent_name = ?')
      params.push(filter.agentName)
    }
    if (filter.conversationId !== undefined) {
      where.push('conversation_id = ?')
      params.push(filter.conversationId)
    }
    const clause = where.length === 0 ? '' : `WHERE ${where.join(' AND ')}`
    return this.#db
      .prepare(`SELECT ${COLUMNS} FROM webhook_deliveries ${clause} ORDER BY id DESC`)
      .all(...params)
      .map(toRecord)
  }
}

function toRecord(row: Record<string, unknown>): DeliveryRecord {
  return {
    id: Number(row['id']),
    agentName: String(row['agent_name']),
    conversationId: optionalString(row['conversation_id']),
    requestId: optionalString(row['request_id']),
    body: String(row['body']),
    status: String(row['status']) as DeliveryStatus,
    attempts: Number(row['attempts']),
    nextAttemptAt: Number(row['next_attempt_at']),
    createdAt: Number(row['created_at']),
    lastError: optionalString(row['last_error']),
    lastStatus: row['last_status'] === null ? undefined : Number(row['last_status']),
  }
}

function optionalString(value: unknown): string | undefined {
  return value === null || value === undefined ? undefined : String(value)
}
