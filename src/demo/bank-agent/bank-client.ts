/**
 * @module demo/bank-agent/bank-client
 * The bank agent's calls to the Growing Tree Bank resource API, made with the signed-in user's
 * `Session.fetch` (which adds the bearer token and refreshes it once on a 401). The agent treats
 * the API as any external service: it only knows its URL and its JSON.
 */
import type { AccountJSON, MoneyJSON, TransactionJSON } from './replies.ts'

/** `Session.fetch`, or any fetch that authenticates the user. */
export type UserFetch = (url: string | URL, init?: RequestInit, options?: { purpose?: string }) => Promise<Response>

/**
 * The bank API answered something other than 200 (status only: the body is not echoed). The demo's
 * own error, not the library's: it has no bm-oauth code, and `isBmOAuthError` does not claim it.
 */
export class BankAPIError extends Error {
  readonly path: string
  readonly httpStatus: number
  constructor(path: string, status: number) {
    super(`bank API answered ${status} for ${path}`)
    this.name = 'BankAPIError'
    this.path = path
    this.httpStatus = status
  }
}

/** A client of the bank API at `baseUrl` acting as the user behind `fetch`. */
export interface BankClient {
  me(): Promise<{ sub: string; displayName: string | null }>
  accounts(): Promise<AccountJSON[]>
  balance(accountId: string): Promise<{ current: MoneyJSON; available: MoneyJSON }>
  transactions(accountId: string, limit: number): Promise<TransactionJSON[]>
}

/** Builds a {@link BankClient}. */
export function createBankClient(baseUrl: string, fetch: UserFetch): BankClient {
  // Each call names its purpose: the user's access log shows it ("what have you accessed?").
  const get = async <T>(path: string, purpose: string): Promise<T> => {
    const response = await fetch(new URL(path, baseUrl), { headers: { accept: 'application/json' } }, { purpose })
    if (!response.ok) {
      await response.body?.cancel()
      throw new BankAPIError(path.split('?')[0] ?? path, response.status)
    }
    return (await response.json()) as T
  }
  const account = (id: string): string => `/accounts/${encodeURIComponent(id)}`
  return {
    me: () => get('/me', 'read your profile'),
    accounts: async () => (await get<{ accounts: AccountJSON[] }>('/accounts', 'list your accounts')).accounts,
    balance: (id) => get(`${account(id)}/balance`, 'read your balance'),
    transactions: async (id, limit) =>
      (
        await get<{ transactions: TransactionJSON[] }>(
          `${account(id)}/transactions?limit=${limit}`,
          'read your recent transactions',
        )
      ).transactions,
  }
}
