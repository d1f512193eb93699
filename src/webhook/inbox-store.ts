/**
 * @module webhook/inbox-store
 * The durable inbox between the webhook receiver (which acks) and the processor (which acts):
 * `record` de-duplicates and stores a delivery atomically before the 200 goes out; processors
 * `claimNext` with a lease, then `complete` or `fail`; signed but unprocessable bodies go to
 * `quarantine`; `purge` drops rows older than the dedupe retention.
 *
 * Secrets (security case S5, docs/contract-decisions.md §10 "crash semantics"). An
 * `authenticationResponse` body carries an authorization code, which must survive a restart between
 * ack and processing yet must never lie in the database in plaintext. So:
 * - with a {@link PayloadSealer} (the token vault's AEAD, injected), every payload is stored sealed,
 *   bound to its row id as associated data, and the code survives a crash;
 * - without one, the code is removed before storing (`stripped`): the processor gets the full event
 *   in memory through the receiver's `onRecorded`, and after a crash the re-read event has
 *   `outcome: 'missing'`, so the flow re-prompts instead of exchanging (never a plaintext code).
 * `complete` empties the payload (only the dedupe key and metadata stay until `purge`).
 */
import { createHash } from 'node:crypto'
import type { Database } from '../db/queryable.ts'
import { InvalidArgumentError } from '../errors.ts'
import type { GroupCommit } from '../jobs/group-commit.ts'
import { createJobTable, type JobRow, type JobTable } from '../jobs/job-table.ts'
import { migrateInbox } from './inbox-schema.ts'
import { parseWebhookEvent } from './parse-event.ts'
import { DEFAULT_DEDUPE_RETENTION_MS, MIN_DEDUPE_RETENTION_MS } from './replay-window.ts'
import type { WebhookEvent } from './types.ts'

/** Authenticated encryption supplied by the caller (e.g. the token vault); `associatedData` binds the row. */
export interface PayloadSealer {
  seal(plaintext: Uint8Array, associatedData: string): Promise<Uint8Array>
  unseal(sealed: Uint8Array, associatedData: string): Promise<Uint8Array>
}

export interface ClaimedDelivery {
  id: string
  event: WebhookEvent
  receivedAt: number
  /** 1 on the first claim. */
  attempts: number
  /** True when the authorization code was not stored (no sealer): the event reads `outcome: 'missing'`. */
  secretWithheld: boolean
}

/** The vault purpose under which inbox payloads are sealed (each bound to its row). */
export const WEBHOOK_INBOX_PURPOSE = 'webhook-inbox'

export interface InboxStore {
  /** Stores the delivery unless its dedupe key is known; atomic across processes. */
  record(input: { event: WebhookEvent; rawBody: Uint8Array; receivedAt: number }): Promise<'new' | 'duplicate'>
  /** Leases the oldest due delivery (new, retry due, or lease expired) until `now + leaseMs`. */
  claimNext(now: number, leaseMs: number): Promise<ClaimedDelivery | undefined>
  /** Marks a delivery processed and drops its payload. */
  complete(id: string): Promise<void>
  /** Schedules a retry at `retryAt`, or gives up (`dead`) when `retryAt` is undefined. `reason` must hold no secret. */
  fail(id: string, reason: string, retryAt: number | undefined): Promise<void>
  /** Keeps a signed but unprocessable body for inspection; the same bytes are kept once. */
  quarantine(input: { rawBody: Uint8Array; reason: string; receivedAt: number }): Promise<'new' | 'duplicate'>
  /** Deletes deliveries and quarantined bodies received before `now - retentionMs` (at least 7 days + skew). */
  purge(now: number, retentionMs?: number): Promise<{ deliveries: number; quarantined: number }>
  /** Deliveries not yet processed (pending or leased) and when the oldest of them arrived (metrics). */
  backlog(): Promise<{ pending: number; oldestReceivedAt: number | undefined }>
}

export interface OpenInboxStoreOptions {
  sealer?: PayloadSealer
  /**
   * @internal How `record` commits (default: the database's shared group commit, docs/jobs.md
   * "Group commit"); the tests pass their own to inject faults.
   */
  groupCommit?: GroupCommit
}

/** Migrates the inbox tables and returns the store. */
export async function openInboxStore(db: Database, options: OpenInboxStoreOptions = {}): Promise<InboxStore> {
  await migrateInbox(db)
  return new SQLInboxStore(db, options.sealer, options.groupCommit)
}

type PayloadFormat = 'sealed' | 'plain' | 'stripped'
const EMPTY = new Uint8Array(0)
const MAX_REASON_CHARS = 500
/** Unreadable rows are given up on the way; bound the loop so one call stays short. */
const MAX_CLAIM_TRIES = 10

class SQLInboxStore implements InboxStore {
  readonly #db: Database
  readonly #sealer: PayloadSealer | undefined
  /** Done and dead deliveries are kept: the row is the dedupe key until `purge`. */
  readonly #jobs: JobTable<InboxRow>

  constructor(db: Database, sealer: PayloadSealer | undefined, groupCommit: GroupCommit | undefined) {
    this.#db = db
    this.#sealer = sealer
    this.#jobs = createJobTable<InboxRow>(db, {
      table: 'webhook_inbox',
      createdColumn: 'received_at',
      finished: 'keep',
      ...(groupCommit === undefined ? {} : { groupCommit }),
    })
  }

  async record(input: { event: WebhookEvent; rawBody: Uint8Array; receivedAt: number }): Promise<'new' | 'duplicate'> {
    const { event, receivedAt } = input
    const { payload, format } = await this.#encode(input.rawBody, `webhook_inbox:${event.dedupeKey}`)
    // Sealed before joining a batch: the shared transaction holds only the INSERT.
    const rowCount = await this.#jobs.enqueue(
      `INSERT INTO webhook_inbox
         (id, received_at, agent, conversation_id, kind, payload, payload_format, state, attempts, available_at)
       VALUES ($1, $2, $3, $4, $5, $6, $7, 'pending', 0, $2)
       ON CONFLICT (id) DO NOTHING`,
      [event.dedupeKey, receivedAt, event.agent ?? null, event.conversationId ?? null, event.kind, payload, format],
    )
    return rowCount === 1 ? 'new' : 'duplicate'
  }

  async claimNext(now: number, leaseMs: number): Promise<ClaimedDelivery | undefined> {
    for (let i = 0; i < MAX_CLAIM_TRIES; i++) {
      const [row] = await this.#jobs.claim(now, { leaseMs })
      if (row === undefined) return undefined
      try {
        const body = await this.#decode(row.payload, row.payload_format as PayloadFormat, `webhook_inbox:${row.id}`)
        return {
          id: row.id,
          event: parseWebhookEvent(body),
          receivedAt: Number(row.received_at),
          attempts: Number(row.attempts),
          secretWithheld: row.payload_format === 'stripped',
        }
      } catch {
        await this.fail(row.id, 'stored payload unreadable (key removed or data damaged)', undefined)
      }
    }
    return undefined
  }

  async complete(id: string): Promise<void> {
    await this.#jobs.complete(id, { payload: EMPTY, payload_format: 'plain' })
  }

  async fail(id: string, reason: string, retryAt: number | undefined): Promise<void> {
    if (retryAt === undefined) await this.#jobs.giveUp(id, reason)
    else await this.#jobs.retry(id, retryAt, reason)
  }

  async quarantine(input: { rawBody: Uint8Array; reason: string; receivedAt: number }): Promise<'new' | 'duplicate'> {
    const id = createHash('sha256').update(input.rawBody).digest('hex')
    // Without a sealer the body is not kept at all: an unparseable body may still hold a code.
    const payload =
      this.#sealer === undefined ? null : await this.#sealer.seal(input.rawBody, `webhook_quarantine:${id}`)
    const { rowCount } = await this.#db.query(
      `INSERT INTO webhook_quarantine (id, received_at, reason, body_bytes, payload) VALUES ($1, $2, $3, $4, $5)
       ON CONFLICT (id) DO NOTHING`,
      [id, input.receivedAt, input.reason.slice(0, MAX_REASON_CHARS), input.rawBody.byteLength, payload],
    )
    return rowCount === 1 ? 'new' : 'duplicate'
  }

  async backlog(): Promise<{ pending: number; oldestReceivedAt: number | undefined }> {
    const { rows } = await this.#db.query<{
      pending: number | bigint | string
      oldest: number | bigint | string | null
    }>("SELECT COUNT(*) AS pending, MIN(received_at) AS oldest FROM webhook_inbox WHERE state IN ('pending', 'leased')")
    const row = rows[0]
    const oldest = row?.oldest ?? null
    return { pending: Number(row?.pending ?? 0), oldestReceivedAt: oldest === null ? undefined : Number(oldest) }
  }

  async purge(
    now: number,
    retentionMs: number = DEFAULT_DEDUPE_RETENTION_MS,
  ): Promise<{ deliveries: number; quarantined: number }> {
    if (!(retentionMs >= MIN_DEDUPE_RETENTION_MS)) {
      throw new InvalidArgumentError('retentionMs', `at least ${MIN_DEDUPE_RETENTION_MS} ms (7 days plus clock skew)`)
    }
    const cutoff = now - retentionMs
    const deliveries = await this.#db.query('DELETE FROM webhook_inbox WHERE received_at < $1', [cutoff])
    const quarantined = await this.#db.query('DELETE FROM webhook_quarantine WHERE received_at < $1', [cutoff])
    return { deliveries: deliveries.rowCount, quarantined: quarantined.rowCount }
  }

  async #encode(rawBody: Uint8Array, aad: string): Promise<{ payload: Uint8Array; format: PayloadFormat }> {
    if (this.#sealer !== undefined) return { payload: await this.#sealer.seal(rawBody, aad), format: 'sealed' }
    const stripped = stripAuthorizationCode(rawBody)
    return stripped === undefined ? { payload: rawBody, format: 'plain' } : { payload: stripped, format: 'stripped' }
  }

  async #decode(payload: Uint8Array, format: PayloadFormat, aad: string): Promise<Uint8Array> {
    if (format !== 'sealed') return payload
    if (this.#sealer === undefined) throw new Error('sealed payload but no sealer configured')
    return this.#sealer.unseal(payload, aad)
  }
}

interface InboxRow extends JobRow {
  received_at: number | string
  payload: Uint8Array
  payload_format: string
}

/** The body re-serialised without `authenticationResponse.code`, or undefined when it holds none. */
export function stripAuthorizationCode(rawBody: Uint8Array): Uint8Array | undefined {
  let body: unknown
  try {
    body = JSON.parse(new TextDecoder().decode(rawBody))
  } catch {
    return undefined // only parseable bodies are recorded; parse-event has already vetted this one
  }
  const auth = (body as { authenticationResponse?: unknown } | null)?.authenticationResponse
  if (typeof auth !== 'object' || auth === null || !('code' in auth)) return undefined
  delete (auth as { code?: unknown }).code
  return new TextEncoder().encode(JSON.stringify(body))
}
