/**
 * @module flow/test-support/transcript
 * A tiny pure harness that makes sign-in tests read like a chat (habit 11):
 *
 * ```ts
 * transcript().user('what is my balance?').expectActions('send-sign-in-prompt')
 *   .code().expectActions('exchange-code')
 *   .exchangeSucceeds().expectActions('store-tokens', 'reply', 'answer-parked-question', 'emit')
 * ```
 *
 * Every step round-trips the state and the actions through JSON and continues from the parsed
 * copy, as a runner that persists state would. It also checks, on every step, the rules no
 * transcript may break: at most one `exchange-code` per prompt ever, and a sign-in chip only on
 * the last message of a step (docs/contract-decisions.md §4.4).
 */

import assert from 'node:assert/strict'
import { createFlowPolicy } from '../policy.ts'
import { transition } from '../transition.ts'
import type {
  ExchangeFailureKind,
  FlowPolicy,
  MessageKey,
  SignInAction,
  SignInActionType,
  SignInEvent,
  SignInState,
} from '../types.ts'

/** Start of every transcript's clock: 2026-01-01T00:00:00Z. */
export const T0 = Date.parse('2026-01-01T00:00:00Z')

/** Scopes a {@link Transcript.user} question needs unless told otherwise. */
export const DEFAULT_SCOPES: readonly string[] = ['accounts.read']

export interface TranscriptOptions {
  readonly start?: SignInState
  readonly pendingTtlMs?: number
  readonly maxAttempts?: number
}

/** One step of a transcript, as recorded. */
export interface TranscriptStep {
  readonly at: number
  readonly event: SignInEvent
  readonly actions: readonly SignInAction[]
  readonly state: SignInState
}

type ActionOf<T extends SignInActionType> = Extract<SignInAction, { type: T }>

const VISIBLE: ReadonlySet<SignInActionType> = new Set(['reply', 'send-sign-in-prompt', 'offer-live-agent'])

/** Starts a transcript in `signed-out` (or `options.start`) at {@link T0}, prompt ids `prompt-1`, `prompt-2`, …. */
export function transcript(options: TranscriptOptions = {}): Transcript {
  return new Transcript(options)
}

export class Transcript {
  #state: SignInState
  #now = T0
  readonly #policy: FlowPolicy
  readonly #steps: TranscriptStep[] = []
  readonly #exchanged = new Set<string>()

  constructor(options: TranscriptOptions) {
    let next = 0
    this.#state = options.start ?? { kind: 'signed-out' }
    this.#policy = createFlowPolicy({
      ...(options.pendingTtlMs === undefined ? {} : { pendingTtlMs: options.pendingTtlMs }),
      ...(options.maxAttempts === undefined ? {} : { maxAttempts: options.maxAttempts }),
      newPromptId: (): string => `prompt-${++next}`,
    })
  }

  get state(): SignInState {
    return this.#state
  }
  get now(): number {
    return this.#now
  }
  get steps(): readonly TranscriptStep[] {
    return this.#steps
  }
  /** Every action of every step, in order. */
  get allActions(): readonly SignInAction[] {
    return this.#steps.flatMap((step) => step.actions)
  }
  get lastActions(): readonly SignInAction[] {
    return this.#steps.at(-1)?.actions ?? []
  }
  /** The prompt id the state holds, if any. */
  get promptId(): string | undefined {
    return 'promptId' in this.#state ? this.#state.promptId : undefined
  }

  /** Feeds any event; the chat-like methods below are shorthands. */
  send(event: SignInEvent): this {
    const result = transition(this.#state, event, this.#now, this.#policy)
    const persisted = JSON.parse(JSON.stringify(result)) as typeof result
    assert.deepEqual(persisted, result, 'state and actions must survive JSON unchanged')
    this.#checkInvariants(persisted.actions)
    this.#state = persisted.state
    this.#steps.push({ at: this.#now, event, actions: persisted.actions, state: persisted.state })
    return this
  }

  user(question: string, need: { scopes?: readonly string[]; reason?: string } = {}): this {
    const scopes = need.scopes ?? DEFAULT_SCOPES
    return this.send({ type: 'question-needs-sign-in', question, scopes, reason: need.reason ?? 'account' })
  }
  /** The user writes something that needs no sign-in. */
  chat(): this {
    return this.send({ type: 'other-user-message' })
  }
  code(options: { promptId?: string; hasCode?: boolean } = {}): this {
    const promptId = options.promptId === undefined ? {} : { promptId: options.promptId }
    return this.send({ type: 'authorization-code-received', hasCode: options.hasCode ?? true, ...promptId })
  }
  /** The runner found no live pending record for a delivered code. */
  codeWithoutPending(): this {
    return this.send({ type: 'code-without-pending-sign-in', duplicate: false })
  }
  /** The runner's exchange marker says this code was already sent to the token endpoint. */
  duplicateCode(): this {
    return this.send({ type: 'code-without-pending-sign-in', duplicate: true })
  }
  authorizationError(error: string, description?: string): this {
    const detail = description === undefined ? {} : { description }
    return this.send({ type: 'authorization-error', error, ...detail })
  }
  exchangeSucceeds(grant: { scopes?: readonly string[]; subject?: string } = {}): this {
    const scopes = grant.scopes ?? ('scopes' in this.#state ? this.#state.scopes : DEFAULT_SCOPES)
    const subject = grant.subject === undefined ? {} : { subject: grant.subject }
    return this.send({ type: 'exchange-succeeded', scopes, ...subject })
  }
  exchangeFails(kind: ExchangeFailureKind, description?: string): this {
    const detail = description === undefined ? {} : { description }
    return this.send({ type: 'exchange-failed', kind, ...detail })
  }
  /** The pending store reports the current prompt (or `promptId`) expired. */
  pendingExpires(promptId: string | undefined = this.promptId): this {
    return this.send({ type: 'pending-expired', promptId: promptId ?? 'none' })
  }
  refreshed(scopes?: readonly string[]): this {
    return this.send(scopes === undefined ? { type: 'tokens-refreshed' } : { type: 'tokens-refreshed', scopes })
  }
  refreshFails(question?: string): this {
    return this.send(
      question === undefined
        ? { type: 'refresh-failed-invalid-grant' }
        : { type: 'refresh-failed-invalid-grant', question },
    )
  }
  revoked(): this {
    return this.send({ type: 'revoked' })
  }
  signOut(): this {
    return this.send({ type: 'sign-out-requested' })
  }
  /** Lets time pass (no event). */
  wait(ms: number): this {
    this.#now += ms
    return this
  }

  /** The last step's action types, exactly and in order. */
  expectActions(...types: SignInActionType[]): this {
    assert.deepEqual(
      this.lastActions.map((action) => action.type),
      types,
    )
    return this
  }
  /** The message keys the user saw in the last step (replies, prompts, live-agent offers), in order. */
  expectSays(...keys: MessageKey[]): this {
    const said = this.lastActions.flatMap((action) => ('messageKey' in action ? [action.messageKey] : []))
    assert.deepEqual(said, keys)
    return this
  }
  expectState(kind: SignInState['kind'], fields: Partial<Record<string, unknown>> = {}): this {
    assert.equal(this.#state.kind, kind)
    for (const [key, value] of Object.entries(fields)) {
      assert.deepEqual((this.#state as unknown as Record<string, unknown>)[key], value, `state.${key}`)
    }
    return this
  }
  /** The last action of `type` in the last step; fails when there is none. */
  action<T extends SignInActionType>(type: T): ActionOf<T> {
    const found = this.lastActions.findLast((action): action is ActionOf<T> => action.type === type)
    assert.ok(found, `expected a ${type} action, got ${this.lastActions.map((a) => a.type).join(', ') || 'none'}`)
    return found
  }

  #checkInvariants(actions: readonly SignInAction[]): void {
    for (const action of actions) {
      if (action.type === 'exchange-code') {
        assert.ok(!this.#exchanged.has(action.promptId), `second exchange for ${action.promptId}`)
        this.#exchanged.add(action.promptId)
      }
    }
    const visible = actions.filter((action) => VISIBLE.has(action.type))
    const prompts = visible.filter((action) => action.type === 'send-sign-in-prompt')
    assert.ok(prompts.length <= 1, 'at most one sign-in prompt per step')
    if (prompts.length === 1) {
      assert.equal(visible.at(-1)?.type, 'send-sign-in-prompt', 'the chip must be on the last message')
    }
  }
}
