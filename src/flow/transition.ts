/**
 * @module flow/transition
 * The sign-in conversation as a pure state machine: `transition(state, event, now, policy)` returns
 * the next state and the actions to run. No I/O, no clock, no randomness beyond the injected
 * `policy.newPromptId`. This file is the product's spec; read it with `flow.test.ts` (transcripts).
 *
 * Rules it keeps (ids from docs/security.md):
 * - At most one `exchange-code` per prompt, and only from `awaiting-sign-in` inside the prompt's
 *   lifetime: a second code, a late code, a code for a replaced prompt or a code while
 *   `exchanging`/`signed-in` is never exchanged (X1, P6, P7, P8, W17).
 * - An exchange whose outcome is unknown is never retried; the user gets a fresh prompt (X3,
 *   docs/contract-decisions.md §10 "crash semantics").
 * - Users see message keys only; provider text goes to hooks, sanitised (P10).
 * - Failed tries re-prompt with a fresh chip until `maxAttempts` prompts were spent, then a live
 *   agent is offered; configuration faults offer one at once, without a chip loop (X5).
 */

import { classifyAuthorizationError, normaliseErrorCode, sanitiseProviderText } from './authorization-errors.ts'
import { onRefreshed, onRefreshFailed, onRevoked, onSignOut } from './grant-events.ts'
import {
  basisOf,
  coversScopes,
  emit,
  expirePrompt,
  finishSignIn,
  handOff,
  retryOrHandOff,
  sendPrompt,
  stay,
  unionScopes,
  withParked,
  type EventOf,
  type StepContext,
} from './steps.ts'
import type { ExchangingState, FlowPolicy, MessageKey, SignInEvent, SignInState, Transition } from './types.ts'

/**
 * Computes one step of a conversation's sign-in. Persist the returned state before running the
 * actions: above all, `exchanging` must be durable before the token request is sent, so that a
 * runner restarted after a crash reports `exchange-failed { kind: 'unknown-outcome' }` instead of
 * exchanging again.
 *
 * @example
 * const policy = createFlowPolicy()
 * const step = transition({ kind: 'signed-out' }, { type: 'question-needs-sign-in', question: 'My balance?',
 *   scopes: ['accounts.read'], reason: 'balance' }, Date.now(), policy)
 * // step.actions[0].type === 'send-sign-in-prompt'
 */
export function transition(state: SignInState, event: SignInEvent, now: number, policy: FlowPolicy): Transition {
  const ctx: StepContext = { now, policy }
  // A prompt past its lifetime is expired before anything else looks at it (P7).
  const lapsed = state.kind === 'awaiting-sign-in' && now >= state.expiresAt ? expirePrompt(state, now) : undefined
  const current = lapsed?.state ?? state
  const next = handle(current, event, ctx)
  return lapsed === undefined ? next : { state: next.state, actions: [...lapsed.actions, ...next.actions] }
}

function handle(state: SignInState, event: SignInEvent, ctx: StepContext): Transition {
  switch (event.type) {
    case 'question-needs-sign-in':
      return onQuestion(state, event, ctx)
    case 'other-user-message':
      return onOtherMessage(state, ctx)
    case 'authorization-code-received':
      return onCode(state, event, ctx)
    case 'code-without-pending-sign-in':
      return onCodeWithoutPending(state, event, ctx)
    case 'code-unusable':
      return onCodeUnusable(state, event, ctx)
    case 'authorization-error':
      return onAuthorizationError(state, event, ctx)
    case 'exchange-succeeded':
      return state.kind === 'exchanging' ? finishSignIn(state, event, ctx.now) : stay(state)
    case 'exchange-failed':
      return state.kind === 'exchanging' ? onExchangeFailed(state, event, ctx) : stay(state)
    case 'pending-expired':
      return state.kind === 'awaiting-sign-in' && state.promptId === event.promptId
        ? expirePrompt(state, ctx.now)
        : stay(state)
    case 'tokens-refreshed':
      return onRefreshed(state, event)
    case 'refresh-failed-invalid-grant':
      return onRefreshFailed(state, event, ctx)
    case 'revoked':
      return onRevoked(state, ctx.now)
    case 'sign-out-requested':
      return onSignOut(state)
  }
}

function reply(state: SignInState, messageKey: MessageKey): Transition {
  return stay(state, [{ type: 'reply', messageKey, params: {} }])
}

function onQuestion(state: SignInState, event: EventOf<'question-needs-sign-in'>, ctx: StepContext): Transition {
  const basis = { scopes: event.scopes, reason: event.reason, parkedQuestion: event.question }
  const widened = 'scopes' in state ? { ...basis, scopes: unionScopes(state.scopes, event.scopes) } : basis
  switch (state.kind) {
    case 'signed-in':
      if (coversScopes(state.scopes, event.scopes)) {
        return stay(state, [{ type: 'answer-question', question: event.question }])
      }
      // Step up: ask for what the grant has plus what this question needs.
      return sendPrompt({ basis: widened, attempt: 1, messageKey: 'prompt.more-access' }, ctx)
    case 'awaiting-sign-in':
      // The newest question wins; its prompt replaces the old one (P6), the try count carries on.
      return sendPrompt({ basis, attempt: state.attempt, messageKey: 'prompt.sign-in' }, ctx)
    case 'exchanging':
      // Stuck after a crash: re-prompt for the newest question. Otherwise the first one is answered.
      return isStuck(state, ctx) ? unknownOutcome({ ...state, ...basis }, ctx) : reply(state, 'still-signing-in')
    case 'needs-reconnect':
      return sendPrompt({ basis: widened, attempt: 1, messageKey: 'prompt.reconnect' }, ctx)
    case 'signed-out':
    case 'prompt-expired':
      return sendPrompt({ basis, attempt: 1, messageKey: 'prompt.sign-in' }, ctx)
  }
}

function onOtherMessage(state: SignInState, ctx: StepContext): Transition {
  if (state.kind === 'awaiting-sign-in') {
    // The user's message pushed the chip away: put a fresh one on the last message
    // (docs/contract-decisions.md §4.4).
    return sendPrompt({ basis: basisOf(state), attempt: state.attempt, messageKey: 'prompt.reminder' }, ctx)
  }
  if (state.kind === 'exchanging') {
    return isStuck(state, ctx) ? unknownOutcome(state, ctx) : reply(state, 'still-signing-in')
  }
  return stay(state)
}

function onCode(state: SignInState, event: EventOf<'authorization-code-received'>, ctx: StepContext): Transition {
  switch (state.kind) {
    case 'awaiting-sign-in': {
      if (!event.hasCode) {
        const failure = { reason: 'authorization:missing-code' }
        return retryOrHandOff({ from: state, messageKey: 'prompt.after-failure', failure }, ctx)
      }
      if (event.promptId !== undefined && event.promptId !== state.promptId) {
        // A code for a replaced prompt: its verifier is gone, never try the current one (W17).
        const basis = basisOf(state)
        const next = sendPrompt({ basis, attempt: state.attempt, messageKey: 'prompt.after-stale' }, ctx)
        const hook = emit('sign-in-failed', { reason: 'stale-prompt' })
        return { state: next.state, actions: [...next.actions, hook] }
      }
      const exchanging: ExchangingState = withParked(
        {
          kind: 'exchanging',
          promptId: state.promptId,
          scopes: state.scopes,
          reason: state.reason,
          startedAt: ctx.now,
          attempt: state.attempt,
        },
        state.parkedQuestion,
      )
      return { state: exchanging, actions: [{ type: 'exchange-code', promptId: state.promptId }] }
    }
    case 'prompt-expired':
      return sendPrompt({ basis: basisOf(state), attempt: 1, messageKey: 'prompt.after-expiry' }, ctx)
    case 'exchanging':
      // The exchange under way answers the user; a second code must not start another (X1).
      return stay(state)
    case 'signed-in':
      return reply(state, 'already-signed-in')
    case 'signed-out':
    case 'needs-reconnect':
      return unsolicited(state)
  }
}

function onCodeWithoutPending(
  state: SignInState,
  event: EventOf<'code-without-pending-sign-in'>,
  ctx: StepContext,
): Transition {
  if (state.kind === 'signed-in') {
    return reply(state, 'already-signed-in')
  }
  if (event.duplicate || state.kind === 'exchanging') {
    // A redelivery of a code already sent to the token endpoint: nothing for the user to do (X1).
    return stay(state)
  }
  if (state.kind === 'awaiting-sign-in' || state.kind === 'prompt-expired') {
    // The pending record is gone (swept or lapsed): the old verifier cannot be used (P7).
    const next = sendPrompt({ basis: basisOf(state), attempt: 1, messageKey: 'prompt.after-expiry' }, ctx)
    return { state: next.state, actions: [...next.actions, emit('expired')] }
  }
  return unsolicited(state)
}

/**
 * A code for the current prompt that can never be exchanged (X12, S11): the try failed, the user is
 * told and re-prompted. In any other state it is handled like any code arriving there (no exchange).
 */
function onCodeUnusable(state: SignInState, event: EventOf<'code-unusable'>, ctx: StepContext): Transition {
  if (state.kind !== 'awaiting-sign-in') {
    return onCode(state, { type: 'authorization-code-received', hasCode: true }, ctx)
  }
  const failure = { reason: `code:${event.reason}` }
  return retryOrHandOff({ from: state, messageKey: 'prompt.after-failure', failure }, ctx)
}

/** A code nobody asked for: no exchange, a generic reply (P8). */
function unsolicited(state: SignInState): Transition {
  return stay(state, [
    { type: 'reply', messageKey: 'no-pending-sign-in', params: {} },
    emit('sign-in-failed', { reason: 'no-pending-prompt' }),
  ])
}

function onAuthorizationError(state: SignInState, event: EventOf<'authorization-error'>, ctx: StepContext): Transition {
  const failure = {
    reason: `authorization:${normaliseErrorCode(event.error)}`,
    detail: sanitiseProviderText(event.description),
  }
  if (state.kind !== 'awaiting-sign-in') {
    // Late or stray: nothing to retry. The developer still hears about it.
    return stay(state, [emit('sign-in-failed', failure)])
  }
  switch (classifyAuthorizationError(event.error)) {
    case 'cancelled':
      return retryOrHandOff({ from: state, messageKey: 'prompt.after-cancel', failure }, ctx)
    case 'provider-unavailable':
      return retryOrHandOff({ from: state, messageKey: 'prompt.provider-busy', failure }, ctx)
    case 'misconfigured':
      return handOff({ from: state, messageKey: 'live-agent.sign-in-unavailable', failure })
    case 'unknown':
      return retryOrHandOff({ from: state, messageKey: 'prompt.after-failure', failure }, ctx)
  }
}

const MESSAGE_AFTER_EXCHANGE_FAILURE: Readonly<Record<EventOf<'exchange-failed'>['kind'], MessageKey>> = {
  invalid_grant: 'prompt.after-failure',
  'unknown-outcome': 'prompt.after-failure',
  'provider-error': 'prompt.provider-busy',
  network: 'prompt.provider-busy',
  'client-misconfigured': 'live-agent.sign-in-unavailable',
}

function onExchangeFailed(state: ExchangingState, event: EventOf<'exchange-failed'>, ctx: StepContext): Transition {
  const failure = { reason: `exchange:${event.kind}`, detail: sanitiseProviderText(event.description) }
  const messageKey = MESSAGE_AFTER_EXCHANGE_FAILURE[event.kind]
  if (event.kind === 'client-misconfigured') {
    return handOff({ from: state, messageKey, failure })
  }
  return retryOrHandOff({ from: state, messageKey, failure }, ctx)
}

/**
 * An exchange that never reported back within a prompt's lifetime: a crashed runner
 * (docs/contract-decisions.md §10 "crash semantics").
 */
function isStuck(state: ExchangingState, ctx: StepContext): boolean {
  return ctx.now - state.startedAt >= ctx.policy.pendingTtlMs
}

function unknownOutcome(state: ExchangingState, ctx: StepContext): Transition {
  return onExchangeFailed(state, { type: 'exchange-failed', kind: 'unknown-outcome' }, ctx)
}
