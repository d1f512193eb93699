/**
 * @module agent/processor
 * Takes recorded deliveries from the durable inbox and processes them after the webhook has
 * acknowledged (W12): one delivery at a time per conversation, different conversations in
 * parallel (up to `concurrency`). A failure that may pass (Google 5xx, network, a concurrent
 * writer) is retried with full-jitter exponential backoff (`core/retry`) through the inbox's
 * `fail(retryAt)`; after `maxAttempts` the delivery is given up (dead-lettered) and the user gets
 * an apology (W20). Deliveries left leased by a crashed process are picked up again when their
 * lease runs out.
 */
import { deterministicMessageId } from '../channel/business-messages/outbound.ts'
import type { Clock } from '../core/clock.ts'
import { KeyedLock } from '../core/keyed-lock.ts'
import type { Logger } from '../core/logger.ts'
import { backoffDelay, type Backoff, type RandomSource } from '../core/retry.ts'
import { isBmOAuthError } from '../errors.ts'
import { renderMessage } from '../flow/messages.ts'
import type { ClaimedDelivery, InboxStore } from '../webhook/inbox-store.ts'
import { conversationKeyOf, conversationOf, handleDelivery } from './handle-delivery.ts'
import type { AgentRuntime } from './runtime.ts'

export interface ProcessorOptions {
  readonly concurrency: number
  /** How long a claimed delivery is ours before another worker may take it (default 5 minutes). */
  readonly leaseMs?: number
  /** How often due retries and crash leftovers are looked for (default 250 ms). */
  readonly pollIntervalMs?: number
  readonly maxAttempts?: number
  /** Backoff between attempts of one delivery (default 200 ms doubling up to 60 s). */
  readonly backoff?: Backoff
  /** Jitter source for the backoff (default `Math.random`). */
  readonly random?: RandomSource
}

/** The inbox consumer. */
export class InboxProcessor {
  readonly #runtime: AgentRuntime
  readonly #inbox: InboxStore
  readonly #clock: Clock
  readonly #logger: Logger
  readonly #options: Required<ProcessorOptions>
  readonly #locks = new KeyedLock()
  readonly #inFlight = new Map<string, Promise<void>>()
  #pumping = false
  #again = false
  #timer: NodeJS.Timeout | undefined
  #running = false

  constructor(runtime: AgentRuntime, inbox: InboxStore, options: ProcessorOptions) {
    this.#runtime = runtime
    this.#inbox = inbox
    this.#clock = runtime.clock
    this.#logger = runtime.logger
    this.#options = {
      leaseMs: 5 * 60_000,
      pollIntervalMs: 250,
      maxAttempts: 8,
      backoff: { baseDelayMs: 200, maxDelayMs: 60_000 },
      random: Math.random,
      ...options,
    }
  }

  start(): void {
    this.#running = true
    const tick = (): void => {
      this.wake()
      this.#timer = setTimeout(tick, this.#options.pollIntervalMs)
      this.#timer.unref()
    }
    tick()
  }

  /** Stops claiming and waits for the deliveries in progress. */
  async stop(): Promise<void> {
    this.#running = false
    clearTimeout(this.#timer)
    while (this.#inFlight.size > 0 || this.#pumping) {
      await Promise.allSettled([...this.#inFlight.values()])
      await new Promise((resolve) => setImmediate(resolve))
    }
  }

  /** Looks for work now (called after each recorded delivery). */
  wake(): void {
    if (!this.#running) return
    if (this.#pumping) {
      this.#again = true
      return
    }
    this.#pumping = true
    void this.#pump().finally(() => {
      this.#pumping = false
      if (this.#again) {
        this.#again = false
        this.wake()
      }
    })
  }

  async #pump(): Promise<void> {
    try {
      while (this.#running && this.#inFlight.size < this.#options.concurrency) {
        const item = await this.#inbox.claimNext(this.#clock.now(), this.#options.leaseMs)
        if (item === undefined) return
        if (this.#inFlight.has(item.id)) continue // our own lease ran out mid-run: it is still being processed
        const run = this.#process(item).finally(() => {
          this.#inFlight.delete(item.id)
          this.wake()
        })
        this.#inFlight.set(item.id, run)
      }
    } catch (err) {
      this.#logger.error({ errCode: isBmOAuthError(err) ? err.code : 'unexpected' }, 'inbox claim failed')
    }
  }

  async #process(item: ClaimedDelivery): Promise<void> {
    const conversationId = conversationOf(this.#runtime, item.event) ?? `delivery:${item.id}`
    const started = performance.now()
    const seconds = () => (performance.now() - started) / 1000
    try {
      await this.#locks.run(conversationId, () => handleDelivery(this.#runtime, item.id, item.event))
      await this.#inbox.complete(item.id)
      this.#runtime.metrics.deliveryProcessed('done', seconds())
    } catch (err) {
      const giveUp = item.attempts >= this.#options.maxAttempts
      this.#runtime.metrics.deliveryProcessed(giveUp ? 'dead-letter' : 'retry', seconds())
      this.#runtime.metrics.deliveryFailed(isBmOAuthError(err) ? err.code : 'other')
      await this.#retryLater(item, err, giveUp).catch((failErr: unknown) => {
        this.#logger.error({ deliveryId: item.id, errCode: codeOf(failErr) }, 'could not schedule a retry')
      })
    }
  }

  async #retryLater(item: ClaimedDelivery, err: unknown, giveUp: boolean): Promise<void> {
    const reason = codeOf(err)
    const delayMs = backoffDelay(item.attempts, this.#options.backoff, this.#options.random)
    const retryAt = giveUp ? undefined : this.#clock.now() + delayMs
    this.#logger[giveUp ? 'error' : 'warn'](
      { deliveryId: item.id, attempt: item.attempts, errCode: reason, retryInMs: giveUp ? undefined : delayMs },
      giveUp ? 'delivery failed; giving up' : 'delivery failed; will retry',
    )
    await this.#inbox.fail(item.id, reason, retryAt)
    if (giveUp) await this.#apologise(item)
  }

  /**
   * W20: a given-up delivery ends in an apology, never silence. Its message id is fixed by the
   * delivery, so a second give-up (a crash before the inbox heard) is dropped by the platform.
   * Best effort: a failure to send it is logged, never retried.
   */
  async #apologise(item: ClaimedDelivery): Promise<void> {
    const runtime = this.#runtime
    const key = conversationKeyOf(runtime, item.event)
    if (key === undefined) return
    const text = renderMessage('something-went-wrong', { overrides: runtime.messages })
    const parts = { conversationId: key.conversation, deliveryId: item.id, index: 0, salt: 'apology' }
    try {
      await runtime.channel.client.send(key, { type: 'text', text }, deterministicMessageId(parts))
    } catch (err) {
      this.#logger.error(
        { deliveryId: item.id, errCode: codeOf(err) },
        'could not send the apology for a given-up delivery',
      )
    }
  }
}

/** A stable, secret-free reason for logs and the inbox (error codes and names only). */
function codeOf(err: unknown): string {
  if (isBmOAuthError(err)) return err.code
  return err instanceof Error ? err.name : 'non-error'
}
