/**
 * @module agent/actions
 * Carries out the sign-in machine's actions through the stores, the provider and the channel:
 * prompt (new verifier, pending record replacing any older one, then the chip message), exchange,
 * replies, live-agent offers, revocation and hooks. Every action is safe to run again after a
 * crash: messages keep their ids, deletes are idempotent, a re-run prompt gets a fresh verifier.
 */
import { renderMessage } from '../flow/messages.ts'
import type { HookName, SignInAction, SignInEvent } from '../flow/types.ts'
import { calculateS256Challenge, generateCodeVerifier } from '../pkce/pkce.ts'
import { exchangeHeldCode } from './exchange.ts'
import { runHandler } from './handler-context.ts'
import { revokeAndForget } from './revocation.ts'
import { readGrant, recordAudit, tokenKeyOf } from './runtime.ts'
import type { ConversationTurn } from './turn.ts'
import type { AgentHooks, HookEvent } from './types.ts'
import type { GrantEvent } from '../audit/audit-log.ts'

type ActionOf<T extends SignInAction['type']> = Extract<SignInAction, { type: T }>

/** The executor `ConversationTurn.drain` runs. */
export async function executeAction(turn: ConversationTurn, action: SignInAction): Promise<SignInEvent | undefined> {
  const { runtime, conversationId } = turn
  const text = (key: ActionOf<'reply'>['messageKey'], params: ActionOf<'reply'>['params']): string =>
    renderMessage(key, { params, overrides: runtime.messages })
  switch (action.type) {
    case 'send-sign-in-prompt':
      return sendSignInPrompt(turn, action)
    case 'discard-sign-in-prompt':
      await runtime.pending.delete(runtime.agentName, conversationId)
      return undefined
    case 'exchange-code':
      return exchangeHeldCode(turn)
    case 'store-tokens':
    case 'answer-question':
      // Stored by the exchange before the state moved on; answered by requireSignIn returning a session.
      return undefined
    case 'answer-parked-question':
      await runHandler(turn, { kind: 'parked-question', text: action.question })
      return undefined
    case 'reply':
      await turn.send({ type: 'text', text: text(action.messageKey, action.params) })
      return undefined
    case 'offer-live-agent':
      await turn.send({ type: 'live-agent-offer', text: text(action.messageKey, action.params) })
      return undefined
    case 'revoke-and-delete-tokens':
      await revokeAndDelete(turn)
      return undefined
    case 'delete-tokens':
      await runtime.tokens.delete(tokenKeyOf(runtime, conversationId))
      return undefined
    case 'emit':
      await callHook(turn, action)
      return undefined
  }
}

/** A fresh verifier and pending record (replacing any older one, P6), then the chip (S256 always, P3). */
async function sendSignInPrompt(turn: ConversationTurn, action: ActionOf<'send-sign-in-prompt'>): Promise<undefined> {
  const { runtime, conversationId } = turn
  const codeVerifier = generateCodeVerifier()
  const pending = {
    agent: runtime.agentName,
    conversation: conversationId,
    provider: runtime.providerId,
    scopes: action.scopes,
    codeVerifier,
    ttlMs: runtime.policy.pendingTtlMs,
  }
  await runtime.pending.put(pending, runtime.clock.now())
  const codeChallenge = calculateS256Challenge(codeVerifier)
  const text = renderMessage(action.messageKey, { params: action.params, overrides: runtime.messages })
  const prompt = {
    type: 'sign-in-prompt',
    text,
    clientId: runtime.provider.clientId,
    codeChallenge,
    scopes: action.scopes,
  } as const
  // The challenge salts the id: a re-run prompt (new verifier) is a new message, so the newest chip always matches.
  await turn.send(prompt, codeChallenge)
  runtime.metrics.signInPrompted()
  return undefined
}

/**
 * RFC 7009 sign-out: the grant's tokens are queued for revocation, deleted locally, then revoked
 * (refresh token first, then the access token). A provider failure leaves them queued for retries;
 * nobody can use them again either way (R7, R8, R9; see `revocation.ts`).
 */
async function revokeAndDelete(turn: ConversationTurn): Promise<void> {
  const { runtime, conversationId } = turn
  const key = tokenKeyOf(runtime, conversationId)
  const record = await readGrant(runtime, conversationId)
  const deleteLocal = (): Promise<boolean> => runtime.tokens.delete(key)
  if (record?.status !== 'active') {
    await deleteLocal()
    return
  }
  const attempts = await revokeAndForget(runtime, record.tokens, deleteLocal)
  runtime.logger.info({ conversationId, revocations: attempts.map((a) => a.outcome) }, 'signed out')
}

const HOOK_OF: Readonly<Record<HookName, keyof AgentHooks>> = {
  'signed-in': 'signedIn',
  'sign-in-failed': 'signInFailed',
  expired: 'expired',
  refreshed: 'refreshed',
  'needs-reconnect': 'needsReconnect',
  revoked: 'revoked',
  'signed-out': 'signedOut',
}

/**
 * The grant events the audit log keeps as they are emitted (a failed sign-in never held a grant;
 * `granted` is written by the exchange, when the tokens are stored).
 */
const GRANT_EVENT_OF: Readonly<Partial<Record<HookName, GrantEvent>>> = {
  refreshed: 'refreshed',
  revoked: 'revoked',
  expired: 'expired',
  'needs-reconnect': 'needs-reconnect',
  'signed-out': 'signed-out',
}

/** Calls the author's hook; its failures are logged and never stop the conversation. */
async function callHook(turn: ConversationTurn, action: ActionOf<'emit'>): Promise<void> {
  const { runtime, conversationId, state } = turn
  const subject = state.kind === 'signed-in' ? state.subject : undefined
  const event: HookEvent = {
    key: turn.key,
    ...(action.reason === undefined ? {} : { reason: action.reason }),
    ...(action.detail === undefined ? {} : { detail: action.detail }),
    ...(subject === undefined ? {} : { subject }),
  }
  runtime.logger.info({ conversationId, hook: action.hook, reason: action.reason }, 'sign-in event')
  runtime.metrics.signInEvent(action.hook, action.reason)
  const grantEvent = GRANT_EVENT_OF[action.hook]
  if (grantEvent !== undefined) {
    const scopes = state.kind === 'signed-in' ? state.scopes : []
    await recordAudit(runtime, turn.key, { kind: 'grant', at: runtime.clock.now(), event: grantEvent, scopes })
  }
  const hook = runtime.hooks[HOOK_OF[action.hook]]
  if (hook === undefined) return
  try {
    await hook(event)
  } catch (err) {
    runtime.logger.error(
      { conversationId, hook: action.hook, errName: err instanceof Error ? err.name : 'non-error' },
      'hook failed',
    )
  }
}
