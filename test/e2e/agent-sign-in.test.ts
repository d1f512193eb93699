/**
 * End to end, as a chat: the user asks for their balance, the agent sends the sign-in chip, the user
 * signs in at the real strict provider from each of the four Business Messages surfaces, and the
 * agent answers the ORIGINAL question without the user repeating it. Emulator, provider and agent
 * are real servers on 127.0.0.1.
 */
import { after, before, describe, test } from 'node:test'
import assert from 'node:assert/strict'
import { demoBalance } from './balance-handler.ts'
import {
  SURFACES,
  agentMessages,
  askBalanceAndGetPrompt,
  codeExchanges,
  control,
  completeSignIn,
  hasSignInChip,
  openConversation,
  startWorld,
  tapChipAndLogIn,
  userSays,
  waitForHook,
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

describe('sign-in inside the conversation answers the parked question', () => {
  for (const [surface, redirectUri] of SURFACES) {
    test(`P12 surface ${surface}: redirect_uri ${redirectUri} is sent exactly; the balance question is answered`, async () => {
      const conversationId = await openConversation(world)
      const count = await askBalanceAndGetPrompt(world, conversationId)
      const prompt = (await agentMessages(world, conversationId)).at(-1)
      const oauth = prompt?.content.suggestions?.[0]?.['authenticationRequest']?.oauth
      assert.equal(oauth?.codeChallengeMethod, 'S256', 'P3: S256 explicitly')
      assert.match(oauth?.codeChallenge ?? '', /^[A-Za-z0-9_-]{43}$/)
      assert.ok(prompt?.content.fallback, 'the prompt has fallback text')
      const exchangesBefore = codeExchanges(world).length
      const location = await tapChipAndLogIn(world, conversationId, surface)
      await completeSignIn(world, conversationId, location)
      const answer = await waitForText(world, conversationId, /Your balance is/, count)
      await waitForSettled(world, running.db, conversationId) // then nothing more is said or exchanged
      assert.equal(answer.content.text, `Your balance is ${demoBalance('Alice Liddell')} EUR, Alice Liddell.`)
      const exchanges = codeExchanges(world).slice(exchangesBefore)
      assert.equal(exchanges.length, 1)
      assert.equal(exchanges[0]?.params.get('redirect_uri'), redirectUri)
      const said = (await agentMessages(world, conversationId)).slice(count).map((m) => m.content.text)
      assert.deepEqual(said, ["Thanks, you're signed in.", answer.content.text])
    })
  }

  test('a signed-in user is answered at once, without a new prompt', async () => {
    const conversationId = await openConversation(world)
    const count = await askBalanceAndGetPrompt(world, conversationId)
    await completeSignIn(world, conversationId, await tapChipAndLogIn(world, conversationId))
    await waitForText(world, conversationId, /Your balance is/, count)
    const settled = (await agentMessages(world, conversationId)).length
    await userSays(world, conversationId, 'who am I?')
    const answer = await waitForText(world, conversationId, /You are signed in as Alice Liddell/, settled)
    assert.ok(!hasSignInChip(answer))
    await waitForSettled(world, running.db, conversationId) // TYPING_STOPPED follows the answer
    assert.equal((await agentMessages(world, conversationId)).length, settled + 1)
    // docs/contract-decisions.md §2.5 / the samples: each reply is bracketed by typing events, the
    // answer between them
    const view = await control<{
      transcript: Array<{ direction: string; kind: string; content: { eventType?: string; text?: string } }>
    }>(world, `conversations/${conversationId}`)
    const tail = view.transcript.filter((e) => e.direction === 'agent').slice(-3)
    assert.deepEqual(
      tail.map((e) => e.content.eventType ?? e.content.text),
      ['TYPING_STARTED', answer.content.text, 'TYPING_STOPPED'],
    )
    const hook = await waitForHook(world, 'signedIn', conversationId)
    assert.equal(hook.subject, 'user-alice')
  })
})
