/**
 * A database that fails for a moment is not a signed-out user: when reading a conversation's grant
 * fails with `ERR_STORE`, the delivery is retried (the grant is neither dropped nor left unrevoked).
 * Only a grant no listed vault key opens reads as signed out. The failure comes from a thin wrapper
 * over the real SQLite database that fails the next grant read once; everything else is real. Each
 * test checks that the fault fired (the wrapper counts its hits) and that the agent's inbox row shows
 * the retry, so a reworded query cannot make the tests pass without a failure.
 */
import { after, before, test } from 'node:test'
import assert from 'node:assert/strict'
import { StoreError } from '../../src/stores/index.ts'
import type { Database } from '../../src/index.ts'
import type { Queryable, Row, SQLValue } from '../../src/stores/index.ts'
import { openSQLiteDatabase } from '../../src/index.ts'
import { TOKEN_TABLE } from '../../src/tokens/migrations.ts'
import {
  agentMessages,
  hasSignInChip,
  isActiveAtProvider,
  openConversation,
  signInWithBalance,
  startWorld,
  storedTokens,
  userSays,
  waitFor,
  waitForSettled,
  waitForText,
  type RunningAgent,
  type World,
} from './support.ts'

/** How the token store reads one grant (`SQL token store` `get`): the only seam the agent's store offers. */
const GRANT_READ = `SELECT * FROM ${TOKEN_TABLE} WHERE `

/**
 * The real database, except that the next `failNextGrantRead()` reads of a grant fail as a busy
 * database would. `fired` counts the failures injected.
 */
function flakyGrantReads(db: Database): Database & { failNextGrantRead(): void; readonly fired: number } {
  let armed = 0
  let fired = 0
  return {
    dialect: db.dialect,
    query<R extends Row = Row>(text: string, params?: readonly SQLValue[]) {
      if (armed > 0 && text.startsWith(GRANT_READ)) {
        armed--
        fired++
        return Promise.reject(
          new StoreError('database is locked', { dialect: 'sqlite', dbCode: 'SQLITE_BUSY', uniqueViolation: false }),
        )
      }
      return db.query<R>(text, params)
    },
    exec: (script: string) => db.exec(script),
    transaction: <T>(fn: (tx: Queryable) => Promise<T>) => db.transaction(fn),
    close: () => db.close(),
    failNextGrantRead: () => void armed++,
    get fired() {
      return fired
    },
  }
}

/** Asserts the fault fired once and made exactly one delivery of the conversation fail with ERR_STORE, then succeed. */
async function assertRetriedOnce(conversationId: string, firedBefore: number, failedBefore: number): Promise<void> {
  assert.equal(flaky.fired - firedBefore, 1, 'the injected grant-read failure fired')
  assert.equal(await storeFailures(), failedBefore + 1, 'and was counted in bm_oauth_delivery_failures_total')
  const rows = await waitForSettled(world, running.db, conversationId)
  const retried = rows.filter((r) => r.attempts > 1)
  assert.deepEqual(
    retried.map((r) => [r.state, r.attempts, r.lastError]),
    [['done', 2, 'ERR_STORE']],
    'one delivery failed with ERR_STORE, was retried and then processed',
  )
}

/** The agent's count of processing attempts that failed with ERR_STORE. */
async function storeFailures(): Promise<number> {
  const { text } = await running.agent.metrics()
  const line = /^bm_oauth_delivery_failures_total\{code="ERR_STORE"\} (\d+)$/m.exec(text)
  return Number(line?.[1] ?? 0)
}

let world: World
let running: RunningAgent
let flaky: ReturnType<typeof flakyGrantReads>

before(async () => {
  world = await startWorld()
  flaky = flakyGrantReads(openSQLiteDatabase(world.dbPath))
  running = await world.startAgent({ database: flaky })
})
after(async () => {
  await running?.stop()
  await flaky?.close()
  await world?.close()
})

test('a grant read failing with ERR_STORE during requireSignIn → retried and answered; no reconnect prompt, grant kept', async () => {
  const conversationId = await openConversation(world)
  const settled = await signInWithBalance(world, conversationId)
  const firedBefore = flaky.fired
  const failedBefore = await storeFailures()
  flaky.failNextGrantRead()
  await userSays(world, conversationId, 'What is my balance?')
  await waitForText(world, conversationId, /Your balance is/, settled)
  await assertRetriedOnce(conversationId, firedBefore, failedBefore)
  const later = (await agentMessages(world, conversationId)).slice(settled)
  assert.ok(!later.some(hasSignInChip), 'no sign-in prompt')
  assert.equal((await storedTokens(world, running.db, conversationId))?.status, 'active')
})

test('R7 a grant read failing with ERR_STORE at sign-out → retried; the tokens are still revoked at the provider', async () => {
  const conversationId = await openConversation(world)
  const settled = await signInWithBalance(world, conversationId)
  const { refreshToken } = (await storedTokens(world, running.db, conversationId))!.tokens!
  assert.ok(refreshToken)
  const firedBefore = flaky.fired
  const failedBefore = await storeFailures()
  flaky.failNextGrantRead()
  await userSays(world, conversationId, 'Sign out')
  await waitForText(world, conversationId, /You're signed out\./, settled)
  await assertRetriedOnce(conversationId, firedBefore, failedBefore)
  await waitFor('the revocation', async () => ((await isActiveAtProvider(world, refreshToken)) ? undefined : true))
  assert.equal(await storedTokens(world, running.db, conversationId), undefined)
})
