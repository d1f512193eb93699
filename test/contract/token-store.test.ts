/**
 * Runs the token store contract (storage and refresh) against every engine: SQLite in memory, SQLite
 * in a file, and PostgreSQL (throwaway cluster; skipped with a reason when the binaries are missing,
 * never in CI).
 */
import { describeTokenStoreContract } from './token-store-contract.ts'
import { storeFixtures } from './token-store-fixtures.ts'
import { describeTokenRefreshContract } from './token-store-refresh-contract.ts'

for (const fixture of await storeFixtures()) {
  describeTokenStoreContract(fixture)
  describeTokenRefreshContract(fixture)
}
