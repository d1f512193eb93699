/**
 * S5 / P5: after a full run — sign-in, refresh, a refused refresh, sign-out, a cancelled sign-in, a
 * duplicated code — no access token, refresh token, ID token, authorization code, PKCE verifier,
 * client secret, vault key or webhook client token appears in the agent's logs (debug level), in
 * anything the agent said in the conversation, or in the raw bytes of its SQLite files (WAL too).
 */
import { after, before, test } from 'node:test'
import assert from 'node:assert/strict'
import { readFile } from 'node:fs/promises'
import {
  CLIENT_SECRET,
  agentMessages,
  askBalanceAndGetPrompt,
  authResponseDeliveries,
  completeSignIn,
  control,
  openConversation,
  revokeAtProvider,
  signInWithBalance,
  startWorld,
  storedTokens,
  tapChipAndLogIn,
  userSays,
  waitForText,
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

test('S5 P5 no token, code, verifier, client secret or key in logs, replies or raw database bytes', async () => {
  running = await world.startAgent({ refreshAheadMs: 2 * 60 * 60_000 })
  const conversationId = await openConversation(world)
  // Sign-in (with a duplicated code delivery) and a refresh before the answer.
  const count = await askBalanceAndGetPrompt(world, conversationId)
  const location = await tapChipAndLogIn(world, conversationId)
  await control(world, 'faults', { webhook: { duplicate: 1 } }, 'PATCH')
  await completeSignIn(world, conversationId, location)
  await waitForText(world, conversationId, /Your balance is/, count)
  await control(world, 'faults', { webhook: { duplicate: 0 } }, 'PATCH')
  assert.equal((await authResponseDeliveries(world, conversationId)).length, 2, 'the duplicate fault fired')
  // A refused refresh, then a reconnect.
  const record = await storedTokens(world, running.db, conversationId)
  await revokeAtProvider(world, record!.tokens!.refreshToken!)
  let settled = (await agentMessages(world, conversationId)).length
  await userSays(world, conversationId, 'What is my balance?')
  await waitForText(world, conversationId, /disconnected/, settled)
  settled = (await agentMessages(world, conversationId)).length
  await completeSignIn(world, conversationId, await tapChipAndLogIn(world, conversationId))
  await waitForText(world, conversationId, /Your balance is/, settled)
  // Sign-out (revocation), then a cancelled sign-in.
  settled = (await agentMessages(world, conversationId)).length
  await userSays(world, conversationId, 'sign out')
  await waitForText(world, conversationId, /signed out/, settled)
  await askBalanceAndGetPrompt(world, conversationId)
  await control(world, `conversations/${conversationId}/signin/start`, { surface: 'android' })
  await control(world, `conversations/${conversationId}/signin/cancel`, {})
  await waitForText(world, conversationId, /cancelled/)
  // A second conversation left mid-sign-in (a pending verifier in the store).
  const other = await openConversation(world)
  await signInWithBalance(world, other)
  await askBalanceAndGetPrompt(world, await openConversation(world))
  await running.stop()
  running = undefined

  const secrets = new Map<string, string>()
  for (const value of world.secrets) secrets.set(value, 'wire secret (code, verifier or token)')
  secrets.set(CLIENT_SECRET, 'client secret')
  secrets.set(world.clientToken, 'webhook client token')
  secrets.set(world.vaultKeys.split(':')[1]!, 'vault key material')
  const kinds = [...world.secrets].length
  assert.ok(kinds >= 10, `the run produced codes, verifiers and tokens to look for (${kinds})`)

  const logs = world.logs.join('')
  assert.ok(logs.length > 0)
  const said =
    JSON.stringify(await agentMessages(world, conversationId)) + JSON.stringify(await agentMessages(world, other))
  const files = await Promise.all(
    ['', '-wal', '-shm'].map((suffix) => readFile(world.dbPath + suffix).catch(() => Buffer.alloc(0))),
  )
  const raw = Buffer.concat(files)
  assert.ok(
    raw.includes(Buffer.from(conversationId)),
    'the grep reads the agent database (its conversation ids are there)',
  )
  const leaks: string[] = []
  for (const [secret, what] of secrets) {
    if (logs.includes(secret)) leaks.push(`${what} in logs`)
    if (said.includes(secret)) leaks.push(`${what} in the conversation`)
    if (raw.includes(Buffer.from(secret, 'utf8'))) leaks.push(`${what} in the SQLite bytes`)
  }
  assert.deepEqual(leaks, [])
})
