/**
 * @module demo/bank-agent/replies
 * The Growing Tree Bank agent's words: the public answers (welcome, opening hours, branches, help),
 * the personal answers built from the bank API's JSON, and the reply chips offered with them. Pure:
 * no I/O, no clock (dates come in), so every text is tested as a string.
 */
import { replySuggestion } from '../../google/index.ts'
import type { ReplySuggestion } from '../../google/index.ts'

/** An amount as the bank API sends it: integer minor units plus an ISO 4217 currency. */
export interface MoneyJSON {
  minorUnits: number
  currency: string
}

/** One account of `GET /accounts`. */
export interface AccountJSON {
  id: string
  name: string
  type: string
  maskedNumber: string
  currentBalance?: MoneyJSON
}

/** One transaction of `GET /accounts/:id/transactions`. */
export interface TransactionJSON {
  bookedAt: string
  description: string
  amount: MoneyJSON
}

export const BANK_NAME = 'Growing Tree Bank'

/** Chips: postback data is the intent, so a tap is understood whatever the label says. */
const CHIPS = Object.freeze({
  balance: replySuggestion('Balance', 'balance'),
  transactions: replySuggestion('Recent transactions', 'transactions'),
  hours: replySuggestion('Opening hours', 'hours'),
  branches: replySuggestion('Branches', 'branches'),
  signOut: replySuggestion('Sign out', 'sign-out'),
  whoAmI: replySuggestion('Who am I?', 'who-am-i'),
})

/** The chips offered with a public answer. */
export const PUBLIC_CHIPS: readonly ReplySuggestion[] = [CHIPS.balance, CHIPS.transactions, CHIPS.hours, CHIPS.branches]
/** The chips offered once the user is signed in. */
export const SIGNED_IN_CHIPS: readonly ReplySuggestion[] = [
  CHIPS.balance,
  CHIPS.transactions,
  CHIPS.whoAmI,
  CHIPS.signOut,
]

export const TEXTS = Object.freeze({
  hours:
    'Our branches are open Monday to Friday 9:00–17:00 and Saturday 9:00–13:00 (closed Sundays and public holidays). ' +
    'This chat is here around the clock.',
  branches:
    'You can find us at:\n• Oak Square branch: 1 Oak Square, Springfield\n• Riverside branch: 22 Willow Lane, Springfield\n' +
    'Or call 555-0142 (8:00–20:00 every day).',
  help:
    'I can tell you our opening hours and where our branches are. Once you sign in, I can also show your balance ' +
    'and recent transactions, tell you who is signed in, and sign you out again.',
  thanks: "You're welcome! Anything else I can help with?",
  unknown: "Sorry, I didn't catch that. Here's what I can help with:",
  liveAgent: 'Thanks for your patience. Someone from our team will join this conversation shortly.',
  bankUnavailable: "Sorry, I couldn't reach your accounts just now. Please try again in a moment.",
  noAccounts: "I couldn't find any accounts for you at Growing Tree Bank.",
})

/** The agent's texts that replace the library defaults (see `AgentOptions.messages`). */
export const BANK_AGENT_MESSAGES = Object.freeze({
  'prompt.sign-in': "To see that, please sign in to Growing Tree Bank. I'll answer right after.",
  'signed-in': "Thanks, you're signed in to Growing Tree Bank.",
  'signed-out': "You're signed out of Growing Tree Bank. Ask me anything whenever you're back.",
})

/** The greeting at the start of a conversation, by name when the user's name is known. */
export function welcomeText(displayName: string | undefined): string {
  const who = displayName === undefined || displayName.trim() === '' ? '' : `, ${displayName.trim()}`
  return `Welcome to ${BANK_NAME}${who}! ${TEXTS.help}`
}

/** Formats money for chat, e.g. `$2,543.10` or `-$4.50`. */
export function formatAmount(money: MoneyJSON, locale: string = 'en-US'): string {
  const format = new Intl.NumberFormat(locale, { style: 'currency', currency: money.currency })
  const digits = format.resolvedOptions().maximumFractionDigits ?? 2
  return format.format(money.minorUnits / 10 ** digits)
}

/**
 * The balance answer: the main account first (checking when there is one), then the others.
 * @example "Your Everyday Checking balance is $2,543.10 (available $2,498.10). Savings: $12,500.00."
 */
export function balanceText(accounts: readonly AccountJSON[], available?: MoneyJSON): string {
  const main = primaryAccount(accounts)
  if (main === undefined || main.currentBalance === undefined) return TEXTS.noAccounts
  const extra = available === undefined ? '' : ` (available ${formatAmount(available)})`
  const others = accounts
    .filter((a) => a !== main && a.currentBalance !== undefined)
    .map((a) => `${a.name}: ${formatAmount(a.currentBalance as MoneyJSON)}.`)
  return [`Your ${main.name} balance is ${formatAmount(main.currentBalance)}${extra}.`, ...others].join(' ')
}

/** The recent-transactions answer, one line per transaction, dates in UTC. */
export function transactionsText(account: AccountJSON, transactions: readonly TransactionJSON[]): string {
  if (transactions.length === 0) return `There are no recent transactions on your ${account.name}.`
  const day = new Intl.DateTimeFormat('en-US', { month: 'short', day: 'numeric', timeZone: 'UTC' })
  const lines = transactions.map(
    (t) => `• ${day.format(new Date(t.bookedAt))}: ${t.description}, ${formatAmount(t.amount)}`,
  )
  return [`Recent transactions on your ${account.name} (${account.maskedNumber}):`, ...lines].join('\n')
}

/** Who is signed in, from the bank's `GET /me` and the session. */
export function whoAmIText(
  displayName: string | undefined,
  subject: string | undefined,
  scopes: readonly string[],
): string {
  const who = displayName ?? subject ?? 'a Growing Tree Bank customer'
  const id = subject !== undefined && displayName !== undefined ? ` (user id ${subject})` : ''
  return `You're signed in as ${who}${id}. I may read: ${scopes.join(', ')}.`
}

/** The account the balance and transactions answers are about: checking first, else the first. */
export function primaryAccount<A extends { type: string }>(accounts: readonly A[]): A | undefined {
  return accounts.find((a) => a.type === 'checking') ?? accounts[0]
}
