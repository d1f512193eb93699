/**
 * @module demo/bank-agent/userinfo-bank
 * The bank agent's stand-in for a bank API when none is configured (`bm-oauth serve`, the example
 * against your own provider): "who am I" reads the provider's UserInfo endpoint with the user's
 * token, and the user has no accounts. The handler stays the same either way.
 */
import { BankAPIError, type BankClient, type UserFetch } from './bank-client.ts'

/** A {@link BankClient} over the provider's UserInfo endpoint (`Session.provider.userinfoEndpoint`). */
export function createUserInfoBank(userinfoEndpoint: string | undefined, fetch: UserFetch): BankClient {
  return {
    async me() {
      if (userinfoEndpoint === undefined) throw new BankAPIError('userinfo', 404) // the provider has none
      const init = { headers: { accept: 'application/json' } }
      const response = await fetch(userinfoEndpoint, init, { purpose: 'read your profile' })
      if (!response.ok) {
        await response.body?.cancel()
        throw new BankAPIError('userinfo', response.status)
      }
      const claims = (await response.json()) as { sub: string; name?: unknown }
      return { sub: claims.sub, displayName: typeof claims.name === 'string' ? claims.name : null }
    },
    accounts: async () => [],
    balance: async () => {
      throw new BankAPIError('balance', 404) // never asked: there are no accounts
    },
    transactions: async () => [],
  }
}
