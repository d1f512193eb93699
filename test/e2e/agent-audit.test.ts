/**
 * The access log a user can read (docs/operations.md, "Audit trail"): a sign-in and a balance
 * question through the emulator and the strict provider leave a grant entry and an access entry
 * (purpose, origin, redacted path, status) — and no secret; the user asking "what have you
 * accessed?" gets them as text; erasing the conversation keeps one entry without its id.
 */
import { after, before, test } from 'node:test'
import assert from 'node:assert/strict'
import { createAuditLog } from '../../src/audit/audit-log.ts'
import {
  agentMessages,
  openConversation,
  signInWithBalance,
  startWorld,
  userSays,
  waitForSettled,
  waitForText,
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

test('every use of the tokens and every grant event is in the access log, readable by the user, erasable', async () => {
  const conversationId = await openConversation(world)
  const count = await signInWithBalance(world, conversationId)
  await waitForSettled(world, running.db, conversationId)
  const key = { channel: 'business-messages', agent: world.emulator.agentName, conversation: conversationId }
  const log = createAuditLog(running.db)
  const entries = await log.list(key)
  const userinfo = new URL(world.metadata.userinfo_endpoint)
  assert.deepEqual(
    entries.map((e) => (e.kind === 'access' ? [e.kind, e.purpose, e.method, e.origin, e.outcome] : [e.kind, e.event])),
    [
      ['access', 'read balance', 'GET', userinfo.origin, '200'],
      ['grant', 'granted'],
    ],
  )
  const serialized = JSON.stringify(entries)
  for (const secret of world.secrets) assert.ok(!serialized.includes(secret), 'no token or code in the log')

  await userSays(world, conversationId, 'What have you accessed?')
  const answer = await waitForText(world, conversationId, /What I did with your account access/, count)
  assert.match(answer.content.text ?? '', /read balance \(GET http:\/\/127\.0\.0\.1:\d+\/\S* 200\)/)
  assert.match(answer.content.text ?? '', /access granted by you/)
  assert.equal((await agentMessages(world, conversationId)).length, count + 1)

  assert.equal(await log.erase(key, Date.now()), 2)
  assert.deepEqual(await log.list(key), [])
  const { rows } = await running.db.query<{ conversation: string; kind: string }>(
    "SELECT conversation, kind FROM bm_audit_log WHERE kind = 'erased'",
  )
  assert.equal(rows.length, 1)
  assert.doesNotMatch(rows[0]?.conversation ?? '', new RegExp(conversationId), 'the erasure keeps no conversation id')
})
