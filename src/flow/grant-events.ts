/**
 * @module flow/grant-events
 * What happens to a stored grant outside a sign-in: a refresh succeeded or was refused, the grant
 * was revoked elsewhere, the user signed out. Internal to `flow/`; pure.
 */

import { SIGNED_OUT, discardPending, emit, sendPrompt, stay, type EventOf, type StepContext } from './steps.ts'
import type { NeedsReconnectState, SignInState, Transition } from './types.ts'

/** A refresh succeeded: tell the hook; a refresh may narrow the grant but never widens it (R6). */
export function onRefreshed(state: SignInState, event: EventOf<'tokens-refreshed'>): Transition {
  if (state.kind !== 'signed-in') {
    return stay(state)
  }
  const reported = event.scopes
  const scopes = reported === undefined ? state.scopes : state.scopes.filter((scope) => reported.includes(scope))
  return stay({ ...state, scopes }, [emit('refreshed')])
}

/**
 * A refresh got `invalid_grant` (after the token store's R3 re-read): the grant is dead. Delete
 * it; prompt at once if the user is waiting for an answer (R10), else on their next question.
 */
export function onRefreshFailed(
  state: SignInState,
  event: EventOf<'refresh-failed-invalid-grant'>,
  ctx: StepContext,
): Transition {
  if (state.kind !== 'signed-in') {
    return stay(state)
  }
  const hook = emit('needs-reconnect', { reason: 'refresh-invalid-grant' })
  if (event.question === undefined) {
    const reconnect: NeedsReconnectState = {
      kind: 'needs-reconnect',
      reason: 'refresh-invalid-grant',
      scopes: state.scopes,
      since: ctx.now,
    }
    return { state: reconnect, actions: [{ type: 'delete-tokens' }, hook] }
  }
  const basis = { scopes: state.scopes, reason: 'reconnect', parkedQuestion: event.question }
  const next = sendPrompt({ basis, attempt: 1, messageKey: 'prompt.reconnect' }, ctx)
  return { state: next.state, actions: [{ type: 'delete-tokens' }, ...next.actions, hook] }
}

/** The grant was revoked elsewhere: delete what is left; a signed-in user must reconnect. */
export function onRevoked(state: SignInState, now: number): Transition {
  const actions = [{ type: 'delete-tokens' } as const, emit('revoked')]
  if (state.kind !== 'signed-in') {
    return stay(state, actions)
  }
  return { state: { kind: 'needs-reconnect', reason: 'revoked', scopes: state.scopes, since: now }, actions }
}

/** Sign out from any state: drop a pending prompt, revoke and delete the grant, confirm. */
export function onSignOut(state: SignInState): Transition {
  // Whatever the state says, the store may hold a grant (e.g. during a step-up): always revoke.
  return {
    state: SIGNED_OUT,
    actions: [
      ...discardPending(state),
      { type: 'revoke-and-delete-tokens' },
      { type: 'reply', messageKey: 'signed-out', params: {} },
      emit('signed-out'),
    ],
  }
}
