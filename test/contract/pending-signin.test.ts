/**
 * Runs the sign-in store contract (pending sign-ins and exchange markers) against every engine:
 * SQLite in memory, SQLite in a file, and PostgreSQL (throwaway cluster; skipped with a reason when
 * the binaries are missing, never in CI).
 */
import { describePendingSignInContract } from './pending-signin-contract.ts'
import { storeFixtures } from './token-store-fixtures.ts'

for (const fixture of await storeFixtures()) describePendingSignInContract(fixture)
