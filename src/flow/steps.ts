/**
 * @module flow/steps
 * The few moves every branch of `transition` is built from: send a (fresh) prompt, retry after a
 * failed try or hand off to a live agent, finish signing in. Internal to `flow/`; pure.
 */

import type {
  AwaitingSignInState,
  SignInEvent,
  ExchangingState,
  FlowPolicy,
  HookName,
  MessageKey,
  PromptExpiredState,
  SignInAction,
  SignInState,
  SignedInState,
  Transition,
} from './types.ts'

/** Inputs every step may use. */
export interface StepContext {
  readonly now: number
  readonly policy: FlowPolicy
}

/** What a sign-in is for; carried from prompt to prompt until the sign-in ends. */
export interface PromptBasis {
  readonly scopes: readonly string[]
  readonly reason: string
  readonly parkedQuestion?: string
}

/** A sign-in in progress: the states a failed try can happen in. */
export type TryingState = AwaitingSignInState | ExchangingState

/** A failure as the developer's hook sees it. */
export interface Failure {
  readonly reason: string
  readonly detail?: string | undefined
}

/** The event of type `T`. */
export type EventOf<T extends SignInEvent['type']> = Extract<SignInEvent, { type: T }>

export const SIGNED_OUT: SignInState = { kind: 'signed-out' }

/** No state change; `actions` (none by default). */
export function stay(state: SignInState, actions: Transition['actions'] = []): Transition {
  return { state, actions }
}

/** The basis of a sign-in state, leaving out absent fields (state stays exact JSON). */
export function basisOf(state: TryingState | PromptExpiredState): PromptBasis {
  return withParked({ scopes: state.scopes, reason: state.reason }, state.parkedQuestion)
}

/** `target` plus `parkedQuestion`, only when there is one. */
export function withParked<T extends object>(target: T, parkedQuestion: string | undefined): T {
  return parkedQuestion === undefined ? target : { ...target, parkedQuestion }
}

/** An `emit` action without absent fields. */
export function emit(hook: HookName, failure?: Failure): SignInAction {
  if (failure === undefined) {
    return { type: 'emit', hook }
  }
  const detail = failure.detail === undefined ? {} : { detail: failure.detail }
  return { type: 'emit', hook, reason: failure.reason, ...detail }
}

/** Sends a fresh prompt (new id, new expiry): the runner's new pending record replaces any older one. */
export function sendPrompt(
  step: { basis: PromptBasis; attempt: number; messageKey: MessageKey },
  ctx: StepContext,
): Transition {
  const promptId = ctx.policy.newPromptId()
  const { scopes, reason } = step.basis
  const state: AwaitingSignInState = withParked(
    {
      kind: 'awaiting-sign-in',
      promptId,
      scopes,
      reason,
      expiresAt: ctx.now + ctx.policy.pendingTtlMs,
      attempt: step.attempt,
    },
    step.basis.parkedQuestion,
  )
  const prompt: SignInAction = {
    type: 'send-sign-in-prompt',
    promptId,
    scopes,
    reason,
    attempt: step.attempt,
    messageKey: step.messageKey,
    // The author's own words, so an overridden text may say `{reason}`; never provider text.
    params: { reason },
  }
  return { state, actions: [prompt] }
}

/** Actions that drop the pending record of a prompt that is left without a replacement. */
export function discardPending(from: SignInState): SignInAction[] {
  return from.kind === 'awaiting-sign-in' ? [{ type: 'discard-sign-in-prompt', promptId: from.promptId }] : []
}

/**
 * A try failed: send another prompt explaining why (`messageKey`), or, once `maxAttempts` prompts
 * were spent, stop the chip loop and offer a live agent instead (docs/contract-decisions.md §4.4).
 */
export function retryOrHandOff(
  step: { from: TryingState; messageKey: MessageKey; failure: Failure },
  ctx: StepContext,
): Transition {
  const attempt = step.from.attempt + 1
  if (attempt > ctx.policy.maxAttempts) {
    return handOff({ from: step.from, messageKey: 'live-agent.too-many-attempts', failure: step.failure })
  }
  const next = sendPrompt({ basis: basisOf(step.from), attempt, messageKey: step.messageKey }, ctx)
  return { state: next.state, actions: [...next.actions, emit('sign-in-failed', step.failure)] }
}

/** End the sign-in without another chip and offer a human instead. */
export function handOff(step: { from: SignInState; messageKey: MessageKey; failure: Failure }): Transition {
  return {
    state: SIGNED_OUT,
    actions: [
      ...discardPending(step.from),
      { type: 'offer-live-agent', messageKey: step.messageKey, params: {} },
      emit('sign-in-failed', step.failure),
    ],
  }
}

/** The prompt's lifetime ran out: drop its record; the parked question waits for a fresh prompt. */
export function expirePrompt(from: AwaitingSignInState, now: number): Transition {
  const state: PromptExpiredState = withParked(
    { kind: 'prompt-expired', scopes: from.scopes, reason: from.reason, expiredAt: now },
    from.parkedQuestion,
  )
  return { state, actions: [...discardPending(from), emit('expired')] }
}

/**
 * Scopes that ask for something other than access, so providers may grant them without echoing
 * them in `scope`: `offline_access` only asks for a refresh token (OIDC Core §11), and providers
 * such as oidc-provider leave it out of the granted scope unless `prompt=consent` was sent, which
 * Business Messages never sends. Whether a refresh token came back is the token store's concern.
 */
const NON_ACCESS_SCOPES: ReadonlySet<string> = new Set(['offline_access'])

/** Whether `granted` includes every access scope in `needed`. */
export function coversScopes(granted: readonly string[], needed: readonly string[]): boolean {
  return needed.every((scope) => NON_ACCESS_SCOPES.has(scope) || granted.includes(scope))
}

/** `a` then the scopes of `b` not in `a`. */
export function unionScopes(a: readonly string[], b: readonly string[]): readonly string[] {
  return [...a, ...b.filter((scope) => !a.includes(scope))]
}

/**
 * The exchange worked: store the tokens, say so, and answer the parked question without asking
 * the user to repeat it. If the provider granted less than the question needs (X9), say that
 * instead of answering with a grant that cannot work.
 */
export function finishSignIn(
  from: ExchangingState,
  grant: { scopes: readonly string[]; subject?: string | undefined },
  now: number,
): Transition {
  const subject = grant.subject === undefined ? {} : { subject: grant.subject }
  const state: SignedInState = { kind: 'signed-in', ...subject, scopes: grant.scopes, since: now }
  const question = from.parkedQuestion
  const enough = coversScopes(grant.scopes, from.scopes)
  const answer: SignInAction[] =
    question === undefined
      ? [{ type: 'reply', messageKey: 'signed-in', params: {} }]
      : enough
        ? [
            { type: 'reply', messageKey: 'signed-in', params: {} },
            { type: 'answer-parked-question', question },
          ]
        : [{ type: 'reply', messageKey: 'signed-in.scopes-missing', params: {} }]
  const hook = enough ? emit('signed-in') : emit('signed-in', { reason: 'scopes-narrowed' })
  return { state, actions: [{ type: 'store-tokens' }, ...answer, hook] }
}
