/**
 * @module agent/handle-delivery
 * Processes one recorded delivery for its conversation (the caller holds the conversation's lock):
 * resume a run a crash interrupted, skip a delivery that was already processed, then map the
 * channel's inbound message to sign-in events and run the author's handler and the actions.
 *
 * Authorization codes (X1, P8, P12, W17, X12, S11): a relayed redirect URI outside the allow-list
 * is an error, never an exchange; a code whose marker this conversation already claimed, or that
 * arrives while the prompt's pending record is gone, is `code-without-pending-sign-in`; a code
 * claimed in another conversation, or whose pending record cannot be opened, is `code-unusable`
 * (the user is told and re-prompted); only then is the code held (in memory) for the one
 * `exchange-code` the machine may ask for.
 */
import { toInboundMessage } from '../channel/business-messages/inbound.ts'
import type { InboundMessage } from '../channel/types.ts'
import { isBmOAuthError } from '../errors.ts'
import type { SignInEvent } from '../flow/types.ts'
import { isAllowedRedirectURI } from '../oauth/redirect-uris.ts'
import { hashAuthorizationCode, type ExchangeMarkerContext } from '../signin-store/exchange-markers.ts'
import type { PendingSignIn } from '../signin-store/pending-signins.ts'
import type { WebhookEvent } from '../webhook/types.ts'
import { executeAction } from './actions.ts'
import { runHandler } from './handler-context.ts'
import type { AgentRuntime } from './runtime.ts'
import { ConversationTurn } from './turn.ts'

/** The conversation a delivery belongs to, if the runner acts on it at all. */
export function conversationOf(event: WebhookEvent): string | undefined {
  const inbound = toInboundMessage(event)
  return inbound.kind === 'ignored' ? undefined : inbound.conversationId
}

/** Processes delivery `deliveryId` (its parsed `event`). Throws on infrastructure failures (retry). */
export async function handleDelivery(runtime: AgentRuntime, deliveryId: string, event: WebhookEvent): Promise<void> {
  const inbound = toInboundMessage(event)
  if (inbound.kind === 'ignored') {
    runtime.logger.debug({ deliveryId, what: inbound.what }, 'delivery needs no action')
    return
  }
  const turn = await ConversationTurn.open(runtime, inbound.conversationId)
  turn.user = inbound.user
  if (turn.crashed !== undefined) await resumeCrashedRun(turn)
  if (turn.lastDeliveryId === deliveryId) return // processed before a crash kept the inbox from hearing
  turn.begin(deliveryId)
  try {
    await handleInbound(turn, inbound)
    await turn.drain(executeAction)
    await turn.finish()
  } finally {
    turn.close()
  }
}

/**
 * Finishes the actions of a run that crashed. A pending `exchange-code` runs without its code, so
 * it reports success only if the tokens were stored, else an unknown outcome
 * (docs/contract-decisions.md §10 "crash semantics": never a second token request; the user gets a
 * fresh prompt).
 */
async function resumeCrashedRun(turn: ConversationTurn): Promise<void> {
  const crashed = turn.crashed
  if (crashed === undefined) return
  turn.runtime.logger.warn({ conversationId: turn.conversationId }, 'resuming a delivery interrupted by a crash')
  turn.begin(crashed.deliveryId, crashed)
  const stuck = turn.state.kind === 'exchanging' && crashed.queue[0]?.type !== 'exchange-code'
  if (stuck) await turn.step({ type: 'exchange-failed', kind: 'unknown-outcome' })
  await turn.drain(executeAction)
  await turn.finish()
}

async function handleInbound(turn: ConversationTurn, inbound: InboundMessage): Promise<void> {
  switch (inbound.kind) {
    case 'text':
    case 'suggestion':
    case 'live-agent-request': {
      const text = inbound.kind === 'live-agent-request' ? '' : inbound.text
      const postback =
        inbound.kind === 'suggestion' && inbound.postbackData !== undefined
          ? { postbackData: inbound.postbackData }
          : {}
      const outcome = await runHandler(turn, { kind: inbound.kind, text, ...postback })
      // A message that did not ask for sign-in pushes a waiting chip away: the flow re-sends it
      // (docs/contract-decisions.md §4.4).
      if (!outcome.touchedSignIn) await turn.step({ type: 'other-user-message' })
      return
    }
    case 'authorization':
      await turn.step(await authorizationEvent(turn, inbound.result))
      return
  }
}

async function authorizationEvent(
  turn: ConversationTurn,
  result: Extract<InboundMessage, { kind: 'authorization' }>['result'],
): Promise<SignInEvent> {
  const { runtime, conversationId } = turn
  switch (result.type) {
    case 'error':
      return result.description === undefined
        ? { type: 'authorization-error', error: result.error }
        : { type: 'authorization-error', error: result.error, description: result.description }
    case 'missing':
      return { type: 'authorization-code-received', hasCode: false }
    case 'code': {
      const { signIn } = runtime.channel
      const allowed = signIn.mode === 'chip' ? signIn.allowedRedirectUris : []
      if (!isAllowedRedirectURI(result.redirectUri, allowed)) {
        runtime.logger.warn({ conversationId }, 'relayed redirect URI is not allowed; code not exchanged')
        return { type: 'authorization-error', error: 'invalid_redirect_uri' }
      }
      const claimant = await runtime.markers.claimant(hashAuthorizationCode(result.code))
      if (claimant !== undefined) {
        // X12: claimed here, this is a redelivery (X1: nothing to say). Claimed in another
        // conversation, the code was injected there: this user's sign-in did not go through.
        return claimedHere(claimant, runtime.agentName, conversationId)
          ? { type: 'code-without-pending-sign-in', duplicate: true }
          : { type: 'code-unusable', reason: 'used-elsewhere' }
      }
      if (turn.state.kind === 'awaiting-sign-in') {
        const live = await livePendingSignIn(turn)
        if (live === 'unreadable') return { type: 'code-unusable', reason: 'pending-unreadable' }
        if (live === undefined) return { type: 'code-without-pending-sign-in', duplicate: false }
      }
      turn.holdCode({ code: result.code, redirectUri: result.redirectUri })
      return { type: 'authorization-code-received', hasCode: true }
    }
  }
}

/** Whether this conversation claimed the marker; one that names no conversation counts as ours (silent, X1). */
function claimedHere(claimant: ExchangeMarkerContext, agent: string, conversation: string): boolean {
  if (claimant.conversation === undefined) return true
  return claimant.conversation === conversation && (claimant.agent === undefined || claimant.agent === agent)
}

/**
 * The conversation's live pending sign-in; `'unreadable'` when its sealed verifier no vault key
 * opens (S11: a damaged row is a failed try and a fresh prompt, never a delivery failing for good).
 */
async function livePendingSignIn(turn: ConversationTurn): Promise<PendingSignIn | 'unreadable' | undefined> {
  const { runtime } = turn
  try {
    return await runtime.pending.get(runtime.agentName, turn.conversationId, runtime.clock.now())
  } catch (err) {
    if (isBmOAuthError(err, 'ERR_TOKEN_VAULT_DECRYPT')) return 'unreadable'
    throw err
  }
}
