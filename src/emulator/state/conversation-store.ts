/**
 * @module emulator/state/conversation-store
 * Conversations and their two-way log (agent messages, events, receipts and surveys; user messages,
 * suggestion responses, statuses, receipts and authentication responses), plus the pending device
 * sign-ins. The log keeps insertion order, which is the transcript order.
 */
import type { DatabaseSync } from 'node:sqlite'
import type { JSONObject } from './resource-store.ts'

/** A conversation between one user (the simulated device) and one agent. */
export interface Conversation {
  id: string
  agentName: string
  entryPoint: string
  displayName: string
  locale: string
  createdAt: number
}

/** Kinds of log entries. `item_id` is unique per (conversation, kind) when set. */
export type LogKind =
  | 'message'
  | 'event'
  | 'receipt'
  | 'survey'
  | 'suggestionResponse'
  | 'userStatus'
  | 'receipts'
  | 'authenticationResponse'

export interface LogEntryInput {
  conversationId: string
  direction: 'agent' | 'user'
  kind: LogKind
  /** messageId / eventId / surveyId (unique per conversation and kind). */
  itemId?: string
  name?: string
  body: JSONObject
  /** Counts as a message bubble for the "chips only on the newest message" rule. */
  bubble: boolean
  createTime: number
}

export interface LogEntry extends LogEntryInput {
  seq: number
}

/** A device sign-in started from an authenticationRequest chip. */
export interface SignIn {
  state: string
  conversationId: string
  messageName: string
  redirectUri: string
  chip: JSONObject
  status: 'pending' | 'completed' | 'cancelled'
  createdAt: number
}

/** Reads and writes conversations, the log and sign-ins. */
export class ConversationStore {
  readonly #db: DatabaseSync
  constructor(db: DatabaseSync) {
    this.#db = db
  }

  insertConversation(c: Conversation): void {
    this.#db
      .prepare(
        'INSERT INTO conversations (id, agent_name, entry_point, display_name, locale, created_at) VALUES (?, ?, ?, ?, ?, ?)',
      )
      .run(c.id, c.agentName, c.entryPoint, c.displayName, c.locale, c.createdAt)
  }

  getConversation(id: string): Conversation | undefined {
    const row = this.#db.prepare('SELECT * FROM conversations WHERE id = ?').get(id)
    return row === undefined ? undefined : toConversation(row)
  }

  listConversations(agentName?: string): Conversation[] {
    const rows =
      agentName === undefined
        ? this.#db.prepare('SELECT * FROM conversations ORDER BY created_at, id').all()
        : this.#db.prepare('SELECT * FROM conversations WHERE agent_name = ? ORDER BY created_at, id').all(agentName)
    return rows.map(toConversation)
  }

  countConversations(): number {
    return Number((this.#db.prepare('SELECT count(*) AS n FROM conversations').get() as { n: number }).n)
  }

  /** Appends a log entry; returns undefined when its (kind, itemId) already exists in the conversation. */
  append(entry: LogEntryInput): LogEntry | undefined {
    const result = this.#db
      .prepare(
        `INSERT INTO log (conversation_id, direction, kind, item_id, name, json, bubble, create_time)
         VALUES (?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT DO NOTHING`,
      )
      .run(
        entry.conversationId,
        entry.direction,
        entry.kind,
        entry.itemId ?? null,
        entry.name ?? null,
        JSON.stringify(entry.body),
        entry.bubble ? 1 : 0,
        entry.createTime,
      )
    if (Number(result.changes) === 0) return undefined
    return { ...entry, seq: Number(result.lastInsertRowid) }
  }

  /** The entry of `kind` with `itemId` in a conversation. */
  findItem(conversationId: string, kind: LogKind, itemId: string): LogEntry | undefined {
    const row = this.#db
      .prepare('SELECT * FROM log WHERE conversation_id = ? AND kind = ? AND item_id = ?')
      .get(conversationId, kind, itemId)
    return row === undefined ? undefined : toLogEntry(row)
  }

  /** How many entries of `kind` from `direction` a conversation got at or after `sinceMs`. */
  countSince(conversationId: string, kind: LogKind, direction: 'agent' | 'user', sinceMs: number): number {
    const row = this.#db
      .prepare(
        'SELECT count(*) AS n FROM log WHERE conversation_id = ? AND kind = ? AND direction = ? AND create_time >= ?',
      )
      .get(conversationId, kind, direction, sinceMs) as { n: number }
    return Number(row.n)
  }

  /** The whole log of a conversation, oldest first. */
  listLog(conversationId: string): LogEntry[] {
    return this.#db
      .prepare('SELECT * FROM log WHERE conversation_id = ? ORDER BY seq')
      .all(conversationId)
      .map(toLogEntry)
  }

  /** The logs of every conversation in one query: by conversation (oldest first), then oldest entry first. */
  listAllLogs(): LogEntry[] {
    return this.#db
      .prepare(
        `SELECT log.* FROM log JOIN conversations c ON c.id = log.conversation_id
         ORDER BY c.created_at, c.id, log.seq`,
      )
      .all()
      .map(toLogEntry)
  }

  /** The newest entry that counts as a message bubble (either side). */
  newestBubble(conversationId: string): LogEntry | undefined {
    const row = this.#db
      .prepare('SELECT * FROM log WHERE conversation_id = ? AND bubble = 1 ORDER BY seq DESC LIMIT 1')
      .get(conversationId)
    return row === undefined ? undefined : toLogEntry(row)
  }

  countLog(): number {
    return Number((this.#db.prepare('SELECT count(*) AS n FROM log').get() as { n: number }).n)
  }

  insertSignIn(s: SignIn): void {
    this.#db
      .prepare(
        `INSERT INTO signins (state, conversation_id, message_name, redirect_uri, chip_json, status, created_at)
         VALUES (?, ?, ?, ?, ?, ?, ?)`,
      )
      .run(s.state, s.conversationId, s.messageName, s.redirectUri, JSON.stringify(s.chip), s.status, s.createdAt)
  }

  getSignIn(state: string): SignIn | undefined {
    const row = this.#db.prepare('SELECT * FROM signins WHERE state = ?').get(state)
    return row === undefined ? undefined : toSignIn(row)
  }

  /** The newest pending sign-in of a conversation. */
  pendingSignIn(conversationId: string): SignIn | undefined {
    const row = this.#db
      .prepare(
        "SELECT * FROM signins WHERE conversation_id = ? AND status = 'pending' ORDER BY created_at DESC, rowid DESC LIMIT 1",
      )
      .get(conversationId)
    return row === undefined ? undefined : toSignIn(row)
  }

  /** Moves a pending sign-in to a final status; returns false if it was no longer pending (single use). */
  finishSignIn(state: string, status: 'completed' | 'cancelled', nowMs: number): boolean {
    const result = this.#db
      .prepare("UPDATE signins SET status = ?, finished_at = ? WHERE state = ? AND status = 'pending'")
      .run(status, nowMs, state)
    return Number(result.changes) > 0
  }
}

function toConversation(row: Record<string, unknown>): Conversation {
  return {
    id: String(row['id']),
    agentName: String(row['agent_name']),
    entryPoint: String(row['entry_point']),
    displayName: String(row['display_name']),
    locale: String(row['locale']),
    createdAt: Number(row['created_at']),
  }
}

function toLogEntry(row: Record<string, unknown>): LogEntry {
  const entry: LogEntry = {
    seq: Number(row['seq']),
    conversationId: String(row['conversation_id']),
    direction: row['direction'] === 'agent' ? 'agent' : 'user',
    kind: String(row['kind']) as LogKind,
    body: JSON.parse(String(row['json'])) as JSONObject,
    bubble: Number(row['bubble']) === 1,
    createTime: Number(row['create_time']),
  }
  if (row['item_id'] !== null) entry.itemId = String(row['item_id'])
  if (row['name'] !== null) entry.name = String(row['name'])
  return entry
}

function toSignIn(row: Record<string, unknown>): SignIn {
  return {
    state: String(row['state']),
    conversationId: String(row['conversation_id']),
    messageName: String(row['message_name']),
    redirectUri: String(row['redirect_uri']),
    chip: JSON.parse(String(row['chip_json'])) as JSONObject,
    status: String(row['status']) as SignIn['status'],
    createdAt: Number(row['created_at']),
  }
}
