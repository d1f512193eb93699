/**
 * W18 routing by agent, end to end (docs/api.md §5): one partner webhook serves two listed agents
 * of the emulator. A correctly signed event for `brands/999/agents/999` (and one without `agent`)
 * is acknowledged and ignored: no inbox row, so nothing is ever processed, answered or stored. Each
 * listed agent answers its own conversation, and its state is stored under its own name.
 */
import assert from 'node:assert/strict'
import { after, before, test } from 'node:test'
import {
  ServiceAccountCredentials,
  readServiceAccountKey,
  BusinessCommunicationsClient,
} from '../../src/google/index.ts'
import { businessMessages } from '../../src/index.ts'
import { PENDING_SIGNIN_TABLE } from '../../src/signin-store/migrations.ts'
import { createSQLTokenStore, createVault, parseVaultKeys } from '../../src/stores/index.ts'
import {
  askBalanceAndGetPrompt,
  control,
  inboxRows,
  openConversation,
  postSigned,
  signInWithBalance,
  startWorld,
  waitForSettled,
  type RunningAgent,
  type World,
} from './support.ts'

const FOREIGN = 'brands/999/agents/999'

let world: World
let running: RunningAgent | undefined
let agentA: string
let agentB: string

before(async () => {
  world = await startWorld()
  agentA = world.emulator.agentName
  agentB = await createEmulatorAgent(world)
  running = await world.startAgent({
    channels: [
      businessMessages({
        agents: [agentA, agentB],
        credentials: { keyFile: world.emulator.keyFilePath },
        baseUrl: world.emulator.url,
        webhook: { keys: [world.clientToken], clientToken: world.clientToken },
      }),
    ],
  })
})
after(async () => {
  await running?.stop()
  await world?.close()
})

/** A second agent of the emulator's brand (same partner webhook), with the provider as its sign-in endpoint. */
async function createEmulatorAgent(w: World): Promise<string> {
  const key = await readServiceAccountKey(w.emulator.keyFilePath)
  const credentials = new ServiceAccountCredentials(key, { scopes: ['businesscommunications'] })
  const brand = w.emulator.agentName.split('/agents/')[0]
  const res = await fetch(`${w.emulator.url}/v1/${brand}/agents`, {
    method: 'POST',
    headers: { authorization: `Bearer ${await credentials.getAccessToken()}`, 'content-type': 'application/json' },
    body: JSON.stringify({ displayName: 'Second bank', businessMessagesAgent: { customAgentId: 'second' } }),
  })
  assert.equal(res.status, 200)
  const name = ((await res.json()) as { name: string }).name
  const bc = new BusinessCommunicationsClient({ credentials, baseUrl: w.emulator.url })
  await bc.setAuthorizationEndpoint(name, w.metadata.authorization_endpoint)
  return name
}

function openConversationOf(w: World, agent: string): Promise<string> {
  return control<{ conversationId: string }>(w, 'conversations', { displayName: 'Bob', agent }).then(
    (c) => c.conversationId,
  )
}

async function flowStateAgents(conversationId: string): Promise<string[]> {
  const { rows } = await (running as RunningAgent).db.query<{ agent: string }>(
    'SELECT agent FROM bm_flow_states WHERE conversation = $1',
    [conversationId],
  )
  return rows.map((r) => r.agent)
}

test('W18 a signed event for a foreign agent, or without agent, is acked and never recorded, answered or stored', async () => {
  const db = (running as RunningAgent).db
  const conversationId = await openConversation(world) // a real conversation of agent A
  await waitForSettled(world, db, conversationId)
  const before = (await inboxRows(db, conversationId)).length
  const payload = (fields: Record<string, unknown>, id: string): string =>
    JSON.stringify({
      ...fields,
      conversationId,
      requestId: id,
      message: { messageId: `m-${id}`, text: 'Hi, I am Mallory', createTime: new Date().toISOString() },
      context: { userDisplayName: 'Mallory' },
      sendTime: new Date().toISOString(),
    })
  assert.equal(await postSigned(world, payload({ agent: FOREIGN }, 'foreign-1')), 200)
  assert.equal(await postSigned(world, payload({}, 'no-agent-1')), 200)
  // The ack is given after the decision: no row means the processor can never see these events.
  assert.equal((await inboxRows(db, conversationId)).length, before)
  const ignored = world.logs
    .map((line) => JSON.parse(line) as Record<string, unknown>)
    .filter((l) => l['msg'] === 'webhook event for an agent not served here; acknowledged and ignored')
  assert.deepEqual(
    ignored.map((l) => [l['channel'], l['agent']]),
    [
      ['business-messages', FOREIGN],
      ['business-messages', undefined],
    ],
  )
  assert.doesNotMatch(JSON.stringify(ignored), /Mallory/, 'never the content')
  const { rows } = await db.query(`SELECT agent FROM ${PENDING_SIGNIN_TABLE} WHERE agent = $1`, [FOREIGN])
  assert.deepEqual(rows, [])
  const states = await db.query('SELECT agent FROM bm_flow_states WHERE agent = $1', [FOREIGN])
  assert.deepEqual(states.rows, [])
  assert.deepEqual(await flowStateAgents(conversationId), [], 'agent A was not made to answer either')
})

test('W18 two listed agents each answer their own conversation and keep their own state', async () => {
  const db = (running as RunningAgent).db
  const onA = await openConversationOf(world, agentA)
  const onB = await openConversationOf(world, agentB)
  await askBalanceAndGetPrompt(world, onA)
  await signInWithBalance(world, onB)
  await waitForSettled(world, db, onA)
  await waitForSettled(world, db, onB)
  const { rows } = await db.query<{ agent: string; conversation: string }>(
    `SELECT agent, conversation FROM ${PENDING_SIGNIN_TABLE} WHERE conversation IN ($1, $2)`,
    [onA, onB],
  )
  assert.deepEqual(rows, [{ agent: agentA, conversation: onA }], 'A prompted (pending); B signed in (consumed)')
  assert.deepEqual(await flowStateAgents(onA), [agentA])
  assert.deepEqual(await flowStateAgents(onB), [agentB])
  const tokens = createSQLTokenStore(db, createVault(parseVaultKeys(world.vaultKeys)))
  const provider = world.provider.issuer
  assert.equal(
    (await tokens.get({ channel: 'business-messages', agent: agentB, conversation: onB, provider }))?.status,
    'active',
  )
  assert.equal(
    await tokens.get({ channel: 'business-messages', agent: agentA, conversation: onB, provider }),
    undefined,
  )
})
