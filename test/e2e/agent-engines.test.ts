/**
 * One full sign-in in the conversation (balance question → chip → sign in at the real provider →
 * the parked question answered) on each storage engine the agent runtime supports: the embedded
 * SQLite file and PostgreSQL (a throwaway cluster; skipped with a reason when the server binaries
 * are missing, a failure in CI). Same test body for both.
 */
import { after, before, describe, test } from 'node:test'
import assert from 'node:assert/strict'
import { randomBytes } from 'node:crypto'
import { demoBalance } from './balance-handler.ts'
import { openPostgresDatabase } from '../../src/db/postgres.ts'
import type { Database } from '../../src/db/queryable.ts'
import { FLOW_STATE_TABLE } from '../../src/agent/flow-state-store.ts'
import { sharedPostgres } from '../support/postgres.ts'
import {
  agentMessages,
  askBalanceAndGetPrompt,
  codeExchanges,
  completeSignIn,
  openConversation,
  startWorld,
  storedTokens,
  tapChipAndLogIn,
  waitForSettled,
  waitForText,
  type World,
} from './support.ts'

const cluster = await sharedPostgres()
let world: World

before(async () => {
  world = await startWorld()
})
after(async () => {
  await world?.close()
})

interface Engine {
  readonly name: string
  readonly skip?: string
  /** A database for the agent, or undefined for the world's SQLite file. */
  open(): Promise<Database | undefined>
}

const ENGINES: readonly Engine[] = [
  { name: 'SQLite', open: async () => undefined },
  'skip' in cluster
    ? { name: 'PostgreSQL', skip: cluster.skip, open: async () => undefined }
    : {
        name: 'PostgreSQL',
        open: async () =>
          openPostgresDatabase({
            connectionString: await cluster.createDatabase(`e2e_${randomBytes(5).toString('hex')}`),
          }),
      },
]

describe('the agent runtime on each storage engine', () => {
  for (const engine of ENGINES) {
    const options = engine.skip === undefined ? {} : { skip: engine.skip }
    test(`${engine.name}: balance question → chip → sign in → the question is answered`, options, async (t) => {
      const database = await engine.open()
      const running = await world.startAgent(database === undefined ? {} : { database })
      t.after(async () => {
        await running.stop()
        await database?.close()
      })
      const db = running.db
      assert.equal(db.dialect, engine.name === 'PostgreSQL' ? 'postgres' : 'sqlite')
      const conversationId = await openConversation(world)
      const count = await askBalanceAndGetPrompt(world, conversationId)
      const exchangesBefore = codeExchanges(world).length
      await completeSignIn(world, conversationId, await tapChipAndLogIn(world, conversationId))
      const answer = await waitForText(world, conversationId, /Your balance is/, count)
      await waitForSettled(world, db, conversationId) // then nothing more is said or exchanged
      assert.equal(answer.content.text, `Your balance is ${demoBalance('Alice Liddell')} EUR, Alice Liddell.`)
      assert.equal(codeExchanges(world).length - exchangesBefore, 1)
      const said = (await agentMessages(world, conversationId)).slice(count).map((m) => m.content.text)
      assert.deepEqual(said, ["Thanks, you're signed in.", answer.content.text])
      assert.equal((await storedTokens(world, db, conversationId))?.status, 'active', 'the grant is in this engine')
      const { rows } = await db.query(`SELECT conversation FROM ${FLOW_STATE_TABLE} WHERE conversation = $1`, [
        conversationId,
      ])
      assert.equal(rows.length, 1, 'the conversation state is in this engine')
    })
  }
})
