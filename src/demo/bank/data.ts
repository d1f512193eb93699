/**
 * @module demo/bank/data
 * The Growing Tree Bank's demo data: a few accounts and recent transactions per demo user, keyed by
 * the provider's account id (the token's `sub`). Pure and deterministic: the same `nowMs` gives the
 * same answer, and transaction dates are relative to it so the demo always shows "recent" activity.
 * Amounts are integers in minor units (cents) so nothing is lost to floating point.
 */

/** An amount of money in minor units, e.g. `{ minorUnits: 254310, currency: 'USD' }` is $2,543.10. */
export interface Money {
  minorUnits: number
  /** ISO 4217 code. */
  currency: string
}

export type BankAccountType = 'checking' | 'savings' | 'credit_card'

/** One account as the API lists it. */
export interface BankAccount {
  id: string
  name: string
  type: BankAccountType
  /** Last four digits only, e.g. `•••• 4821`. */
  maskedNumber: string
  currency: string
}

/** An account's balance at `asOf` (ISO 8601). A credit card's balance is negative when money is owed. */
export interface BankBalance {
  accountId: string
  current: Money
  available: Money
  asOf: string
}

/** One booked transaction; `amount` is negative for money leaving the account. */
export interface BankTransaction {
  id: string
  accountId: string
  /** ISO 8601, never later than the clock's now. */
  bookedAt: string
  description: string
  category: string
  amount: Money
}

/** A demo customer: who they are and what they hold. */
export interface BankCustomer {
  sub: string
  displayName: string
  accounts: readonly BankAccount[]
}

interface AccountSeed {
  account: BankAccount
  currentMinor: number
  availableMinor: number
  /** Newest first: [hours ago, description, category, amount in minor units]. */
  history: readonly (readonly [number, string, string, number])[]
}

const HOUR_MS = 3_600_000
const MINUTE_MS = 60_000

function seed(id: string, name: string, type: BankAccountType, last4: string): BankAccount {
  return { id, name, type, maskedNumber: `•••• ${last4}`, currency: 'USD' }
}

const SEEDS: ReadonlyMap<string, { displayName: string; accounts: readonly AccountSeed[] }> = new Map([
  [
    'user-alice',
    {
      displayName: 'Alice Liddell',
      accounts: [
        {
          account: seed('acc-alice-checking', 'Everyday Checking', 'checking', '4821'),
          currentMinor: 254_310,
          availableMinor: 249_810,
          history: [
            [3, 'Cheshire Coffee Co.', 'dining', -450],
            [20, 'Queen of Hearts Tarts', 'groceries', -1_899],
            [46, 'Salary — Looking Glass Ltd', 'income', 312_500],
            [70, 'Transfer to Savings', 'transfer', -50_000],
            [95, 'Mad Hatter Millinery', 'shopping', -8_975],
            [140, 'White Rabbit Watch Repair', 'services', -3_200],
            [190, 'Electricity — Wonderland Power', 'utilities', -6_412],
            [260, 'Caterpillar Garden Supplies', 'shopping', -2_150],
          ],
        },
        {
          account: seed('acc-alice-savings', 'Savings', 'savings', '9034'),
          currentMinor: 1_250_000,
          availableMinor: 1_250_000,
          history: [
            [70, 'Transfer from Everyday Checking', 'transfer', 50_000],
            [400, 'Interest', 'interest', 1_042],
            [730, 'Transfer from Everyday Checking', 'transfer', 50_000],
            [1_100, 'Interest', 'interest', 998],
            [1_450, 'Transfer from Everyday Checking', 'transfer', 50_000],
          ],
        },
      ],
    },
  ],
  [
    'user-bob',
    {
      displayName: 'Bob Builder',
      accounts: [
        {
          account: seed('acc-bob-checking', 'Everyday Checking', 'checking', '7312'),
          currentMinor: 48_275,
          availableMinor: 45_775,
          history: [
            [5, 'Scoop Hardware', 'shopping', -12_499],
            [30, 'Muck Diner', 'dining', -2_350],
            [52, 'Invoice paid — Pilchard & Co', 'income', 180_000],
            [80, 'Lofty Crane Rentals', 'services', -45_000],
            [150, 'Dizzy Concrete Mix', 'shopping', -7_825],
            [220, 'Water — Sunflower Valley', 'utilities', -3_910],
          ],
        },
        {
          account: seed('acc-bob-savings', 'Rainy Day Savings', 'savings', '1188'),
          currentMinor: 320_000,
          availableMinor: 320_000,
          history: [
            [300, 'Interest', 'interest', 267],
            [800, 'Transfer from Everyday Checking', 'transfer', 25_000],
            [1_200, 'Transfer from Everyday Checking', 'transfer', 25_000],
            [1_500, 'Interest', 'interest', 251],
            [1_900, 'Opening deposit', 'transfer', 250_000],
          ],
        },
      ],
    },
  ],
])

/** The customer for `sub`, or `undefined` for a user the bank does not know. */
export function findCustomer(sub: string): BankCustomer | undefined {
  const found = SEEDS.get(sub)
  if (found === undefined) return undefined
  return { sub, displayName: found.displayName, accounts: found.accounts.map((s) => ({ ...s.account })) }
}

/** The accounts `sub` holds (empty for an unknown user). */
export function listAccounts(sub: string): BankAccount[] {
  return findCustomer(sub)?.accounts.slice() ?? []
}

/**
 * `sub`'s account `accountId`, or `undefined` when it does not exist *or belongs to someone else*:
 * callers answer both the same way so account ids of other customers cannot be probed.
 */
export function findAccount(sub: string, accountId: string): BankAccount | undefined {
  return listAccounts(sub).find((a) => a.id === accountId)
}

/** The balance of `sub`'s account at `nowMs`, or `undefined` (see {@link findAccount}). */
export function balanceOf(sub: string, accountId: string, nowMs: number): BankBalance | undefined {
  const s = seedOf(sub, accountId)
  if (s === undefined) return undefined
  const currency = s.account.currency
  return {
    accountId,
    current: { minorUnits: s.currentMinor, currency },
    available: { minorUnits: s.availableMinor, currency },
    asOf: new Date(floorToMinute(nowMs)).toISOString(),
  }
}

/**
 * Up to `limit` most recent transactions of `sub`'s account, newest first, dated relative to
 * `nowMs`; `undefined` when the account is not `sub`'s (see {@link findAccount}).
 */
export function recentTransactions(
  sub: string,
  accountId: string,
  nowMs: number,
  limit: number = Number.POSITIVE_INFINITY,
): BankTransaction[] | undefined {
  const s = seedOf(sub, accountId)
  if (s === undefined) return undefined
  const anchor = floorToMinute(nowMs)
  return s.history.slice(0, Math.max(0, limit)).map(([hoursAgo, description, category, amount], i) => ({
    id: `${accountId}-tx-${String(s.history.length - i).padStart(3, '0')}`,
    accountId,
    // A fixed minute offset per entry so the times do not all land on the hour.
    bookedAt: new Date(anchor - hoursAgo * HOUR_MS - ((i * 17) % 60) * MINUTE_MS).toISOString(),
    description,
    category,
    amount: { minorUnits: amount, currency: s.account.currency },
  }))
}

function seedOf(sub: string, accountId: string): AccountSeed | undefined {
  return SEEDS.get(sub)?.accounts.find((s) => s.account.id === accountId)
}

function floorToMinute(ms: number): number {
  return Math.floor(ms / MINUTE_MS) * MINUTE_MS
}
