/**
 * @module agent/turn
 * One conversation's processing of one delivery: the sign-in state, the queue of actions still to
 * run and the count of messages sent, persisted together (sealed, compare-and-set) after every
 * transition and every action. The runner's duties from `flow/transition.ts` live here:
 * - the state is saved BEFORE the actions run, so `exchanging` is durable before a token request;
 * - a run that crashed is resumed from its journal, not started over (see `agent/processor.ts`);
 * - messages get deterministic ids (conversation, delivery, position), so a re-run re-sends with the
 *   same ids and the platform drops the repeat (Google's `ALREADY_EXISTS` counts as sent,
 *   docs/contract-decisions.md §10 "crash semantics").
 */
import type { ConversationKey, InboundUser, OutgoingMessage } from '../channel/types.ts'
import { deterministicMessageId } from '../channel/business-messages/outbound.ts'
import { SIGNED_OUT } from '../flow/steps.ts'
import { transition } from '../flow/transition.ts'
import type { SignInAction, SignInEvent, SignInState } from '../flow/types.ts'
import type { FlowRecord } from './flow-state-store.ts'
import type { AgentRuntime } from './runtime.ts'

/** Runs one action; may return the event it produced (an exchange's outcome). */
export type ActionExecutor = (turn: ConversationTurn, action: SignInAction) => Promise<SignInEvent | undefined>

/** A code held in memory for its one exchange; never persisted, never logged. */
export interface HeldCode {
  readonly code: string
  readonly redirectUri: string
}

export class ConversationTurn {
  readonly runtime: AgentRuntime
  readonly key: ConversationKey
  user: InboundUser = {}
  #state: SignInState
  #version: number | undefined
  #deliveryId: string | undefined
  #sent = 0
  #queue: SignInAction[] = []
  #insertAt = 0
  #executing = false
  #open = true
  #lastDeliveryId: string | undefined
  #heldCode: HeldCode | undefined
  #writes: Promise<void> = Promise.resolve()
  /** The journal of a run that did not finish (a crash), to resume first. */
  readonly crashed: { deliveryId: string; sent: number; queue: SignInAction[] } | undefined

  private constructor(
    runtime: AgentRuntime,
    key: ConversationKey,
    stored: { record: FlowRecord; version: number } | undefined,
  ) {
    this.runtime = runtime
    this.key = key
    this.#state = stored?.record.state ?? SIGNED_OUT
    this.#version = stored?.version
    this.#lastDeliveryId = stored?.record.lastDeliveryId
    const journal = stored?.record.journal
    this.crashed = journal === undefined ? undefined : { ...journal, queue: [...journal.queue] }
  }

  /** Loads the conversation's stored state (or `signed-out`). */
  static async open(runtime: AgentRuntime, key: ConversationKey): Promise<ConversationTurn> {
    return new ConversationTurn(runtime, key, await runtime.states.get(key))
  }

  /** The channel's conversation id (`key.conversation`). */
  get conversationId(): string {
    return this.key.conversation
  }

  get state(): SignInState {
    return this.#state
  }
  get lastDeliveryId(): string | undefined {
    return this.#lastDeliveryId
  }
  /** False once the delivery is finished: a session kept past its handler may no longer move the state. */
  get isOpen(): boolean {
    return this.#open
  }

  /** Starts processing `deliveryId` (or resumes it with the crashed journal's position and queue). */
  begin(deliveryId: string, resume?: { sent: number; queue: readonly SignInAction[] }): void {
    this.#deliveryId = deliveryId
    this.#sent = resume?.sent ?? 0
    this.#queue = [...(resume?.queue ?? [])]
  }

  holdCode(code: HeldCode): void {
    this.#heldCode = code
  }
  /** The held code, once: a second call (or a resumed run) gets `undefined`. */
  takeHeldCode(): HeldCode | undefined {
    const held = this.#heldCode
    this.#heldCode = undefined
    return held
  }

  /**
   * Feeds `event` to the state machine, queues its actions and saves. While an action runs (e.g. the
   * author's handler answering a parked question) new actions go right after it, in call order.
   */
  async step(event: SignInEvent, options: { front?: boolean } = {}): Promise<readonly SignInAction[]> {
    const { runtime } = this
    const next = transition(this.#state, event, runtime.clock.now(), runtime.policy)
    this.#state = next.state
    const at = options.front === true ? 0 : this.#executing ? this.#insertAt : this.#queue.length
    this.#queue.splice(at, 0, ...next.actions)
    if (this.#executing) this.#insertAt += next.actions.length
    await this.save()
    return next.actions
  }

  /** Drops a queued action the caller handled itself (`answer-question`: requireSignIn returned a session). */
  unqueue(action: SignInAction): void {
    const index = this.#queue.indexOf(action, this.#executing ? 1 : 0)
    if (index < 0) return
    this.#queue.splice(index, 1)
    if (this.#executing && index < this.#insertAt) this.#insertAt -= 1
  }

  /** Runs queued actions in order, saving after each; an action's resulting event runs before the rest. */
  async drain(execute: ActionExecutor): Promise<void> {
    while (this.#queue.length > 0) {
      const action = this.#queue[0] as SignInAction
      this.#executing = true
      this.#insertAt = 1
      let follow: SignInEvent | undefined
      try {
        follow = await execute(this, action)
      } finally {
        this.#executing = false
      }
      this.#queue.shift()
      if (follow === undefined) await this.save()
      else await this.step(follow, { front: true })
    }
  }

  /** Sends one neutral message through the channel with the next deterministic id. */
  async send(message: OutgoingMessage, salt?: string): Promise<void> {
    await this.runtime.channel.client.send(this.key, message, this.#nextMessageId(salt))
  }

  /** Sends an author-built platform message (`sayRaw`) with the next deterministic id. */
  async sendRaw(message: unknown): Promise<void> {
    await this.runtime.channel.client.sendRaw(this.key, message, this.#nextMessageId())
  }

  #nextMessageId(salt?: string): string {
    const index = this.#sent++
    const parts = { conversationId: this.conversationId, deliveryId: this.#deliveryId ?? 'none', index }
    return deterministicMessageId(salt === undefined ? parts : { ...parts, salt })
  }

  /** Persists state and journal (compare-and-set). */
  async save(): Promise<void> {
    const journal =
      this.#deliveryId === undefined
        ? undefined
        : { deliveryId: this.#deliveryId, sent: this.#sent, queue: this.#queue }
    await this.#write({ state: this.#state, ...this.#lastDelivery(), ...(journal === undefined ? {} : { journal }) })
  }

  /** Ends the delivery: clears the journal and remembers the delivery as processed. */
  async finish(): Promise<void> {
    if (this.#deliveryId !== undefined) this.#lastDeliveryId = this.#deliveryId
    this.#deliveryId = undefined
    this.#queue = []
    await this.#write({ state: this.#state, ...this.#lastDelivery() })
  }

  /** No more state changes through this turn (sessions that outlive their handler). */
  close(): void {
    this.#open = false
  }

  #lastDelivery(): { lastDeliveryId?: string } {
    return this.#lastDeliveryId === undefined ? {} : { lastDeliveryId: this.#lastDeliveryId }
  }

  /** Writes one at a time (concurrent session calls may step at once), each against the version the last one left. */
  #write(record: FlowRecord): Promise<void> {
    const { runtime } = this
    const write = this.#writes.then(async () => {
      this.#version = await runtime.states.save(this.key, record, this.#version)
    })
    this.#writes = write.catch(() => undefined)
    return write
  }
}
