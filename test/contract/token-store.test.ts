/**
 * Runs the token store contract against every engine: SQLite in memory, SQLite in a file, and
 * PostgreSQL (throwaway cluster; skipped with a reason when the binaries are missing, never in CI).
 */
import { storeFixtures } from './token-store-fixtures.ts'
import { describeTokenStoreContract } from './token-store-contract.ts'

for (const fixture of await storeFixtures()) describeTokenStoreContract(fixture)
