/**
 * What goes wrong, end to end: the user cancels, a code arrives unasked or with a redirect URI
 * outside the allow-list, the user signs out (RFC 7009 revocation at the real provider), tokens are
 * refreshed ahead of expiry, and a refresh refused with `invalid_grant` asks the user to reconnect.
 * Users only ever see the agent's own texts; nothing the provider said is echoed.
 */
import { after, before, describe, test } from 'node:test'
import assert from 'node:assert/strict'
import { generateKeyPairSync, randomBytes } from 'node:crypto'
import {
  agentMessages,
  askBalanceAndGetPrompt,
  authResponseDeliveries,
  codeExchanges,
  completeSignIn,
  control,
  hasSignInChip,
  isActiveAtProvider,
  openConversation,
  postSigned,
  revokeAtProvider,
  signInWithBalance,
  startWorld,
  storedTokens,
  tapChipAndLogIn,
  userSays,
  waitFor,
  waitForHook,
  waitForText,
  type RunningAgent,
  type World,
} from './support.ts'

let world: World
let running: RunningAgent | undefined

before(async () => {
  world = await startWorld()
  running = await world.startAgent()
})
after(async () => {
  await running?.stop()
  await world?.close()
})

function allTexts(messages: Awaited<ReturnType<typeof agentMessages>>): string {
  return messages.map((m) => `${m.content.text ?? ''} ${m.content.fallback ?? ''}`).join('\n')
}

describe('sign-in failures', () => {
  test('P10 the user cancels at the provider → a kind reply with a fresh chip; no token request; no provider text', async () => {
    const conversationId = await openConversation(world)
    const count = await askBalanceAndGetPrompt(world, conversationId)
    const before = world.tokenRequests.length
    await control(world, `conversations/${conversationId}/signin/start`, { surface: 'web' })
    await control(world, `conversations/${conversationId}/signin/cancel`, {})
    const reply = await waitForText(world, conversationId, /cancelled/, count)
    assert.equal(reply.content.text, "No problem, sign-in was cancelled. Tap below if you'd like to try again.")
    assert.ok(hasSignInChip(reply), 'a fresh chip on the reply')
    assert.equal(world.tokenRequests.length, before)
    assert.doesNotMatch(allTexts(await agentMessages(world, conversationId)), /user cancelled|ACCESS_DENIED/i)
    const hook = await waitForHook(world, 'signInFailed', conversationId) // hooks run after the reply
    assert.equal(hook.reason, 'authorization:access_denied')
    // The fresh chip works and the parked question is still answered.
    await completeSignIn(world, conversationId, await tapChipAndLogIn(world, conversationId))
    await waitForText(world, conversationId, /Your balance is/, count)
  })

  test('P12 a relayed redirect URI outside the allow-list is never exchanged; the user gets a fresh chip', async () => {
    const conversationId = await openConversation(world)
    const count = await askBalanceAndGetPrompt(world, conversationId)
    const location = await tapChipAndLogIn(world, conversationId)
    await control(world, 'faults', { webhook: { delayMs: 600_000 } }, 'PATCH')
    try {
      await completeSignIn(world, conversationId, location)
    } finally {
      await control(world, 'faults', { webhook: { delayMs: 0 } }, 'PATCH')
    }
    const held = await waitFor(
      'the held delivery',
      async () => (await authResponseDeliveries(world, conversationId))[0],
    )
    assert.equal(held.status, 'pending', 'the delay fault fired: the real delivery is held')
    const payload = JSON.parse(held.body) as { authenticationResponse: Record<string, unknown>; requestId: string }
    payload.authenticationResponse['redirectUri'] = 'https://evil.example/callback'
    payload.requestId = `${payload.requestId}-forged`
    const before = codeExchanges(world).length
    assert.equal(await postSigned(world, JSON.stringify(payload)), 200)
    const reply = await waitForText(world, conversationId, /didn't go through/, count)
    assert.ok(hasSignInChip(reply))
    assert.equal(codeExchanges(world).length, before)
  })

  for (const contentType of ['text/plain', null]) {
    test(`X11 a valid grant sent as ${contentType ?? 'no content type'} is not stored; the user gets a kind reply and a fresh chip`, async () => {
      await assertTokenAnswerFaultRefused(
        () => {
          world.provider.faults.tokenContentType = contentType
          return () => delete world.provider.faults.tokenContentType
        },
        () => world.provider.faultsFired.tokenContentType,
      )
    })
  }

  test('X14 an ID token signed by a foreign key is not stored; the user gets a kind reply and a fresh chip', async () => {
    await assertTokenAnswerFaultRefused(
      () => {
        world.provider.faults.foreignIdTokenKey = generateKeyPairSync('rsa', { modulusLength: 2048 }).privateKey
        return () => delete world.provider.faults.foreignIdTokenKey
      },
      () => world.provider.faultsFired.foreignIdTokenKey,
    )
  })

  test('P8 a code nobody asked for → no token request, a generic reply', async () => {
    const conversationId = await openConversation(world)
    await userSays(world, conversationId, 'hello')
    await waitForText(world, conversationId, /I can tell you your balance/)
    const before = world.tokenRequests.length
    const body = JSON.stringify({
      agent: world.emulator.agentName,
      conversationId,
      requestId: `unsolicited-${randomBytes(4).toString('hex')}`,
      authenticationResponse: {
        code: randomBytes(24).toString('base64url'),
        redirectUri: 'https://business.google.com/callback',
      },
      sendTime: new Date().toISOString(),
    })
    assert.equal(await postSigned(world, body), 200)
    const reply = await waitForText(world, conversationId, /wasn't expecting a sign-in/)
    assert.ok(!hasSignInChip(reply))
    assert.equal(world.tokenRequests.length, before)
  })
})

/**
 * Signs in while `arm()` has a token-endpoint fault switched on (it returns the switch-off): the
 * fault fires once, nothing is stored, the user gets the provider-error reply with a fresh chip,
 * and that chip works once the provider answers properly (the parked question is answered).
 */
async function assertTokenAnswerFaultRefused(arm: () => () => void, fired: () => number): Promise<void> {
  const conversationId = await openConversation(world)
  const count = await askBalanceAndGetPrompt(world, conversationId)
  const location = await tapChipAndLogIn(world, conversationId)
  const firedBefore = fired()
  const disarm = arm()
  try {
    await completeSignIn(world, conversationId, location)
    const reply = await waitForText(world, conversationId, /had a problem on its side/, count)
    assert.ok(hasSignInChip(reply), 'a fresh chip on the reply')
  } finally {
    disarm()
  }
  assert.equal(fired(), firedBefore + 1, 'the fault rewrote one token answer')
  const hook = await waitForHook(world, 'signInFailed', conversationId)
  assert.equal(hook.reason, 'exchange:provider-error')
  assert.equal(await storedTokens(world, running!.db, conversationId), undefined, 'no grant stored')
  await completeSignIn(world, conversationId, await tapChipAndLogIn(world, conversationId))
  await waitForText(world, conversationId, /Your balance is/, count)
}

describe('sign-out and refresh', () => {
  test('R7 S8 sign out → both tokens revoked at the provider (RFC 7009) and deleted locally', async () => {
    const conversationId = await openConversation(world)
    const settled = await signInWithBalance(world, conversationId)
    const record = await storedTokens(world, running!.db, conversationId)
    assert.equal(record?.status, 'active')
    const { accessToken, refreshToken } = record!.tokens!
    assert.ok(refreshToken)
    assert.equal(await isActiveAtProvider(world, accessToken), true)
    await userSays(world, conversationId, 'Sign out')
    await waitForText(world, conversationId, /You're signed out\./, settled)
    assert.equal(await isActiveAtProvider(world, accessToken), false)
    assert.equal(await isActiveAtProvider(world, refreshToken), false)
    assert.equal(await storedTokens(world, running!.db, conversationId), undefined)
    await waitForHook(world, 'signedOut', conversationId)
    const { text: metrics } = await running!.agent.metrics()
    assert.match(metrics, /^bm_oauth_revocations_total\{outcome="revoked"\} [2-9]$/m, 'both revocations counted')
    // Asking again needs a new sign-in.
    await askBalanceAndGetPrompt(world, conversationId)
  })

  test('R5 R2 tokens are refreshed ahead of expiry (rotation stored) and the question is answered', async () => {
    await running?.stop()
    running = await world.startAgent({ refreshAheadMs: 2 * 60 * 60_000 }) // every access token "expires soon"
    const conversationId = await openConversation(world)
    const refreshesBefore = world.tokenRequests.filter((r) => r.grantType === 'refresh_token').length
    await signInWithBalance(world, conversationId)
    const refreshes = world.tokenRequests.filter((r) => r.grantType === 'refresh_token').length - refreshesBefore
    assert.equal(refreshes, 1, 'one refresh before the balance call')
    await waitForHook(world, 'refreshed', conversationId)
    const record = await storedTokens(world, running.db, conversationId)
    const sent = world.tokenRequests.findLast((r) => r.grantType === 'refresh_token')?.params.get('refresh_token')
    assert.ok(
      record?.tokens?.refreshToken && sent && record.tokens.refreshToken !== sent,
      'R2: the rotated refresh token is stored',
    )
  })

  test('R3 R10 a refresh refused with invalid_grant → needs reconnect, a reconnect prompt, the question answered after', async () => {
    const conversationId = await openConversation(world)
    const settled = await signInWithBalance(world, conversationId)
    const record = await storedTokens(world, running!.db, conversationId)
    await revokeAtProvider(world, record!.tokens!.refreshToken!)
    await userSays(world, conversationId, 'What is my balance?')
    const prompt = await waitForText(world, conversationId, /disconnected/, settled)
    assert.equal(
      prompt.content.text,
      "Your account got disconnected. Sign in again and I'll answer your question right after.",
    )
    assert.ok(hasSignInChip(prompt))
    await waitForHook(world, 'needsReconnect', conversationId)
    assert.equal(await storedTokens(world, running!.db, conversationId).then((r) => r?.status ?? 'deleted'), 'deleted')
    const count = (await agentMessages(world, conversationId)).length
    await completeSignIn(world, conversationId, await tapChipAndLogIn(world, conversationId))
    await waitForText(world, conversationId, /Your balance is/, count)
  })
})
