/**
 * @module demo/bank-agent/handler
 * The Growing Tree Bank agent's message handler, written only against the public bm-oauth API the
 * way an outside agent author would. Public questions (opening hours, branches, help) are answered
 * at once; personal ones (balance, transactions, who am I) go through `requireSignIn`: the library
 * sends the sign-in prompt and parks the question, and calls the handler again with it once the
 * user is signed in. Kind replies for cancel, denial and expiry, and the live-agent chip after
 * repeated failures, come from the library's sign-in flow.
 */
import { describeAccessLog, type MessageContext, type MessageHandler, type SuggestedReply } from '../../index.ts'
import { BankAPIError, createBankClient, type BankClient } from './bank-client.ts'
import { classifyIntent, type BankIntent } from './intents.ts'
import { createUserInfoBank } from './userinfo-bank.ts'
import {
  BANK_NAME,
  PUBLIC_CHIPS,
  SIGNED_IN_CHIPS,
  TEXTS,
  balanceText,
  primaryAccount,
  transactionsText,
  welcomeText,
  whoAmIText,
} from './replies.ts'

/**
 * What the bank agent asks for at sign-in: one grant serves every personal question.
 *
 * `offline_access` asks for a refresh token (OIDC Core §11). Providers may leave it out of the granted
 * `scope` (oidc-provider does unless `prompt=consent` was sent, which Business Messages never sends),
 * so the library does not count it when checking whether the grant covers a question. The demo
 * provider issues refresh tokens by client registration either way.
 */
export const BANK_AGENT_SCOPES: readonly string[] = Object.freeze([
  'openid',
  'offline_access',
  'accounts.read',
  'transactions.read',
])

export interface BankAgentHandlerOptions {
  /**
   * The bank resource API, e.g. `http://127.0.0.1:8792`. Without one, "who am I" reads the provider's
   * UserInfo endpoint and the user has no accounts (`bm-oauth serve`, the example).
   */
  readonly bankApiUrl?: string
  /** What sign-in asks for (default {@link BANK_AGENT_SCOPES}). */
  readonly scopes?: readonly string[]
  /** Transactions listed per answer (default 5). */
  readonly transactionsLimit?: number
  /** Conversations remembered as already greeted (default 10 000; oldest forgotten first). */
  readonly maxGreeted?: number
}

type PersonalIntent = Extract<BankIntent, 'balance' | 'transactions' | 'who-am-i'>

const REASONS: Readonly<Record<PersonalIntent, string>> = {
  balance: 'to show your balance',
  transactions: 'to show your recent transactions',
  'who-am-i': 'to tell you who is signed in',
}

const PUBLIC_ANSWERS: Partial<Record<BankIntent, string>> = {
  hours: TEXTS.hours,
  branches: TEXTS.branches,
  help: TEXTS.help,
  thanks: TEXTS.thanks,
}

/**
 * The bank agent's handler.
 * @example
 * ```ts
 * agent.onMessage(createBankAgentHandler({ bankApiUrl: 'http://127.0.0.1:8792' }))
 * agent.onMessage(createBankAgentHandler({ scopes: ['openid', 'profile'] })) // no bank API: UserInfo only
 * ```
 */
export function createBankAgentHandler(options: BankAgentHandlerOptions = {}): MessageHandler {
  const greeted = boundedSet(options.maxGreeted ?? 10_000)
  const limit = options.transactionsLimit ?? 5
  return async (ctx) => {
    if (ctx.kind === 'live-agent-request') return say(ctx, TEXTS.liveAgent)
    const intent = classifyIntent(ctx.text, ctx.postbackData)
    const firstMessage = ctx.kind !== 'parked-question' && greeted.add(`${ctx.key.agent}/${ctx.key.conversation}`)
    if (intent === 'greeting') return say(ctx, welcomeText(ctx.user.displayName), PUBLIC_CHIPS)
    if (firstMessage) await ctx.say(`Welcome to ${BANK_NAME}${nameSuffix(ctx)}!`)
    if (intent === 'sign-out') return ctx.signOut()
    // No sign-in needed: the log is about this conversation, and says nothing to a stranger who has none.
    if (intent === 'access-log') return say(ctx, describeAccessLog(await ctx.accessLog({ limit: 10 })), PUBLIC_CHIPS)
    if (intent === 'balance' || intent === 'transactions' || intent === 'who-am-i') {
      return answerPersonal(ctx, intent, options, limit)
    }
    const answer = PUBLIC_ANSWERS[intent]
    if (answer !== undefined) return say(ctx, answer, PUBLIC_CHIPS)
    return say(ctx, TEXTS.unknown, PUBLIC_CHIPS)
  }
}

async function answerPersonal(
  ctx: MessageContext,
  intent: PersonalIntent,
  options: BankAgentHandlerOptions,
  limit: number,
): Promise<void> {
  const session = await ctx.requireSignIn({ scopes: options.scopes ?? BANK_AGENT_SCOPES, reason: REASONS[intent] })
  if (session === undefined) return // the sign-in prompt is out; this question is answered after sign-in
  const bank =
    options.bankApiUrl === undefined
      ? createUserInfoBank(session.provider.userinfoEndpoint, session.fetch)
      : createBankClient(options.bankApiUrl, session.fetch)
  let text: string
  try {
    if (intent === 'balance') text = await balance(bank)
    else if (intent === 'transactions') text = await transactions(bank, limit)
    else text = whoAmIText((await bank.me()).displayName ?? undefined, session.subject, session.scopes)
  } catch (err) {
    // A session that needs a new sign-in throws SignInRequiredError: the library handles that one.
    if (!(err instanceof BankAPIError || (err instanceof Error && err.name === 'TypeError'))) throw err
    text = TEXTS.bankUnavailable
  }
  await say(ctx, text, SIGNED_IN_CHIPS)
}

async function balance(bank: BankClient): Promise<string> {
  const accounts = await bank.accounts()
  const main = primaryAccount(accounts)
  if (main === undefined) return balanceText(accounts)
  return balanceText(accounts, (await bank.balance(main.id)).available)
}

async function transactions(bank: BankClient, limit: number): Promise<string> {
  const main = primaryAccount(await bank.accounts())
  if (main === undefined) return TEXTS.noAccounts
  return transactionsText(main, await bank.transactions(main.id, limit))
}

function say(ctx: MessageContext, text: string, chips: readonly SuggestedReply[] = []): Promise<void> {
  return chips.length === 0 ? ctx.say(text) : ctx.say({ text, suggestions: [...chips] })
}

function nameSuffix(ctx: MessageContext): string {
  const name = ctx.user.displayName?.trim()
  return name === undefined || name === '' ? '' : `, ${name}`
}

/** A set that forgets its oldest member past `max`; `add` says whether the value was new. */
function boundedSet(max: number): { add(value: string): boolean } {
  const members = new Set<string>()
  return {
    add(value) {
      if (members.has(value)) return false
      members.add(value)
      if (members.size > max) members.delete(members.values().next().value as string)
      return true
    },
  }
}
