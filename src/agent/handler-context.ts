/**
 * @module agent/handler-context
 * Calls the agent author's handler with its {@link MessageContext}: `say`, `requireSignIn` (the
 * session, or a prompt with the message parked) and `signOut`. Author errors are logged and the
 * delivery carries on; infrastructure errors (status ≥ 500: Google, the database) propagate so the
 * delivery is retried.
 */
import { isBmOAuthError } from '../errors.ts'
import type { SignInAction } from '../flow/types.ts'
import { randomUUID } from 'node:crypto'
import { SignInRequiredError } from './errors.ts'
import { readGrant } from './runtime.ts'
import { createSession } from './session.ts'
import type { ConversationTurn } from './turn.ts'
import type { MessageContext, Session } from './types.ts'

/** What a handler call is about. */
export interface HandlerInput {
  readonly kind: MessageContext['kind']
  readonly text: string
  readonly postbackData?: string
}

/** Whether the handler took part in sign-in (asked for it or signed out). */
export interface HandlerOutcome {
  readonly touchedSignIn: boolean
}

/** Runs the handler (if any) for `input`. */
export async function runHandler(turn: ConversationTurn, input: HandlerInput): Promise<HandlerOutcome> {
  const handler = turn.runtime.handler()
  if (handler === undefined) return { touchedSignIn: false }
  let touchedSignIn = false
  const context: MessageContext = {
    conversationId: turn.conversationId,
    text: input.text,
    kind: input.kind,
    ...(input.postbackData === undefined ? {} : { postbackData: input.postbackData }),
    user: turn.user,
    say: (message) =>
      typeof message === 'string' ? turn.send({ type: 'text', text: message }) : turn.sendMessage(message),
    requireSignIn: (need = {}) => {
      touchedSignIn = true
      return requireSignIn(turn, input.text, need)
    },
    signOut: async () => {
      touchedSignIn = true
      await turn.step({ type: 'sign-out-requested' })
    },
  }
  await sendTyping(turn, 'TYPING_STARTED')
  try {
    await handler(context)
  } catch (err) {
    await sendTyping(turn, 'TYPING_STOPPED')
    if (err instanceof SignInRequiredError) return { touchedSignIn: true }
    if (isBmOAuthError(err) && err.status >= 500) throw err
    const name = err instanceof Error ? err.name : 'non-error'
    turn.runtime.logger.error({ conversationId: turn.conversationId, errName: name }, 'message handler failed')
    return { touchedSignIn }
  }
  await sendTyping(turn, 'TYPING_STOPPED')
  return { touchedSignIn }
}

/**
 * A typing event is decoration: it never fails the turn. Ids are random, so a delivery processed
 * again after a crash simply shows typing again.
 */
async function sendTyping(turn: ConversationTurn, eventType: 'TYPING_STARTED' | 'TYPING_STOPPED'): Promise<void> {
  const { runtime } = turn
  if (!runtime.typingIndicators) return
  try {
    await runtime.bm.createEvent(turn.conversationId, randomUUID(), {
      eventType,
      representative: runtime.style.representative,
    })
  } catch (err) {
    runtime.logger.warn(
      { conversationId: turn.conversationId, eventType, errCode: isBmOAuthError(err) ? err.code : 'unknown' },
      'typing event failed',
    )
  }
}

async function requireSignIn(
  turn: ConversationTurn,
  question: string,
  need: { scopes?: readonly string[]; reason?: string },
): Promise<Session | undefined> {
  const { runtime } = turn
  const scopes = need.scopes ?? runtime.defaultScopes
  const event = { type: 'question-needs-sign-in', question, scopes, reason: need.reason ?? 'account' } as const
  // Only a signed-in state answers at once. The grant is read before the step saves anything, so a
  // failing database leaves no journal behind and the retried delivery asks the handler again.
  const record = turn.state.kind === 'signed-in' ? await readGrant(runtime, turn.conversationId) : undefined
  const actions = await turn.step(event)
  const answer = actions.find(
    (a): a is Extract<SignInAction, { type: 'answer-question' }> => a.type === 'answer-question',
  )
  if (answer === undefined) return undefined // prompted: the question is parked in the state
  turn.unqueue(answer)
  if (record?.status === 'active') return createSession(turn, record, question)
  // The state says signed in but no usable grant is stored: reconnect, with the question parked.
  await turn.step({ type: 'refresh-failed-invalid-grant', question })
  return undefined
}
