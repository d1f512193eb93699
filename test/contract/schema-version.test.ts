/**
 * S13 versions this release does not know, on every engine: a store schema newer than the code
 * refuses to migrate (so the agent's `start()` refuses), and a sealed value whose envelope version
 * is newer refuses to open with `ERR_SCHEMA_VERSION`, never a decrypt error that would discard it:
 * the row stays as it was.
 */
import assert from 'node:assert/strict'
import { describe, test } from 'node:test'
import type { Database } from '../../src/db/queryable.ts'
import { isBmOAuthError } from '../../src/errors.ts'
import { businessMessages, createAgent } from '../../src/index.ts'
import { generateVaultKey, parseVaultKeys } from '../../src/tokens/keyring.ts'
import { migrateTokenStore, TOKEN_TABLE } from '../../src/tokens/migrations.ts'
import { createVault } from '../../src/tokens/seal.ts'
import { createSQLTokenStore } from '../../src/tokens/sql-token-store.ts'
import { storeFixtures, withDatabase } from './token-store-fixtures.ts'

const vaultKeys = generateVaultKey({ keyId: 'k1' })
const vault = createVault(parseVaultKeys(vaultKeys))
const key = {
  channel: 'business-messages',
  agent: 'brands/1/agents/2',
  conversation: 'c-1',
  provider: 'https://bank.example',
}

const schemaVersion = (known: number, found: number) => (err: unknown) => {
  assert.ok(isBmOAuthError(err, 'ERR_SCHEMA_VERSION'), String(err))
  assert.deepEqual([err.found, err.known, err.status], [found, known, 503])
  return true
}

async function markNewer(db: Database, namespace: string, version: number): Promise<void> {
  await db.query('INSERT INTO schema_migrations (namespace, version, applied_at) VALUES ($1, $2, $3)', [
    namespace,
    version,
    0,
  ])
}

for (const fixture of await storeFixtures()) {
  const options = fixture.skip === undefined ? {} : { skip: fixture.skip }
  describe(`versions: ${fixture.name}`, options, () => {
    test('S13 a schema newer than this release is refused by its migrator and by the agent’s start()', () =>
      withDatabase(fixture, async ({ db }) => {
        const known = (await migrateTokenStore(db)).applied.length
        await markNewer(db, 'tokens', known + 1)
        await assert.rejects(migrateTokenStore(db), schemaVersion(known, known + 1))
        const agent = createAgent({
          channels: [
            businessMessages({
              agents: ['brands/1/agents/2'],
              credentials: { getAccessToken: async () => 'unused', invalidate: () => undefined },
              webhook: { keys: ['webhook-client-token-0123456789'] },
            }),
          ],
          provider: {
            provider: { issuer: 'https://bank.example' },
            client: { clientId: 'c', clientSecret: 's', tokenEndpointAuthMethod: 'client_secret_basic' },
          },
          database: db,
          vaultKeys,
          fetch: async () => {
            throw new Error('start() must refuse before any discovery request')
          },
        })
        await assert.rejects(agent.start(), schemaVersion(known, known + 1))
      }))

    test('S13 a sealed row with a newer envelope version refuses to serve and is kept as it is', () =>
      withDatabase(fixture, async ({ db }) => {
        await migrateTokenStore(db)
        const store = createSQLTokenStore(db, vault)
        await store.put(key, { tokens: { accessToken: 'access-token-1234567890', scopes: ['openid'] } })
        const { rows } = await db.query<{ sealed: Uint8Array }>(`SELECT sealed FROM ${TOKEN_TABLE}`)
        const newer = Buffer.from(rows[0]?.sealed as Uint8Array)
        newer[0] = 2
        await db.query(`UPDATE ${TOKEN_TABLE} SET sealed = $1`, [newer])
        await assert.rejects(store.get(key), schemaVersion(1, 2))
        const after = await db.query<{ sealed: Uint8Array }>(`SELECT sealed FROM ${TOKEN_TABLE}`)
        assert.deepEqual(Buffer.from(after.rows[0]?.sealed as Uint8Array), newer, 'not discarded')
      }))
  })
}
