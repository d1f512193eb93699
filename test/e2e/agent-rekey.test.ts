/**
 * S3 end to end: a vault key rotation with `bm-oauth rekey` re-seals every sealed table (token sets,
 * pending sign-ins, conversation states, queued revocations), so that once the old key is removed
 * an agent holding ONLY the new key still answers a signed-in user, and still owes its revocations.
 */
import { after, before, test } from 'node:test'
import assert from 'node:assert/strict'
import { createFlowStateStore } from '../../src/agent/flow-state-store.ts'
import { generateVaultKey } from '../../src/stores/index.ts'
import { openSQLiteDatabase } from '../../src/index.ts'
import { parseVaultKeys } from '../../src/tokens/keyring.ts'
import { createRevocationQueue } from '../../src/tokens/revocation-queue.ts'
import { createVault } from '../../src/tokens/seal.ts'
import { run } from '../cli/ops-support.ts'
import {
  agentMessages,
  hasSignInChip,
  openConversation,
  signInWithBalance,
  startWorld,
  userSays,
  waitForText,
  waitForSettled,
  type RunningAgent,
  type World,
} from './support.ts'

let world: World
let running: RunningAgent | undefined

before(async () => {
  world = await startWorld()
})
after(async () => {
  await running?.stop()
  await world?.close()
})

test('S3 rekey re-seals conversation states and queued revocations: an agent with only the new key answers a signed-in user', async () => {
  running = await world.startAgent()
  const conversationId = await openConversation(world)
  await signInWithBalance(world, conversationId)
  await running.stop()
  running = undefined

  const agent = world.emulator.agentName
  const provider = world.provider.issuer
  const newKey = generateVaultKey({ keyId: 'e2e-k2' })
  const db = openSQLiteDatabase(world.dbPath)
  try {
    const owed = {
      channel: 'business-messages',
      agent,
      provider,
      token: 'rt-still-owed-0123456789',
      tokenTypeHint: 'refresh_token',
    } as const
    await createRevocationQueue(db, createVault(parseVaultKeys(world.vaultKeys))).enqueue(owed, Date.now(), 0)

    const out = await run(['rekey', '--json'], {
      BM_OAUTH_SQLITE_PATH: world.dbPath,
      BM_OAUTH_VAULT_KEYS: `${newKey},${world.vaultKeys}`,
    })
    assert.equal(out.code, 0, out.stderr + out.stdout)
    const report = JSON.parse(out.stdout)
    assert.deepEqual(
      { failed: report.failed, remaining: report.remaining, inbox: report.inboxUnderOldKeys },
      { failed: 0, remaining: 0, inbox: 0 },
    )
    assert.equal(report.flowStates.rekeyed, 1, 'the conversation state')
    assert.equal(report.revocations.rekeyed, 1, 'the queued revocation')
    assert.equal(report.tokens.rekeyed, 1)

    const onlyNew = createVault(parseVaultKeys(newKey))
    const stored = await createFlowStateStore(db, onlyNew, Date.now).get({
      channel: 'business-messages',
      agent,
      conversation: conversationId,
    })
    assert.equal(stored?.record.state.kind, 'signed-in')
    const [claimed] = await createRevocationQueue(db, onlyNew).claimDue(
      { channel: 'business-messages', agent },
      provider,
      Date.now(),
      {
        leaseMs: 0,
        limit: 10,
      },
    )
    assert.equal(claimed?.token, owed.token)
  } finally {
    await db.close()
  }

  running = await world.startAgent({ vaultKeys: newKey }) // the old key is removed
  const settled = (await agentMessages(world, conversationId)).length
  await userSays(world, conversationId, 'What is my balance?')
  await waitForText(world, conversationId, /Your balance is/, settled)
  await waitForSettled(world, running.db, conversationId) // then nothing more is said
  const after = (await agentMessages(world, conversationId)).slice(settled)
  assert.ok(!after.some(hasSignInChip), 'answered without a new sign-in')
})
