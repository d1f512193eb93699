/**
 * @module demo/bank/routes
 * The bank API's routes as pure functions: which path is which route, which scope it needs, and
 * the JSON answer for an authenticated user. HTTP plumbing and token checks live in
 * `resource-api.ts`; nothing here sees a token.
 */
import { balanceOf, findCustomer, listAccounts, recentTransactions } from './data.ts'

/** Scopes the bank API understands; register them with the provider (`extraScopes`). */
export const BANK_SCOPES = Object.freeze({
  accountsRead: 'accounts.read',
  transactionsRead: 'transactions.read',
} as const)

/** Both scopes as a list, e.g. for `createStrictProvider({ extraScopes: BANK_SCOPE_LIST })`. */
export const BANK_SCOPE_LIST: readonly string[] = Object.freeze(Object.values(BANK_SCOPES))

/** Default and largest `limit` of `GET /accounts/:id/transactions`. */
const DEFAULT_TRANSACTIONS_LIMIT = 10
const MAX_TRANSACTIONS_LIMIT = 50

/** A recognised request path. */
export type BankRoute =
  | { name: 'me' }
  | { name: 'accounts' }
  | { name: 'balance'; accountId: string }
  | { name: 'transactions'; accountId: string }

const ACCOUNT_PATH = /^\/accounts\/([^/]+)\/(balance|transactions)$/

/** The route for `pathname`, or `undefined` (answer 404). */
export function matchRoute(pathname: string): BankRoute | undefined {
  if (pathname === '/me') return { name: 'me' }
  if (pathname === '/accounts') return { name: 'accounts' }
  const match = ACCOUNT_PATH.exec(pathname)
  if (match === null) return undefined
  let accountId: string
  try {
    accountId = decodeURIComponent(match[1] ?? '')
  } catch {
    return undefined
  }
  return match[2] === 'balance' ? { name: 'balance', accountId } : { name: 'transactions', accountId }
}

/** The scope a route needs; `undefined` means any valid access token will do. */
export function requiredScope(route: BankRoute): string | undefined {
  if (route.name === 'me') return undefined
  return route.name === 'transactions' ? BANK_SCOPES.transactionsRead : BANK_SCOPES.accountsRead
}

/** Who is asking, as established from the access token. */
export interface BankCaller {
  sub: string
  clientId: string
  scopes: readonly string[]
}

/** A JSON answer. */
export interface RouteResult {
  status: 200 | 400 | 404
  body: Record<string, unknown>
}

/**
 * Answers an authenticated, authorised request. An account that is not the caller's is 404 exactly
 * like one that does not exist, so other customers' account ids cannot be probed.
 */
export function answerRoute(route: BankRoute, caller: BankCaller, query: URLSearchParams, nowMs: number): RouteResult {
  switch (route.name) {
    case 'me':
      return ok({
        sub: caller.sub,
        displayName: findCustomer(caller.sub)?.displayName ?? null,
        clientId: caller.clientId,
        scopes: [...caller.scopes],
      })
    case 'accounts':
      return ok({
        accounts: listAccounts(caller.sub).map((account) => ({
          ...account,
          currentBalance: balanceOf(caller.sub, account.id, nowMs)?.current,
        })),
      })
    case 'balance': {
      const balance = balanceOf(caller.sub, route.accountId, nowMs)
      return balance === undefined ? noSuchAccount() : ok({ ...balance })
    }
    case 'transactions': {
      const limit = parseLimit(query.get('limit'))
      if (limit === undefined) {
        return {
          status: 400,
          body: {
            error: 'invalid_request',
            error_description: `limit must be an integer in 1..${MAX_TRANSACTIONS_LIMIT}`,
          },
        }
      }
      const transactions = recentTransactions(caller.sub, route.accountId, nowMs, limit)
      return transactions === undefined ? noSuchAccount() : ok({ accountId: route.accountId, transactions })
    }
  }
}

/** `limit` as a number, the default when absent, `undefined` when invalid. */
function parseLimit(raw: string | null): number | undefined {
  if (raw === null) return DEFAULT_TRANSACTIONS_LIMIT
  if (!/^[0-9]{1,3}$/.test(raw)) return undefined
  const limit = Number(raw)
  return limit >= 1 && limit <= MAX_TRANSACTIONS_LIMIT ? limit : undefined
}

function ok(body: Record<string, unknown>): RouteResult {
  return { status: 200, body }
}

function noSuchAccount(): RouteResult {
  return { status: 404, body: { error: 'not_found', error_description: 'no such account' } }
}
