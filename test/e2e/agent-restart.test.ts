/**
 * Restarts lose nothing (docs/contract-decisions.md §10 "crash semantics"): a new agent process on
 * the same SQLite file picks up where the old one stopped — between prompt and code, between
 * sign-in and the next question — and a run that died while its token request was in flight is
 * never exchanged again: the user gets a fresh prompt instead.
 */
import { after, before, describe, test } from 'node:test'
import assert from 'node:assert/strict'
import { OffsetClock } from '../../src/core/clock.ts'
import type { FetchLike } from '../../src/index.ts'
import {
  agentMessages,
  askBalanceAndGetPrompt,
  codeExchanges,
  completeSignIn,
  hasSignInChip,
  openConversation,
  startWorld,
  tapChipAndLogIn,
  userSays,
  waitFor,
  waitForSettled,
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

async function restart(overrides: Parameters<World['startAgent']>[0] = {}): Promise<void> {
  await running?.stop()
  running = await world.startAgent(overrides)
}

describe('restarts', () => {
  test('S7 restart between prompt and code: the new process exchanges and answers the parked question', async () => {
    await restart()
    const conversationId = await openConversation(world)
    const count = await askBalanceAndGetPrompt(world, conversationId)
    await restart()
    await completeSignIn(world, conversationId, await tapChipAndLogIn(world, conversationId))
    await waitForText(world, conversationId, /Your balance is .* EUR, Alice Liddell\./, count)
  })

  test('S7 restart between sign-in and the next question: answered without a new prompt', async () => {
    await restart()
    const conversationId = await openConversation(world)
    const count = await askBalanceAndGetPrompt(world, conversationId)
    await completeSignIn(world, conversationId, await tapChipAndLogIn(world, conversationId))
    await waitForText(world, conversationId, /Your balance is/, count)
    await restart()
    const settled = (await agentMessages(world, conversationId)).length
    await userSays(world, conversationId, 'What is my balance?')
    const answer = await waitForText(world, conversationId, /Your balance is/, settled)
    assert.ok(!hasSignInChip(answer))
    await waitForSettled(world, running!.db, conversationId) // then nothing more is said
    assert.equal((await agentMessages(world, conversationId)).length, settled + 1)
  })

  test('X3 docs/contract-decisions.md §10 "crash semantics": a process killed during the token request: the restarted one re-prompts and never re-sends the code', async () => {
    await running?.stop()
    running = undefined
    // This process sends the token request (the provider redeems the code) and then "dies": the
    // answer never comes back and the process stops taking work, as after a SIGKILL.
    let requestSent!: () => void
    const sent = new Promise<void>((resolve) => (requestSent = resolve))
    const dyingFetch: FetchLike = async (input, init) => {
      const response = await world.fetch(input, init)
      const body = init?.body instanceof URLSearchParams ? init.body.toString() : String(init?.body ?? '')
      if (!body.includes('grant_type=authorization_code')) return response
      requestSent()
      return new Promise<Response>(() => {})
    }
    const dying = await world.startAgent({ fetch: dyingFetch })
    const conversationId = await openConversation(world)
    const count = await askBalanceAndGetPrompt(world, conversationId)
    const before = codeExchanges(world).length
    await completeSignIn(world, conversationId, await tapChipAndLogIn(world, conversationId))
    await sent
    void dying.stop() // stops claiming at once; the hung run never finishes (the process is "dead")
    // The new process sees the delivery's lease run out (its clock is 6 minutes on) and resumes it.
    const clock = new OffsetClock()
    clock.advance(6 * 60_000)
    running = await world.startAgent({ clock })
    const reprompt = await waitFor('a fresh prompt', async () => {
      const messages = (await agentMessages(world, conversationId)).slice(count)
      return messages.find((m) => hasSignInChip(m))
    })
    assert.equal(reprompt.content.text, "Sign-in didn't go through. Please tap below to try again.")
    await waitForSettled(world, running.db, conversationId) // the resumed delivery has finished
    assert.equal(codeExchanges(world).length - before, 1, 'the code was sent exactly once')
    // The fresh prompt works: a new code, a new exchange, the parked question answered.
    await completeSignIn(world, conversationId, await tapChipAndLogIn(world, conversationId))
    await waitForText(world, conversationId, /Your balance is/, count)
    assert.equal(codeExchanges(world).length - before, 2)
    await dying.db.close().catch(() => undefined)
  })
})
