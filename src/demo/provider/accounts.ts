/**
 * @module demo/provider/accounts
 * The demo provider's user accounts: a fixed list with passwords, checked in constant time. For the
 * sandbox and tests only; the passwords are documented on purpose.
 */
import { createHash, timingSafeEqual } from 'node:crypto'
import type { Account, FindAccount } from 'oidc-provider'

/** One demo user. `id` becomes the OIDC `sub`. */
export interface DemoUser {
  id: string
  username: string
  password: string
  name?: string
  email?: string
}

/**
 * The default demo users. Sign in as `alice` / `wonderland` or `bob` / `builder`.
 */
export const DEMO_USERS: readonly DemoUser[] = Object.freeze([
  { id: 'user-alice', username: 'alice', password: 'wonderland', name: 'Alice Liddell', email: 'alice@example.test' },
  { id: 'user-bob', username: 'bob', password: 'builder', name: 'Bob Builder', email: 'bob@example.test' },
])

/** Looks users up by id (for oidc-provider) and checks passwords (for the login page). */
export interface AccountStore {
  findAccount: FindAccount
  /** The user's id when `username`/`password` match, else `undefined`. */
  authenticate(username: string, password: string): string | undefined
}

/** Builds the account store over `users`. */
export function createAccountStore(users: readonly DemoUser[]): AccountStore {
  const byId = new Map(users.map((u) => [u.id, u]))
  const byUsername = new Map(users.map((u) => [u.username, u]))
  return {
    findAccount(_ctx, sub): Account | undefined {
      const user = byId.get(sub)
      if (user === undefined) return undefined
      return {
        accountId: user.id,
        claims: () => ({
          sub: user.id,
          ...(user.name === undefined ? {} : { name: user.name, preferred_username: user.username }),
          ...(user.email === undefined ? {} : { email: user.email, email_verified: true }),
        }),
      }
    },
    authenticate(username, password) {
      const user = byUsername.get(username)
      // Compare digests so the comparison takes the same time whatever the lengths.
      const ok = user !== undefined && timingSafeEqual(digest(password), digest(user.password))
      return ok ? user.id : undefined
    },
  }
}

function digest(value: string): Buffer {
  return createHash('sha256').update(value).digest()
}
