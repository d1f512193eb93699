/**
 * S9 the channel key migration (issue 9 item 2) on every engine: a database created by the
 * previous release's migrations, with a row in every table sealed under the previous seal contexts,
 * is refused by a plain `start()`-style migration (`ERR_SCHEMA_VERSION`, nothing changed), then
 * migrated by `bm-oauth migrate`'s path (with the vault): every row is readable under its
 * (channel, agent, conversation) key, and a sealed row copied to another channel's same key fails
 * to open.
 */
import assert from 'node:assert/strict'
import { describe, test } from 'node:test'
import { createFlowStateStore, flowStateMigrations } from '../../src/agent/flow-state-store.ts'
import { migrateAgentStores } from '../../src/agent/store-migrations.ts'
import { migrate } from '../../src/db/migrate.ts'
import type { Database } from '../../src/db/queryable.ts'
import { isBmOAuthError } from '../../src/errors.ts'
import { createExchangeMarkers } from '../../src/signin-store/exchange-markers.ts'
import { signInStoreMigrations } from '../../src/signin-store/migrations.ts'
import { createPendingSignInStore } from '../../src/signin-store/pending-signins.ts'
import { generateVaultKey, parseVaultKeys } from '../../src/tokens/keyring.ts'
import { tokenStoreMigrations } from '../../src/tokens/migrations.ts'
import { createRevocationQueue, revocationQueueMigrations } from '../../src/tokens/revocation-queue.ts'
import { createVault } from '../../src/tokens/seal.ts'
import { createSQLTokenStore } from '../../src/tokens/sql-token-store.ts'
import { migrateInbox } from '../../src/webhook/inbox-schema.ts'
import { storeFixtures, withDatabase } from './token-store-fixtures.ts'

const vault = createVault(parseVaultKeys(generateVaultKey({ keyId: 'k1' })))
const AGENT = 'brands/1/agents/2'
const PROVIDER = 'https://bank.example'
const BM = { channel: 'business-messages', agent: AGENT, conversation: 'conv-1' }
const WA = { ...BM, channel: 'whatsapp' }
const T0 = Date.parse('2026-01-01T00:00:00Z')
const tokenSet = { accessToken: 'access-token-before-migration', scopes: ['openid'] }
const flowRecord = { state: { kind: 'signed-in', scopes: ['openid'], subject: 'alice' } }

/** The previous release's schema: each store's migrations before issue 9. */
async function previousRelease(db: Database): Promise<void> {
  await migrate(db, 'tokens', tokenStoreMigrations.slice(0, 1))
  await migrate(db, 'signin_store', signInStoreMigrations.slice(0, 1))
  await migrate(db, 'agent_flow_state', flowStateMigrations.slice(0, 1))
  await migrate(db, 'revocation_queue', revocationQueueMigrations.slice(0, 2))
  await migrateInbox(db)
}

/** Rows as the previous release wrote them: sealed without the channel in the context. */
async function previousRows(db: Database): Promise<void> {
  const legacy = { agent: AGENT, conversation: 'conv-1' }
  await db.query(
    `INSERT INTO bm_token_sets (agent, conversation, provider, subject, scopes, status, version, key_id, sealed,
                                expires_at, refresh_lease_until, created_at, updated_at)
     VALUES ($1, $2, $3, 'alice', 'openid', 'active', 1, 'k1', $4, NULL, NULL, $5, $5)`,
    [
      AGENT,
      'conv-1',
      PROVIDER,
      vault.seal(JSON.stringify(tokenSet), { purpose: 'token-set', ...legacy, provider: PROVIDER }),
      T0,
    ],
  )
  const verifier = { codeVerifier: `verifier-${'v'.repeat(43)}`, question: 'my balance?' }
  await db.query(
    `INSERT INTO bm_pending_signins (agent, conversation, provider, scopes, key_id, sealed, attempts, created_at, expires_at)
     VALUES ($1, $2, $3, 'openid', 'k1', $4, 1, $5, $6)`,
    [
      AGENT,
      'conv-1',
      PROVIDER,
      vault.seal(JSON.stringify(verifier), { purpose: 'pending-signin', ...legacy, provider: PROVIDER }),
      T0,
      T0 + 600_000,
    ],
  )
  await db.query(
    `INSERT INTO bm_flow_states (agent, conversation, version, key_id, sealed, updated_at) VALUES ($1, $2, 3, 'k1', $3, $4)`,
    [AGENT, 'conv-1', vault.seal(JSON.stringify(flowRecord), { purpose: 'flow-state', ...legacy }), T0],
  )
  await db.query(
    'INSERT INTO bm_exchange_markers (code_hash, agent, conversation, claimed_at) VALUES ($1, $2, $3, $4)',
    ['hash-1', AGENT, 'conv-1', T0],
  )
  const revocation = {
    purpose: 'pending-revocation',
    id: 'rev-1',
    agent: AGENT,
    provider: PROVIDER,
    hint: 'refresh_token',
  }
  await db.query(
    `INSERT INTO bm_pending_revocations (id, agent, provider, token_type_hint, key_id, sealed, state, attempts,
                                         available_at, lease_until, created_at)
     VALUES ('rev-1', $1, $2, 'refresh_token', 'k1', $3, 'pending', 1, $4, NULL, $4)`,
    [AGENT, PROVIDER, vault.seal('refresh-token-to-revoke', revocation), T0],
  )
}

const countOf = async (db: Database, table: string): Promise<number> =>
  Number((await db.query<{ n: number | string }>(`SELECT COUNT(*) AS n FROM ${table}`)).rows[0]?.n)

for (const fixture of await storeFixtures()) {
  const options = fixture.skip === undefined ? {} : { skip: fixture.skip }
  describe(`channel migration: ${fixture.name}`, options, () => {
    test('S9 without the vault an older schema with rows is refused; nothing is changed', () =>
      withDatabase(fixture, async ({ db }) => {
        await previousRelease(db)
        await previousRows(db)
        await assert.rejects(migrateAgentStores(db), (err: unknown) => {
          assert.ok(isBmOAuthError(err, 'ERR_SCHEMA_VERSION'), String(err))
          assert.deepEqual([err.subject, err.found, err.known], ['tokens', 1, 2])
          return true
        })
        const { rows } = await db.query<{ n: number | string }>(
          "SELECT COUNT(*) AS n FROM schema_migrations WHERE namespace = 'tokens'",
        )
        assert.equal(Number(rows[0]?.n), 1, 'the failed migration left no version behind')
        assert.equal(await countOf(db, 'bm_token_sets'), 1)
      }))

    test('S9 S1 migrated with the vault: every row reads under its channel key; a copy to another channel fails', () =>
      withDatabase(fixture, async ({ db }) => {
        await previousRelease(db)
        await previousRows(db)
        const applied = await migrateAgentStores(db, { vault })
        assert.deepEqual(
          { ...applied },
          {
            tokens: [2],
            signin_store: [2],
            agent_flow_state: [2],
            revocation_queue: [3],
            webhook_inbox: [],
            audit_log: [1],
          },
        )
        const tokens = createSQLTokenStore(db, vault)
        const pending = createPendingSignInStore(db, vault)
        const states = createFlowStateStore(db, vault, () => T0)
        const grant = await tokens.get({ ...BM, provider: PROVIDER })
        assert.equal(grant?.tokens?.accessToken, tokenSet.accessToken)
        assert.equal(grant?.channel, 'business-messages')
        assert.equal((await pending.get(BM, T0 + 1))?.codeVerifier, `verifier-${'v'.repeat(43)}`)
        assert.deepEqual(await states.get(BM), { record: flowRecord, version: 3 })
        const marker = await db.query<{ channel: string }>('SELECT channel FROM bm_exchange_markers')
        assert.deepEqual(
          marker.rows.map((r) => r.channel),
          ['business-messages'],
        )
        const [owed] = await createRevocationQueue(db, vault).claimDue(BM, PROVIDER, T0, { leaseMs: 1, limit: 10 })
        assert.deepEqual(
          [owed?.id, owed?.channel, owed?.token],
          ['rev-1', 'business-messages', 'refresh-token-to-revoke'],
        )
        assert.ok(await createExchangeMarkers(db).claim('b'.repeat(64), T0, WA))
        const claimed = await db.query<{ channel: string }>(
          'SELECT channel FROM bm_exchange_markers WHERE code_hash = $1',
          ['b'.repeat(64)],
        )
        assert.deepEqual(
          claimed.rows.map((r) => r.channel),
          ['whatsapp'],
        )
        assert.equal((await migrateAgentStores(db)).tokens?.length, 0, 'a plain start() now finds it current')

        // The same row under another channel's same agent and conversation: its seal does not open there.
        for (const [table, columns] of [
          [
            'bm_token_sets',
            'agent, conversation, provider, subject, scopes, status, version, key_id, sealed, expires_at, refresh_lease_until, created_at, updated_at',
          ],
          ['bm_flow_states', 'agent, conversation, version, key_id, sealed, updated_at'],
          [
            'bm_pending_signins',
            'agent, conversation, provider, scopes, key_id, sealed, attempts, created_at, expires_at',
          ],
        ] as const) {
          await db.query(`INSERT INTO ${table} (channel, ${columns}) SELECT 'whatsapp', ${columns} FROM ${table}`)
        }
        const decrypt = (err: unknown) => isBmOAuthError(err, 'ERR_TOKEN_VAULT_DECRYPT')
        await assert.rejects(tokens.get({ ...WA, provider: PROVIDER }), decrypt)
        // A flow state that does not open is discarded (S10): the copy reads as signed out, not as the moved state.
        assert.equal((await states.get(WA))?.record.state.kind, 'signed-out')
        await assert.rejects(pending.get(WA, T0 + 1), decrypt)
        assert.equal((await tokens.get({ ...BM, provider: PROVIDER }))?.tokens?.accessToken, tokenSet.accessToken)
      }))
  })
}
