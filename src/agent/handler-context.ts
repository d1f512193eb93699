/**
 * @module agent/handler-context
 * Calls the agent author's handler with its {@link MessageContext}: `say`, `requireSignIn` (the
 * session, or a prompt with the message parked) and `signOut`. Author errors are logged and the
 * delivery carries on; infrastructure errors (status ≥ 500: Google, the database) propagate so the
 * delivery is retried.
 */
import { isBmOAuthError } from '../errors.ts'
import type { SignInAction } from '../flow/types.ts'
import { SignInRequiredError } from './errors.ts'
import { readGrant } from './runtime.ts'
import { createSession } from './session.ts'
import type { ConversationTurn } from './turn.ts'
import { validateReply } from '../channel/reply.ts'
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
    key: turn.key,
    channel: turn.key.channel,
    text: input.text,
    kind: input.kind,
    ...(input.postbackData === undefined ? {} : { postbackData: input.postbackData }),
    user: turn.user,
    say: async (reply) => turn.send({ type: 'text', ...validateReply(reply) }),
    sayRaw: (message) => turn.sendRaw(message),
    requireSignIn: (need = {}) => {
      touchedSignIn = true
      return requireSignIn(turn, input.text, need)
    },
    signOut: async () => {
      touchedSignIn = true
      await turn.step({ type: 'sign-out-requested' })
    },
    accessLog: (options) => turn.runtime.audit.list(turn.key, options),
  }
  await sendTyping(turn, 'started')
  try {
    await handler(context)
  } catch (err) {
    await sendTyping(turn, 'stopped')
    if (err instanceof SignInRequiredError) return { touchedSignIn: true }
    if (isBmOAuthError(err) && err.status >= 500) throw err
    const name = err instanceof Error ? err.name : 'non-error'
    turn.runtime.logger.error({ conversationId: turn.conversationId, errName: name }, 'message handler failed')
    return { touchedSignIn }
  }
  await sendTyping(turn, 'stopped')
  return { touchedSignIn }
}

/** A typing indicator is decoration: it never fails the turn. */
async function sendTyping(turn: ConversationTurn, state: 'started' | 'stopped'): Promise<void> {
  const { client } = turn.runtime.channel
  if (client.typing === undefined) return
  try {
    await client.typing(turn.key, state)
  } catch (err) {
    turn.runtime.logger.warn(
      { conversationId: turn.conversationId, typing: state, errCode: isBmOAuthError(err) ? err.code : 'unknown' },
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
