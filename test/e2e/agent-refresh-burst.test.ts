/**
 * R1 end to end on one agent: the access token has expired (the agent's injected clock moved past
 * it) and one handler invocation fires 50 concurrent `getAccessToken()` / `session.fetch()` calls.
 * Exactly one `grant_type=refresh_token` request reaches the real strict provider, and every caller
 * gets (or sends) the new access token.
 */
import { after, before, test } from 'node:test'
import assert from 'node:assert/strict'
import { OffsetClock } from '../../src/core/clock.ts'
import type { FetchLike } from '../../src/core/fetch.ts'
import { burstHandler, type BurstResult } from './burst-handler.ts'
import {
  openConversation,
  signInWithBalance,
  startWorld,
  storedTokens,
  userSays,
  waitForSettled,
  waitForText,
  type RunningAgent,
  type World,
} from './support.ts'

let world: World
let running: RunningAgent
const clock = new OffsetClock()
const results: BurstResult[] = []
/** Bearer tokens the agent sent to the account API. */
const bearers: string[] = []

before(async () => {
  world = await startWorld()
  const fetch: FetchLike = (input, init) => {
    const url = input instanceof Request ? input.url : String(input)
    const authorization = new Headers(init?.headers).get('authorization')
    if (url === world.metadata.userinfo_endpoint && authorization !== null)
      bearers.push(authorization.replace(/^Bearer /, ''))
    return world.fetch(input, init)
  }
  running = await world.startAgent({ clock, fetch })
  running.agent.onMessage(
    burstHandler({
      instance: 'one',
      accountUrl: world.metadata.userinfo_endpoint,
      calls: 50,
      withFetch: true,
      results,
    }),
  )
})
after(async () => {
  await running?.stop()
  await world?.close()
})

const refreshRequests = (): number => world.tokenRequests.filter((r) => r.grantType === 'refresh_token').length

test('R1 50 concurrent getAccessToken/fetch calls on an expired access token → one refresh request; all get the new token', async () => {
  const conversationId = await openConversation(world)
  const settled = await signInWithBalance(world, conversationId)
  const old = (await storedTokens(world, running.db, conversationId))!.tokens!
  assert.ok(old.expiresAt !== undefined && old.refreshToken !== undefined)
  clock.advance(old.expiresAt - clock.now() + 5_000) // 5 s past expiry, in the agent's eyes only
  const refreshesBefore = refreshRequests()
  const bearersBefore = bearers.length

  await userSays(world, conversationId, 'burst')
  await waitForText(world, conversationId, /burst done: 50 calls/, settled)
  // The `refreshed` hook runs after the handler's reply, in the same delivery: wait for it to finish.
  await waitForSettled(world, running.db, conversationId)

  assert.equal(refreshRequests() - refreshesBefore, 1, 'exactly one grant_type=refresh_token request')
  const renewed = (await storedTokens(world, running.db, conversationId))!.tokens!
  assert.notEqual(renewed.accessToken, old.accessToken)
  const [burst] = results
  assert.equal(burst?.failures.length, 0)
  assert.equal(burst?.tokens.length, 25)
  assert.ok(
    burst?.tokens.every((t) => t === renewed.accessToken),
    'every getAccessToken caller got the new token',
  )
  assert.deepEqual(burst?.statuses, Array(25).fill(200))
  const sent = bearers.slice(bearersBefore)
  assert.equal(sent.length, 25)
  assert.ok(
    sent.every((t) => t === renewed.accessToken),
    'every fetch sent the new token',
  )
  const refreshed = world.hooks.filter((h) => h.hook === 'refreshed' && h.key.conversation === conversationId)
  assert.equal(refreshed.length, 1, 'the flow heard of the refresh once')
  const { text: metrics } = await running.agent.metrics()
  assert.match(metrics, /^bm_oauth_token_refreshes_total\{outcome="refreshed"\} 1$/m, 'and counted it once')
})
