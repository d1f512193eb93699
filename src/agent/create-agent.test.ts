import { after, test } from 'node:test'
import assert from 'node:assert/strict'
import { createServer, type Server } from 'node:http'
import type { AddressInfo } from 'node:net'
import type { FetchLike } from '../core/fetch.ts'
import { openSQLiteDatabase } from '../db/sqlite.ts'
import { isBmOAuthError } from '../errors.ts'
import { generateVaultKey } from '../tokens/keyring.ts'
import { type BusinessMessagesChannel, businessMessages } from '../channel/business-messages/channel.ts'
import { createAgent } from './create-agent.ts'
import type { MessageContext, MessageHandler, SignInAgent } from './types.ts'

const METADATA = {
  issuer: 'https://as.example',
  authorization_endpoint: 'https://as.example/authorize',
  token_endpoint: 'https://as.example/token',
  userinfo_endpoint: 'https://as.example/me',
  code_challenge_methods_supported: ['S256'],
}

/** The provider's discovery document, served by a fetch the test can make fail or hold. */
function discovery(): {
  fetch: FetchLike
  failNext: () => void
  hold: () => { asked: Promise<void>; release: () => void }
} {
  let fail = false
  let gate: { asked: () => void; released: Promise<void> } | undefined
  const fetch: FetchLike = async () => {
    if (fail) {
      fail = false
      throw new TypeError('fetch failed', {
        cause: Object.assign(new Error('connect ECONNREFUSED'), { code: 'ECONNREFUSED' }),
      })
    }
    if (gate !== undefined) {
      gate.asked()
      await gate.released
      gate = undefined
    }
    return Response.json(METADATA)
  }
  return {
    fetch,
    failNext: () => void (fail = true),
    hold: () => {
      let asked!: () => void
      let release!: () => void
      const askedPromise = new Promise<void>((resolve) => (asked = resolve))
      gate = { asked, released: new Promise<void>((resolve) => (release = resolve)) }
      return { asked: askedPromise, release }
    },
  }
}

const db = openSQLiteDatabase(':memory:')
const servers: Server[] = []
after(async () => {
  for (const server of servers) await new Promise((resolve) => server.close(resolve))
  await db.close()
})

function agentWith(fetch: FetchLike): SignInAgent<BusinessMessagesChannel> {
  return createAgent(baseOptions(fetch))
}

function baseOptions(fetch: FetchLike) {
  return {
    channels: [
      businessMessages({
        agents: ['brands/b1/agents/a1'],
        credentials: { getAccessToken: async () => 'google-access', invalidate: () => undefined },
        webhook: { keys: ['webhook-client-token-0123456789'] },
      }),
    ],
    provider: {
      provider: { issuer: METADATA.issuer },
      client: {
        clientId: 'bm-agent',
        clientSecret: 'client-secret-123',
        tokenEndpointAuthMethod: 'client_secret_basic',
      },
    },
    database: db,
    vaultKeys: generateVaultKey({ keyId: 'ca-k1' }),
    fetch,
  } as const
}

/** The status the agent's webhook answers an (unsigned) POST with: 503 while not started. */
async function webhookStatus(agent: SignInAgent): Promise<number> {
  const server = createServer((req, res) => agent.webhookHandler(req, res))
  servers.push(server)
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  const { port } = server.address() as AddressInfo
  const response = await fetch(`http://127.0.0.1:${port}/`, { method: 'POST', body: '{}' })
  await response.body?.cancel()
  server.closeAllConnections()
  return response.status
}

test('a start that failed (discovery unreachable) can be started again', async () => {
  const provider = discovery()
  const agent = agentWith(provider.fetch)
  provider.failNext()
  await assert.rejects(agent.start(), (err) => isBmOAuthError(err, 'ERR_NETWORK'))
  assert.equal(await webhookStatus(agent), 503)
  await agent.start()
  assert.notEqual(await webhookStatus(agent), 503, 'the second start wired the webhook')
  await agent.stop()
  assert.equal(await webhookStatus(agent), 503)
})

test('stop() during start(): the start finishes, then everything it wired is stopped; a later start works', async () => {
  const provider = discovery()
  const agent = agentWith(provider.fetch)
  const gate = provider.hold()
  const started = agent.start()
  await gate.asked
  const stopped = agent.stop()
  gate.release()
  await stopped
  await started
  assert.equal(await webhookStatus(agent), 503, 'nothing from the interrupted start is left running')
  await agent.start()
  assert.notEqual(await webhookStatus(agent), 503)
  await agent.stop()
})

test('provider() is the resolved provider after start(): endpoints and client id, no secret', async () => {
  const agent = agentWith(discovery().fetch)
  assert.equal(agent.provider(), undefined)
  await agent.start()
  const info = agent.provider()
  assert.equal(info?.issuer, METADATA.issuer)
  assert.equal(info?.userinfoEndpoint, METADATA.userinfo_endpoint)
  assert.equal(info?.clientId, 'bm-agent')
  assert.doesNotMatch(JSON.stringify(info), /client-secret-123/)
  await agent.stop()
})

test('createAgent and businessMessages refuse channel settings they cannot serve, with ERR_CONFIG', () => {
  const base = { provider: { issuer: METADATA.issuer }, database: db, vaultKeys: generateVaultKey() }
  const config = (run: () => unknown) => assert.throws(run, (err) => isBmOAuthError(err, 'ERR_CONFIG'))
  config(() => createAgent({ ...base, channels: [] } as never))
  const channel = (agents: string[]) =>
    businessMessages({ agents, credentials: { keyFile: 'key.json' }, webhook: { keys: ['k'] } })
  config(() => channel([]))
  config(() => channel(['brands/1/agents/2', 'brands/1/agents/3']))
  config(() => channel(['agents/2']))
  config(() =>
    createAgent({ ...base, channels: [channel(['brands/1/agents/2']), channel(['brands/1/agents/2'])] } as never),
  )
})

test('handlers narrow on ctx.channel for sayRaw; a channel-neutral handler fits any agent (checked by tsc)', () => {
  const agent = agentWith(discovery().fetch)
  const neutral: MessageHandler = async (ctx) =>
    ctx.say({ text: 'Hi', suggestions: [{ text: 'A', postbackData: 'a' }] })
  agent.onMessage(neutral)
  agent.onMessage(async (ctx) => {
    if (ctx.channel === 'business-messages') await ctx.sayRaw({ text: 'A card', fallback: 'A card' })
    // @ts-expect-error: a neutral context cannot send a platform message
    await (ctx as MessageContext).sayRaw({ text: 'x' })
  })
  assert.deepEqual(
    agent.channels.map((c) => c.id),
    ['business-messages'],
  )
})

test('ready(): false until start(), true after, false when the store ping fails or hangs past readyTimeoutMs', async () => {
  const agent = agentWith(discovery().fetch)
  assert.deepEqual(await agent.ready(), { ready: false, checks: { started: false, database: true } })
  await agent.start()
  assert.deepEqual(await agent.ready(), { ready: true, checks: { started: true, database: true } })
  await agent.stop()
  let pings = 0
  const broken = (query: () => Promise<never>) =>
    createAgent({
      ...baseOptions(discovery().fetch),
      database: { ...db, query: () => (pings++, query()) } as unknown as typeof db,
      readyTimeoutMs: 50,
    })
  const failing = await broken(() => Promise.reject(new Error('connection refused'))).ready()
  assert.deepEqual(failing.checks.database, false)
  const hanging = await broken(() => new Promise<never>(() => {})).ready()
  assert.deepEqual(hanging.checks.database, false)
  assert.equal(pings, 2, 'each ready() pinged the store once')
})
