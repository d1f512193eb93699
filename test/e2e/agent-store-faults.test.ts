/**
 * A database that fails for a moment is not a signed-out user: when reading a conversation's grant
 * fails with `ERR_STORE`, the delivery is retried (the grant is neither dropped nor left unrevoked).
 * Only a grant no listed vault key opens reads as signed out. The failure comes from a thin wrapper
 * over the real SQLite database that fails the next grant read once; everything else is real.
 */
import { after, before, test } from 'node:test'
import assert from 'node:assert/strict'
import { StoreError } from '../../src/stores/index.ts'
import type { Database } from '../../src/index.ts'
import type { Queryable, Row, SQLValue } from '../../src/stores/index.ts'
import { openSQLiteDatabase } from '../../src/index.ts'
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
  waitForText,
  type RunningAgent,
  type World,
} from './support.ts'

/** The real database, except that the next `failures` reads of a grant fail as a busy database would. */
function flakyGrantReads(db: Database): Database & { failNextGrantRead(): void } {
  let failures = 0
  return {
    dialect: db.dialect,
    query<R extends Row = Row>(text: string, params?: readonly SQLValue[]) {
      if (failures > 0 && /^SELECT \* FROM bm_token_sets\b/.test(text)) {
        failures--
        return Promise.reject(
          new StoreError('database is locked', { dialect: 'sqlite', dbCode: 'SQLITE_BUSY', uniqueViolation: false }),
        )
      }
      return db.query<R>(text, params)
    },
    exec: (script: string) => db.exec(script),
    transaction: <T>(fn: (tx: Queryable) => Promise<T>) => db.transaction(fn),
    close: () => db.close(),
    failNextGrantRead: () => void failures++,
  }
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
  flaky.failNextGrantRead()
  await userSays(world, conversationId, 'What is my balance?')
  await waitForText(world, conversationId, /Your balance is/, settled)
  const later = (await agentMessages(world, conversationId)).slice(settled)
  assert.ok(!later.some(hasSignInChip), 'no sign-in prompt')
  assert.equal((await storedTokens(world, running.db, conversationId))?.status, 'active')
  assert.ok(world.logs.some((line) => line.includes('"errCode":"ERR_STORE"') && line.includes('will retry')))
})

test('R7 a grant read failing with ERR_STORE at sign-out → retried; the tokens are still revoked at the provider', async () => {
  const conversationId = await openConversation(world)
  const settled = await signInWithBalance(world, conversationId)
  const { refreshToken } = (await storedTokens(world, running.db, conversationId))!.tokens!
  assert.ok(refreshToken)
  flaky.failNextGrantRead()
  await userSays(world, conversationId, 'Sign out')
  await waitForText(world, conversationId, /You're signed out\./, settled)
  await waitFor('the revocation', async () => ((await isActiveAtProvider(world, refreshToken)) ? undefined : true))
  assert.equal(await storedTokens(world, running.db, conversationId), undefined)
})
