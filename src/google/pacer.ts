/**
 * @module google/pacer
 * Per-conversation pacing for `messages.create`: Google allows 60 messages per minute per
 * conversation and answers 429 above that, so the 61st send inside a rolling 60 s window is
 * delayed here instead of being sent and refused. Sends for one conversation pass through in call
 * order; different conversations never wait for each other. Memory is bounded: conversations with
 * no send inside the window and nobody waiting are dropped by a periodic sweep.
 *
 * @see docs/contract-decisions.md §2.6 (> 60 messages / minute / conversation); security case A1
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

/** One counted send; `at` moves to the completion time once the request has settled. */
interface SendMark {
  at: number
}

/** Returned by {@link ConversationPacer.acquire}: call `settle()` when the request has completed. */
export interface PacerSlot {
  settle(): void
}

interface ConversationWindow {
  /** The sends inside the window (at most `limit`). */
  sends: SendMark[]
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
   * Callers for the same conversation are admitted in call order. Call `settle()` on the returned
   * slot when the request completes: the send is then counted at its completion time, because
   * Google counts it when it *arrives*, which may be well after admission on a slow link (counting
   * the later time is the safe side of the window).
   */
  acquire(conversationId: string): Promise<PacerSlot> {
    if (++this.#sinceSweep >= this.#sweepEvery) this.#sweep()
    let conversation = this.#conversations.get(conversationId)
    if (conversation === undefined) {
      conversation = { sends: [], tail: Promise.resolve(), waiters: 0 }
      this.#conversations.set(conversationId, conversation)
    }
    const window = conversation
    window.waiters++
    const admitted = window.tail.then(() => this.#admit(window))
    window.tail = admitted.then(
      () => {},
      () => {},
    )
    return admitted.finally(() => {
      window.waiters--
    })
  }

  async #admit(window: ConversationWindow): Promise<PacerSlot> {
    for (;;) {
      const now = this.#clock.now()
      const times = window.sends.map((m) => m.at).sort((a, b) => a - b)
      const at = nextSendTime(times, now, this.#limit, this.#windowMs)
      if (at <= now) {
        const mark: SendMark = { at: now }
        const kept = window.sends.filter((m) => m.at > now - this.#windowMs)
        window.sends = [...kept, mark].sort((a, b) => a.at - b.at).slice(-this.#limit)
        return {
          settle: () => {
            mark.at = Math.max(mark.at, this.#clock.now())
          },
        }
      }
      await this.#sleep(at - now)
    }
  }

  #sweep(): void {
    this.#sinceSweep = 0
    const cutoff = this.#clock.now() - this.#windowMs
    for (const [id, window] of this.#conversations) {
      const last = Math.max(...window.sends.map((m) => m.at), -Infinity)
      if (window.waiters === 0 && last <= cutoff) this.#conversations.delete(id)
    }
  }
}
