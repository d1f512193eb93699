/**
 * @module test/e2e/two-instances
 * Two agent instances (two `createAgent`) over ONE PostgreSQL database, the same emulator and
 * provider: what two processes of one deployment look like. Instance "one" receives the emulator's
 * webhooks (the world's route); instance "two" has its own webhook server, to which the test posts
 * signed user messages built from the conversation's real deliveries. Each instance runs with
 * `concurrency: 1`, so while one is busy with a delivery the other takes the next: which instance
 * processes what is deterministic enough to race them on purpose. Each instance's fetch is observed.
 */
import { randomBytes } from 'node:crypto'
import { createServer } from 'node:http'
import type { Clock } from '../../src/core/clock.ts'
import type { FetchLike } from '../../src/core/fetch.ts'
import { closeServer, listen } from '../../src/core/http-server.ts'
import { openPostgresDatabase } from '../../src/db/postgres.ts'
import type { Database } from '../../src/db/queryable.ts'
import { createCleanup } from '../support/cleanup.ts'
import type { PostgresCluster } from '../support/postgres.ts'
import { deliveries, postSigned, type RunningAgent, type World } from './support.ts'

export type InstanceName = 'one' | 'two'

/** One observed request an instance sent. */
export interface SentRequest {
  readonly url: string
  readonly method: string
  /** Authorization header and body text, where a token would travel. */
  readonly carried: string
}

export interface Instance {
  readonly name: InstanceName
  readonly running: RunningAgent
  readonly db: Database
  readonly webhookUrl: string
  readonly sent: SentRequest[]
  /** Called after each provider response this instance received (e.g. to race on a revocation 200). */
  onResponse: ((url: string, status: number, instance: InstanceName) => void) | undefined
}

export interface InstancePair {
  readonly one: Instance
  readonly two: Instance
  other(name: InstanceName): Instance
  stop(): Promise<void>
}

/** Starts instance two (own webhook server), then instance one (the world's route), on a fresh database. */
export async function startPair(world: World, cluster: PostgresCluster, clock: Clock): Promise<InstancePair> {
  const connectionString = await cluster.createDatabase(`e2e_${randomBytes(5).toString('hex')}`)
  const cleanup = createCleanup()
  return cleanup.unwindOnError(async () => {
    const server = createServer()
    const url2 = `http://127.0.0.1:${await listen(server)}/webhook`
    cleanup.add(() => closeServer(server))
    const two = await startInstance(world, 'two', connectionString, clock, url2)
    cleanup.add(() => two.db.close())
    cleanup.add(() => two.running.stop())
    server.on('request', two.running.agent.webhookHandler)
    const one = await startInstance(world, 'one', connectionString, clock, world.webhookUrl)
    cleanup.add(() => one.db.close())
    cleanup.add(() => one.running.stop())
    return { one, two, other: (name) => (name === 'one' ? two : one), stop: () => cleanup.run() }
  })
}

async function startInstance(
  world: World,
  name: InstanceName,
  connectionString: string,
  clock: Clock,
  webhookUrl: string,
): Promise<Instance> {
  const db = openPostgresDatabase({ connectionString, pool: { max: 4 } })
  try {
    return await startObservedAgent(world, name, db, clock, webhookUrl)
  } catch (err) {
    await db.close()
    throw err
  }
}

/** Starts the agent of one instance on `db` with a fetch that records what the instance sends. */
async function startObservedAgent(
  world: World,
  name: InstanceName,
  db: Database,
  clock: Clock,
  webhookUrl: string,
): Promise<Instance> {
  const sent: SentRequest[] = []
  const instance = { name, db, webhookUrl, sent, onResponse: undefined } as Omit<Instance, 'running'> & {
    running?: RunningAgent
  }
  const fetch: FetchLike = async (input, init) => {
    const url = input instanceof Request ? input.url : String(input)
    const authorization = new Headers(init?.headers).get('authorization') ?? ''
    sent.push({ url, method: init?.method ?? 'GET', carried: `${authorization} ${String(init?.body ?? '')}` })
    const response = await world.fetch(input, init)
    instance.onResponse?.(url, response.status, name)
    return response
  }
  instance.running = await world.startAgent({ database: db, fetch, clock, concurrency: 1 })
  return instance as Instance
}

/** A signed user text message for `conversationId`, shaped like the emulator's own deliveries. */
async function userMessageBody(world: World, conversationId: string, text: string): Promise<string> {
  const template = (await deliveries(world, conversationId)).find((d) => /"message"\s*:\s*\{/.test(d.body))
  if (template === undefined) throw new Error('no user message delivery to copy the shape from')
  const event = JSON.parse(template.body) as Record<string, unknown> & { message: Record<string, unknown> }
  const messageId = randomBytes(8).toString('hex')
  const now = new Date().toISOString()
  event.requestId = `test-${messageId}`
  event.sendTime = now
  event.message = {
    ...event.message,
    messageId,
    name: `conversations/${conversationId}/messages/${messageId}`,
    text,
    createTime: now,
  }
  return JSON.stringify(event)
}

/** Sends a user text to one instance's webhook (never through the emulator's routing). */
export async function sayTo(world: World, instance: Instance, conversationId: string, text: string): Promise<void> {
  const status = await postSigned(world, await userMessageBody(world, conversationId, text), instance.webhookUrl)
  if (status !== 200) throw new Error(`instance ${instance.name} answered ${status}`)
}
