/**
 * S9 `bm-oauth migrate` on a SQLite file the previous release wrote (a conversation state sealed
 * without the channel): the operator commands refuse the older schema and name the command; the
 * command migrates and re-seals, the row reads under its channel key, and a second run has nothing
 * left to do.
 */
import assert from 'node:assert/strict'
import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { test } from 'node:test'
import { createFlowStateStore, flowStateMigrations } from '../../src/agent/flow-state-store.ts'
import { migrate } from '../../src/db/migrate.ts'
import { openSQLiteDatabase } from '../../src/db/sqlite.ts'
import { generateVaultKey, parseVaultKeys } from '../../src/tokens/keyring.ts'
import { createVault } from '../../src/tokens/seal.ts'
import { run } from './ops-support.ts'

test('S9 bm-oauth migrate re-seals a previous release’s rows; other commands refuse until it ran', async (t) => {
  const dir = await mkdtemp(join(tmpdir(), 'bm-oauth-migrate-'))
  t.after(() => rm(dir, { recursive: true, force: true }))
  const keys = generateVaultKey({ keyId: 'k1' })
  const vault = createVault(parseVaultKeys(keys))
  const env = { BM_OAUTH_SQLITE_PATH: join(dir, 'agent.sqlite'), BM_OAUTH_VAULT_KEYS: keys }
  const record = { state: { kind: 'signed-out' } }
  const db = openSQLiteDatabase(env.BM_OAUTH_SQLITE_PATH)
  try {
    await migrate(db, 'agent_flow_state', flowStateMigrations.slice(0, 1))
    const sealed = vault.seal(JSON.stringify(record), {
      purpose: 'flow-state',
      agent: 'brands/1/agents/2',
      conversation: 'c-1',
    })
    await db.query(
      "INSERT INTO bm_flow_states (agent, conversation, version, key_id, sealed, updated_at) VALUES ('brands/1/agents/2', 'c-1', 1, 'k1', $1, 0)",
      [sealed],
    )
  } finally {
    await db.close()
  }

  const refused = await run(['signins', 'list', '--json'], env)
  assert.notEqual(refused.code, 0)
  assert.match(refused.stderr, /bm-oauth migrate/)

  const migrated = await run(['migrate', '--json'], env)
  assert.equal(migrated.code, 0, migrated.stderr)
  assert.deepEqual((JSON.parse(migrated.stdout) as { applied: Record<string, number[]> }).applied.agent_flow_state, [2])
  const again = await run(['migrate'], env)
  assert.equal(again.stdout.trim(), 'The database is up to date.')

  const reopened = openSQLiteDatabase(env.BM_OAUTH_SQLITE_PATH)
  try {
    const key = { channel: 'business-messages', agent: 'brands/1/agents/2', conversation: 'c-1' }
    assert.deepEqual(await createFlowStateStore(reopened, vault, () => 0).get(key), { record, version: 1 })
  } finally {
    await reopened.close()
  }
})
