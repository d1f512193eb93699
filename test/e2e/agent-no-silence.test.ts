/**
 * Every accepted user message ends in an answer, a sign-in prompt or an apology, never silence,
 * even when a sealed row was tampered with, a code was injected into another conversation, or the
 * processor gives up on a delivery. End to end through the emulator and the strict provider; the
 * rows are damaged in the agent's own SQLite file (one bit of the ciphertext flipped).
 */
import { randomBytes } from 'node:crypto'
import { after, before, test } from 'node:test'
import assert from 'node:assert/strict'
import { FLOW_STATE_TABLE } from '../../src/agent/flow-state-store.ts'
import { deterministicMessageId } from '../../src/channel/business-messages/outbound.ts'
import { PENDING_SIGNIN_TABLE } from '../../src/signin-store/migrations.ts'
import { StoreError } from '../../src/stores/index.ts'
import { TOKEN_TABLE } from '../../src/tokens/migrations.ts'
import type { Database } from '../../src/index.ts'
import {
  agentMessages,
  askBalanceAndGetPrompt,
  authResponseDeliveries,
  codeExchanges,
  completeSignIn,
  control,
  hasSignInChip,
  openConversation,
  postSigned,
  signInWithBalance,
  startWorld,
  tapChipAndLogIn,
  userSays,
  waitFor,
  waitForHook,
  waitForSettled,
  waitForText,
  type InboxRow,
  type RunningAgent,
  type World,
} from './support.ts'

let world: World
let running: RunningAgent

before(async () => {
  world = await startWorld()
  running = await world.startAgent()
})
after(async () => {
  await running?.stop()
  await world?.close()
})

/** Flips one bit inside the ciphertext of a conversation's sealed row (header, IV and tag untouched). */
async function flipSealedBit(db: Database, table: string, conversationId: string): Promise<void> {
  const { rows } = await db.query<{ sealed: Uint8Array }>(`SELECT sealed FROM ${table} WHERE conversation = $1`, [
    conversationId,
  ])
  assert.equal(rows.length, 1, `one ${table} row to damage`)
  const sealed = Buffer.from((rows[0] as { sealed: Uint8Array }).sealed)
  const at = sealed.length - 17 // the last ciphertext byte, just before the 16-byte tag
  sealed[at] = (sealed[at] as number) ^ 0x01
  const { rowCount } = await db.query(`UPDATE ${table} SET sealed = $1 WHERE conversation = $2`, [
    sealed,
    conversationId,
  ])
  assert.equal(rowCount, 1, 'the damaged row was written back')
}

/** The structured log lines naming a decrypt failure in `table`. */
function decryptFailureLogs(table: string): Array<Record<string, unknown>> {
  return world.logs
    .flatMap((chunk) => chunk.split('\n'))
    .filter((line) => line.trim() !== '')
    .map((line) => JSON.parse(line) as Record<string, unknown>)
    .filter((entry) => entry['errCode'] === 'ERR_TOKEN_VAULT_DECRYPT' && entry['table'] === table)
}

function assertDecryptFailureLogged(table: string): void {
  const [entry] = decryptFailureLogs(table)
  assert.ok(entry !== undefined, `a decrypt failure of ${table} is logged`)
  assert.equal(entry['level'], 50, 'at error level')
  assert.equal(entry['keyId'], 'e2e-k1', 'naming the key id')
  assert.equal(entry['reason'], 'authentication-failed', 'and the reason')
}

/** The newest chip works: signing in with it answers the parked balance question. */
async function assertNewestChipWorks(conversationId: string): Promise<void> {
  const sent = (await agentMessages(world, conversationId)).length
  await completeSignIn(world, conversationId, await tapChipAndLogIn(world, conversationId))
  await waitForText(world, conversationId, /Your balance is/, sent)
}

/** Every delivery of the conversation processed at the first attempt: none retried, none dead-lettered. */
function assertNoRetries(rows: InboxRow[]): void {
  assert.deepEqual(
    rows.filter((r) => r.state !== 'done' || r.attempts !== 1),
    [],
    'no delivery failed or went to the dead letters',
  )
}

test('S10 a flipped bit in the flow-state row → logged, discarded; the next message gets a fresh prompt', async () => {
  const conversationId = await openConversation(world)
  await askBalanceAndGetPrompt(world, conversationId)
  await waitForSettled(world, running.db, conversationId)
  await flipSealedBit(running.db, FLOW_STATE_TABLE, conversationId)

  await askBalanceAndGetPrompt(world, conversationId) // a fresh chip, not silence
  assertNoRetries(await waitForSettled(world, running.db, conversationId))
  assertDecryptFailureLogged(FLOW_STATE_TABLE)
  await assertNewestChipWorks(conversationId)
})

test('S12 a flipped bit in a stored token set → logged with table, key id and reason; read as signed out, a prompt', async () => {
  const conversationId = await openConversation(world)
  await signInWithBalance(world, conversationId)
  await waitForSettled(world, running.db, conversationId)
  await flipSealedBit(running.db, TOKEN_TABLE, conversationId)

  await askBalanceAndGetPrompt(world, conversationId)
  assertNoRetries(await waitForSettled(world, running.db, conversationId))
  assertDecryptFailureLogged(TOKEN_TABLE)
  const { text: metrics } = await running.agent.metrics()
  assert.match(
    metrics,
    new RegExp(
      `^bm_oauth_vault_decrypt_failures_total\\{table="${TOKEN_TABLE}",reason="authentication-failed"\\} [1-9]`,
      'm',
    ),
    'and counted in the metrics',
  )
  await assertNewestChipWorks(conversationId)
})

test('S11 a flipped bit in the pending sign-in row → logged; the code is not exchanged; a fresh prompt that works', async () => {
  const conversationId = await openConversation(world)
  const count = await askBalanceAndGetPrompt(world, conversationId)
  const location = await tapChipAndLogIn(world, conversationId)
  await waitForSettled(world, running.db, conversationId)
  await flipSealedBit(running.db, PENDING_SIGNIN_TABLE, conversationId)
  const exchangesBefore = codeExchanges(world).length

  await completeSignIn(world, conversationId, location)
  const reply = await waitForText(world, conversationId, /didn't go through/, count)
  assert.ok(hasSignInChip(reply), 'a fresh chip')
  assertNoRetries(await waitForSettled(world, running.db, conversationId))
  assert.equal(codeExchanges(world).length, exchangesBefore, 'no token request without a readable verifier')
  assertDecryptFailureLogged(PENDING_SIGNIN_TABLE)
  const failed = await waitForHook(world, 'signInFailed', conversationId)
  assert.equal(failed.reason, 'code:pending-unreadable')
  await assertNewestChipWorks(conversationId)
})

test("X12 a code minted for A, injected into B (invalid_grant there) → A's own delivery tells A and re-prompts", async () => {
  const victim = await openConversation(world)
  const attacker = await openConversation(world)
  const victimCount = await askBalanceAndGetPrompt(world, victim)
  const attackerCount = await askBalanceAndGetPrompt(world, attacker)
  const location = await tapChipAndLogIn(world, victim)
  await control(world, 'faults', { webhook: { delayMs: 600_000 } }, 'PATCH')
  try {
    await completeSignIn(world, victim, location) // the victim's own delivery is held back
  } finally {
    await control(world, 'faults', { webhook: { delayMs: 0 } }, 'PATCH')
  }
  const held = await waitFor('the held delivery', async () => (await authResponseDeliveries(world, victim))[0])
  assert.equal(held.status, 'pending', 'the delay fault fired: the real delivery is held')
  const exchangesBefore = codeExchanges(world).length

  // The attacker replays the victim's code in their own conversation: exchanged with B's verifier.
  const requestId = `injected-${randomBytes(4).toString('hex')}`
  const injected = { ...(JSON.parse(held.body) as Record<string, unknown>), conversationId: attacker, requestId }
  assert.equal(await postSigned(world, JSON.stringify(injected)), 200)
  await waitForText(world, attacker, /didn't go through/, attackerCount)
  const attackerFailed = await waitForHook(world, 'signInFailed', attacker)
  assert.equal(attackerFailed.reason, 'exchange:invalid_grant', 'B was refused by the provider')

  // The victim's own delivery of that code (the held bytes, as Google would send them).
  assert.equal(await postSigned(world, held.body), 200)
  const reply = await waitForText(world, victim, /didn't go through/, victimCount)
  assert.ok(hasSignInChip(reply), 'the victim gets a fresh chip')
  const failed = await waitForHook(world, 'signInFailed', victim)
  assert.equal(failed.reason, 'code:used-elsewhere')
  assert.equal(codeExchanges(world).length - exchangesBefore, 1, "one token request (B's); the code never again")
  await assertNewestChipWorks(victim)
})

test('W20 a delivery the processor gives up on → the user gets the apology, once, with a deterministic id', async () => {
  await running.stop()
  running = await world.startAgent({ maxDeliveryAttempts: 2 })
  let calls = 0
  running.agent.onMessage(async () => {
    calls++
    throw new StoreError('database is locked', { dialect: 'sqlite', dbCode: 'SQLITE_BUSY', uniqueViolation: false })
  })
  const conversationId = await openConversation(world)
  await userSays(world, conversationId, 'hello')
  const apology = await waitForText(world, conversationId, /Something went wrong on our side/)
  assert.equal(apology.content.text, 'Something went wrong on our side — please ask again.')
  const rows = await waitForSettled(world, running.db, conversationId)
  assert.deepEqual(
    rows.map((r) => [r.state, r.attempts, r.lastError]),
    [['dead', 2, 'ERR_STORE']],
    'the delivery failed twice and was given up',
  )
  assert.equal(calls, 2, 'the handler ran on each attempt')
  const deliveryId = (rows[0] as InboxRow).id
  const expectedId = deterministicMessageId({ conversationId, deliveryId, index: 0, salt: 'apology' })
  assert.equal(apology.content.messageId, expectedId, 'the id is fixed by the delivery')
  const said = (await agentMessages(world, conversationId)).map((m) => m.content.text)
  assert.deepEqual(said, ['Something went wrong on our side — please ask again.'], 'only the apology, once')
})
