/**
 * P14 mix-up, end to end: a sign-in prompt is made while the agent is configured with provider A;
 * the user signs in at A; before the code arrives the agent restarts configured with provider B (a
 * second real strict provider). The pending sign-in names A, so the code is never exchanged: no
 * request reaches either token endpoint, and the user gets a fresh prompt (now for B).
 */
import { after, before, test } from 'node:test'
import assert from 'node:assert/strict'
import type { FetchLike } from '../../src/core/fetch.ts'
import { PENDING_SIGNIN_TABLE } from '../../src/signin-store/migrations.ts'
import { startStrictProvider, type RunningProvider } from '../support/strict-provider.ts'
import {
  CLIENT_ID,
  CLIENT_SECRET,
  agentMessages,
  askBalanceAndGetPrompt,
  completeSignIn,
  hasSignInChip,
  openConversation,
  startWorld,
  tapChipAndLogIn,
  waitForHook,
  waitForSettled,
  waitForText,
  type ProviderMetadata,
  type RunningAgent,
  type World,
} from './support.ts'

let world: World
let providerB: RunningProvider
let metadataB: ProviderMetadata
let running: RunningAgent | undefined
const tokenEndpointHits: string[] = []

before(async () => {
  world = await startWorld()
  providerB = await startStrictProvider({ clients: [{ clientId: CLIENT_ID, clientSecret: CLIENT_SECRET }] })
  metadataB = (await (await fetch(`${providerB.issuer}/.well-known/openid-configuration`)).json()) as ProviderMetadata
})
after(async () => {
  await running?.stop()
  await world?.close()
  await providerB?.close()
})

const countingFetch: FetchLike = (input, init) => {
  const url = input instanceof Request ? input.url : String(input)
  if (url === world.metadata.token_endpoint || url === metadataB.token_endpoint) tokenEndpointHits.push(url)
  return world.fetch(input, init)
}

test('P14 a code for a prompt made under provider A is not exchanged after a switch to provider B; a fresh prompt', async () => {
  running = await world.startAgent({ fetch: countingFetch })
  const conversationId = await openConversation(world)
  await askBalanceAndGetPrompt(world, conversationId)
  const location = await tapChipAndLogIn(world, conversationId) // signed in at A; code in hand
  await running.stop()

  running = await world.startAgent({
    fetch: countingFetch,
    provider: {
      provider: { issuer: providerB.issuer },
      client: { clientId: CLIENT_ID, clientSecret: CLIENT_SECRET, tokenEndpointAuthMethod: 'client_secret_basic' },
    },
  })
  const before = tokenEndpointHits.length
  const sent = (await agentMessages(world, conversationId)).length
  await completeSignIn(world, conversationId, location)
  const reply = await waitForText(world, conversationId, /didn't go through/, sent)
  assert.ok(hasSignInChip(reply), 'a fresh chip')
  await waitForSettled(world, running.db, conversationId)
  assert.deepEqual(tokenEndpointHits.slice(before), [], 'no token request to A or B')
  const { rows } = await running.db.query<{ provider: string }>(
    `SELECT provider FROM ${PENDING_SIGNIN_TABLE} WHERE conversation = $1`,
    [conversationId],
  )
  assert.deepEqual(
    rows.map((r) => r.provider),
    [providerB.issuer],
    'the fresh prompt is for the configured provider',
  )
  const failed = await waitForHook(world, 'signInFailed', conversationId)
  assert.deepEqual(
    [failed.reason, failed.detail],
    ['exchange:invalid_grant', 'pending sign-in was for another provider'],
    'refused because the pending sign-in names provider A',
  )
})
