/**
 * @module google/pacer
 * Per-conversation pacing for `messages.create`: Google allows 60 messages per minute per
 * conversation and answers 429 above that, so the 61st send inside a rolling 60 s window is
 * delayed here instead of being sent and refused. Sends for one conversation pass through in call
 * order; different conversations never wait for each other. Memory is bounded: conversations with
 * no send inside the window and nobody waiting are dropped by a periodic sweep.
 *
 * @see bm-contract.md §2.6 (> 60 messages / minute / conversation); security-cases A1
 */
import { setTimeout as delay } from 'node:timers/promises'
import { systemClock, type Clock } from '../core/clock.ts'

export interface ConversationPacerOptions {
  /** Sends allowed per window per conversation (default 60). */
  limit?: number
  /** Window length (default 60 s). */
  windowMs?: number
  clock?: Clock
  sleep?: (ms: number) => Promise<void>
  /** Sweep idle conversations every this many sends (default 256). */
  sweepEvery?: number
}

interface ConversationWindow {
  /** Times of the sends inside the window, oldest first (at most `limit`). */
  sends: number[]
  /** Tail of the per-conversation queue; resolves when the last waiter has been admitted. */
  tail: Promise<void>
  waiters: number
}

/**
 * The earliest time a new send may go out, given the recent send times (oldest first): now, if
 * fewer than `limit` sends fall inside (now − window, now]; otherwise just after the oldest
 * counted send leaves the window. Pure.
 */
export function nextSendTime(sends: readonly number[], now: number, limit: number, windowMs: number): number {
  const inWindow = sends.filter((t) => t > now - windowMs)
  if (inWindow.length < limit) return now
  const oldestCounted = inWindow[inWindow.length - limit] as number
  return oldestCounted + windowMs + 1
}

/** Delays sends so that no conversation exceeds `limit` sends per rolling `windowMs`. */
export class ConversationPacer {
  readonly #limit: number
  readonly #windowMs: number
  readonly #clock: Clock
  readonly #sleep: (ms: number) => Promise<void>
  readonly #sweepEvery: number
  readonly #conversations = new Map<string, ConversationWindow>()
  #sinceSweep = 0

  constructor(options: ConversationPacerOptions = {}) {
    this.#limit = options.limit ?? 60
    this.#windowMs = options.windowMs ?? 60_000
    this.#clock = options.clock ?? systemClock
    this.#sleep = options.sleep ?? ((ms) => delay(ms))
    this.#sweepEvery = options.sweepEvery ?? 256
  }

  /** Number of conversations currently tracked (for tests and metrics). */
  get size(): number {
    return this.#conversations.size
  }

  /**
   * Resolves when a send for `conversationId` may go out, and counts it as sent at that moment.
   * Callers for the same conversation are admitted in call order.
   */
  acquire(conversationId: string): Promise<void> {
    if (++this.#sinceSweep >= this.#sweepEvery) this.#sweep()
    let conversation = this.#conversations.get(conversationId)
    if (conversation === undefined) {
      conversation = { sends: [], tail: Promise.resolve(), waiters: 0 }
      this.#conversations.set(conversationId, conversation)
    }
    const window = conversation
    window.waiters++
    const admitted = window.tail.then(() => this.#admit(window))
    window.tail = admitted.catch(() => {})
    return admitted.finally(() => {
      window.waiters--
    })
  }

  async #admit(window: ConversationWindow): Promise<void> {
    for (;;) {
      const now = this.#clock.now()
      const at = nextSendTime(window.sends, now, this.#limit, this.#windowMs)
      if (at <= now) {
        window.sends = [...window.sends.filter((t) => t > now - this.#windowMs), now].slice(-this.#limit)
        return
      }
      await this.#sleep(at - now)
    }
  }

  #sweep(): void {
    this.#sinceSweep = 0
    const cutoff = this.#clock.now() - this.#windowMs
    for (const [id, window] of this.#conversations) {
      const last = window.sends[window.sends.length - 1]
      if (window.waiters === 0 && (last === undefined || last <= cutoff)) this.#conversations.delete(id)
    }
  }
}
