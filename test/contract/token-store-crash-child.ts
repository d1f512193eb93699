/**
 * Child process for `token-store-crash.test.ts`: on the SQLite file given as argv[2], stores a token
 * set, refreshes it (rotating the refresh token) and claims an exchange marker, then reports
 * `committed` and idles until the parent kills it with SIGKILL.
 */
import { openSQLiteDatabase } from '../../src/db/sqlite.ts'
import { createExchangeMarkers } from '../../src/signin-store/exchange-markers.ts'
import { migrateSignInStore } from '../../src/signin-store/migrations.ts'
import { keyringFromEnv } from '../../src/tokens/keyring.ts'
import { migrateTokenStore } from '../../src/tokens/migrations.ts'
import { refreshIfNeeded } from '../../src/tokens/refresh.ts'
import { createVault } from '../../src/tokens/seal.ts'
import { createSQLTokenStore } from '../../src/tokens/sql-token-store.ts'

const [path, codeHash] = process.argv.slice(2) as [string, string]
const key = { channel: 'business-messages', agent: 'agents/crash', conversation: 'conv-crash', provider: 'bank' }
const db = openSQLiteDatabase(path)
await migrateTokenStore(db)
await migrateSignInStore(db)
const store = createSQLTokenStore(db, createVault(keyringFromEnv(process.env)))
const expired = { accessToken: 'AT-1', refreshToken: 'RT-1', scopes: ['openid'], expiresAt: 0 }
await store.put(key, { tokens: expired })
await refreshIfNeeded(store, key, async () => ({ accessToken: 'AT-2', refreshToken: 'RT-2' }))
await createExchangeMarkers(db).claim(codeHash, Date.now())
process.stdout.write('committed\n')
setInterval(() => {}, 60_000)
