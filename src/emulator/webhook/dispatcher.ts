/**
 * @module emulator/webhook/dispatcher
 * Google's webhook sender (docs/contract-decisions.md §3.5–3.7, §7 items 3–4, §10 Q6–Q7).
 * Deliveries are queued in the emulator's SQLite database and survive a restart; each attempt POSTs
 * the stored body bytes, signed with `X-Goog-Signature` using the key configured for the agent. Any
 * 2xx is delivered; non-2xx, network errors, timeouts and redirects are retried with exponential
 * backoff and jitter until the horizon (default 7 days after creation), then the delivery is
 * `expired`.
 *
 * Scheduling reads the injected {@link Clock} only, so fast-forwarding the emulator's `OffsetClock`
 * makes retries due at once; the poll loop is a real, unref'd timer. Each agent's due deliveries are
 * attempted one after another (oldest first, or newest first under the `reorder` fault), while
 * agents proceed independently: a slow webhook of one agent never holds up another. An agent whose
 * run is still in flight is skipped by overlapping `runDue` calls, so one delivery is never
 * attempted twice at the same time.
 *
 * With no webhook target configured for the agent, a delivery stays queued (status unchanged, no
 * attempt counted) and is looked at again after `baseDelayMs`, until a target appears or the horizon
 * passes: Google kept undeliverable messages for 7 days too.
 */
import type { DatabaseSync } from 'node:sqlite'
import type { Clock } from '../../core/clock.ts'
import type { FetchLike } from '../../core/fetch.ts'
import { silentLogger, type Logger } from '../../core/logger.ts'
import { shiftGoogleTimestamp } from '../device/google-timestamp.ts'
import { retryDelayMs } from './backoff.ts'
import { DeliveryStore, type DeliveryRecord } from './delivery-store.ts'
import { DEFAULT_FAULTS, type FaultSettings } from './faults.ts'
import { runWebhookHandshake, type HandshakeResult } from './url-verification.ts'
import { postOnce } from './http-post.ts'
import { signWebhookBody } from './sign.ts'

export type { DeliveryRecord, DeliveryStatus } from './delivery-store.ts'
export type { HandshakeResult } from './url-verification.ts'

/** Where an agent's webhook lives and the key its deliveries are signed with. */
export interface WebhookTarget {
  url: string
  signingKey: string
}

export interface DispatcherOptions {
  /** The emulator's shared database handle; the dispatcher creates its `webhook_` tables. */
  db: DatabaseSync
  clock: Clock
  /** The webhook of an agent, resolved at each attempt; `undefined` keeps deliveries queued. */
  resolveTarget: (agentName: string) => WebhookTarget | undefined
  fetch?: FetchLike
  /** Per-attempt timeout in real milliseconds (default 10 000). */
  timeoutMs?: number
  /** Give up this long after creation (default 7 days). */
  horizonMs?: number
  /** First retry delay (default 1 000). */
  baseDelayMs?: number
  /** Cap of the retry delay (default 1 hour). */
  maxDelayMs?: number
  /** Poll loop period in real milliseconds (default 100). */
  pollIntervalMs?: number
  /** Jitter source in [0, 1) (default `Math.random`). */
  random?: () => number
  logger?: Logger
}

const DAY_MS = 24 * 60 * 60 * 1000

/** Google's webhook sender: a persistent per-agent delivery queue with retries and fault switches. */
export class WebhookDispatcher {
  /** Fault switches (in memory); changes apply to deliveries enqueued / attempted afterwards. */
  faults: FaultSettings = { ...DEFAULT_FAULTS }

  readonly #store: DeliveryStore
  readonly #clock: Clock
  readonly #resolveTarget: (agentName: string) => WebhookTarget | undefined
  readonly #fetch: FetchLike
  readonly #timeoutMs: number
  readonly #horizonMs: number
  readonly #baseDelayMs: number
  readonly #maxDelayMs: number
  readonly #pollIntervalMs: number
  readonly #random: () => number
  readonly #logger: Logger
  readonly #busyAgents = new Set<string>()
  readonly #running = new Set<Promise<void>>()
  #timer: NodeJS.Timeout | undefined

  constructor(options: DispatcherOptions) {
    this.#store = new DeliveryStore(options.db)
    this.#clock = options.clock
    this.#resolveTarget = options.resolveTarget
    this.#fetch = options.fetch ?? ((input, init) => fetch(input, init))
    this.#timeoutMs = options.timeoutMs ?? 10_000
    this.#horizonMs = options.horizonMs ?? 7 * DAY_MS
    this.#baseDelayMs = options.baseDelayMs ?? 1_000
    this.#maxDelayMs = options.maxDelayMs ?? 60 * 60 * 1000
    this.#pollIntervalMs = options.pollIntervalMs ?? 100
    this.#random = options.random ?? Math.random
    this.#logger = (options.logger ?? silentLogger).child({ component: 'webhook-dispatcher' })
  }

  /**
   * Queues a delivery of `payload` to the agent's webhook. The body is serialised once here and sent
   * byte-for-byte on every attempt. Faults applied now: `sendTimeSkewMs` (rewrites `sendTime`),
   * `delayMs` (first attempt later) and `duplicate` (extra identical rows). Returns the first row.
   */
  enqueue(agentName: string, payload: Record<string, unknown>): DeliveryRecord {
    const faults = this.faults
    const now = this.#clock.now()
    const row = {
      agentName,
      conversationId: stringField(payload, 'conversationId'),
      requestId: stringField(payload, 'requestId'),
      body: JSON.stringify(
        skewSendTime(payload, faults.sendTimeSkewMs),
        null,
        faults.bodyFormat === 'pretty' ? 2 : undefined,
      ),
      createdAt: now,
      nextAttemptAt: now + Math.max(0, faults.delayMs),
    }
    const first = this.#store.insert(row)
    for (let i = 0; i < faults.duplicate; i++) this.#store.insert(row)
    const copies = 1 + faults.duplicate
    this.#logger.debug({ deliveryId: first.id, requestId: first.requestId, copies }, 'webhook queued')
    // With the loop running, attempt at once instead of waiting for the next poll.
    if (this.#timer !== undefined) setImmediate(() => this.#timer !== undefined && this.#runInBackground())
    return first
  }

  /** Expires what passed the horizon, then attempts every due delivery once; resolves when done. */
  async runDue(): Promise<void> {
    const now = this.#clock.now()
    for (const expired of this.#store.expire(now - this.#horizonMs)) {
      this.#logger.warn(logFields(expired), 'webhook delivery expired')
    }
    const byAgent = new Map<string, DeliveryRecord[]>()
    for (const item of this.#store.due(now)) {
      if (this.#busyAgents.has(item.agentName)) continue
      const queue = byAgent.get(item.agentName) ?? []
      queue.push(item)
      byAgent.set(item.agentName, queue)
    }
    const runs: Promise<void>[] = []
    for (const [agentName, queue] of byAgent) {
      if (this.faults.reorder) queue.reverse()
      this.#busyAgents.add(agentName)
      const run = this.#runAgent(queue).finally(() => {
        this.#busyAgents.delete(agentName)
        this.#running.delete(run)
      })
      this.#running.add(run)
      runs.push(run)
    }
    await Promise.all(runs)
  }

  /** Starts the poll loop (an unref'd timer: it never keeps the process alive). */
  start(): void {
    if (this.#timer !== undefined) return
    const tick = (): void => {
      this.#runInBackground()
      this.#timer = setTimeout(tick, this.#pollIntervalMs)
      this.#timer.unref()
    }
    this.#timer = setTimeout(tick, 0)
    this.#timer.unref()
  }

  /** Stops the poll loop and waits for attempts in flight. */
  async stop(): Promise<void> {
    clearTimeout(this.#timer)
    this.#timer = undefined
    while (this.#running.size > 0) await Promise.allSettled([...this.#running])
  }

  /** Deliveries, newest first (highest id first). Records never carry key material. */
  list(filter?: { agentName?: string; conversationId?: string }): DeliveryRecord[] {
    return this.#store.list(filter)
  }

  /** How many deliveries are stored (any status). */
  count(): number {
    return this.#store.count()
  }

  /**
   * The set-up handshake (docs/contract-decisions.md §3.6): unsigned POST `{clientToken, secret}`;
   * ok iff 200 and the body is the secret. Uses the dispatcher's `timeoutMs` (default 10 s).
   */
  async verifyWebhook(url: string, clientToken: string): Promise<HandshakeResult> {
    const options = { fetch: this.#fetch, timeoutMs: this.#timeoutMs }
    const result = await runWebhookHandshake(url, clientToken, options)
    this.#logger.info({ ok: result.ok, status: result.status, detail: result.detail }, 'webhook verification')
    return result
  }

  #runInBackground(): void {
    this.runDue().catch((err: unknown) => {
      this.#logger.error({ err: err instanceof Error ? err.name : 'unknown' }, 'webhook poll failed')
    })
  }

  async #runAgent(queue: DeliveryRecord[]): Promise<void> {
    for (const item of queue) {
      try {
        await this.#attempt(item)
      } catch (err) {
        const name = err instanceof Error ? err.name : 'unknown'
        this.#logger.error({ ...logFields(item), err: name }, 'webhook attempt crashed')
      }
    }
  }

  async #attempt(item: DeliveryRecord): Promise<void> {
    const target = this.#resolveTarget(item.agentName)
    if (target === undefined) {
      this.#store.update(item.id, {
        ...item,
        nextAttemptAt: this.#clock.now() + this.#baseDelayMs,
        lastError: 'no webhook configured for the agent',
      })
      this.#logger.debug(logFields(item), 'webhook delivery waiting for a target')
      return
    }
    const outcome = await postOnce(target.url, item.body, {
      fetch: this.#fetch,
      timeoutMs: this.#timeoutMs,
      headers: signatureHeaders(item.body, target.signingKey, this.faults.signature),
      readBody: false,
    })
    const attempts = item.attempts + 1
    const now = this.#clock.now()
    const status = outcome.status
    if (status !== undefined && status >= 200 && status < 300) {
      const change = {
        status: 'delivered',
        attempts,
        nextAttemptAt: now,
        lastError: undefined,
        lastStatus: status,
      } as const
      this.#store.update(item.id, change)
      const fields = { ...logFields(item), status: 'delivered', httpStatus: status, attempt: attempts }
      this.#logger.info(fields, 'webhook delivered')
      return
    }
    const lastError = outcome.error ?? describeStatus(status)
    const backoff = { baseDelayMs: this.#baseDelayMs, maxDelayMs: this.#maxDelayMs, random: this.#random }
    const nextAttemptAt = now + retryDelayMs(attempts, backoff)
    this.#store.update(item.id, { status: 'failed', attempts, nextAttemptAt, lastError, lastStatus: status })
    const fields = { ...logFields(item), status: 'failed', httpStatus: status, attempt: attempts, error: lastError }
    this.#logger.warn(fields, 'webhook attempt failed')
  }
}

function describeStatus(status: number | undefined): string {
  if (status === undefined) return 'no response'
  return status >= 300 && status < 400 ? `redirect ${status} (not followed)` : `HTTP ${status}`
}

/** Headers per the `signature` fault: valid, signed with another key, or absent. */
function signatureHeaders(body: string, key: string, mode: FaultSettings['signature']): Record<string, string> {
  if (mode === 'missing') return {}
  if (mode === 'sha256') return { 'X-Goog-Signature': signWebhookBody(body, key, 'sha256') }
  const signingKey = mode === 'wrong' ? `${key}:not-the-configured-key` : key
  return { 'X-Goog-Signature': signWebhookBody(body, signingKey) }
}

/** A copy of the payload with `sendTime` moved `skewMs` into the past (unparseable values are left alone). */
function skewSendTime(payload: Record<string, unknown>, skewMs: number): Record<string, unknown> {
  const sendTime = payload['sendTime']
  if (skewMs === 0 || typeof sendTime !== 'string') return payload
  try {
    return { ...payload, sendTime: shiftGoogleTimestamp(sendTime, -skewMs) }
  } catch {
    return payload
  }
}

function stringField(payload: Record<string, unknown>, key: string): string | undefined {
  const value = payload[key]
  return typeof value === 'string' ? value : undefined
}

/** The only fields a delivery log line carries. */
function logFields(item: DeliveryRecord): Record<string, unknown> {
  return { deliveryId: item.id, requestId: item.requestId, status: item.status, attempt: item.attempts }
}
