/**
 * The production host, `serveAgent`, with a real agent, the emulator and the strict provider:
 * probes (`/healthz`, `/readyz`), Prometheus metrics on the admin listener with counter deltas for
 * real events, and the drain on `close()` — readiness turns 503 at once, a delivery still uploading
 * gets its 200 and its row, new connections are refused, and what was acknowledged stays recorded.
 */
import { after, before, test } from 'node:test'
import assert from 'node:assert/strict'
import { createHmac, randomUUID } from 'node:crypto'
import { mkdtemp, readFile, rm } from 'node:fs/promises'
import { createServer, request } from 'node:http'
import type { AddressInfo } from 'node:net'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { startEmulator, type RunningEmulator } from '../../src/emulator/index.ts'
import {
  businessMessages,
  createAgent,
  openSQLiteDatabase,
  serveAgent,
  type Database,
  type RunningServer,
  type SignInAgent,
} from '../../src/index.ts'
import { generateVaultKey } from '../../src/stores/index.ts'
import { controlAPI, waitForAgentText } from '../support/emulator-control.ts'
import { startStrictProvider, type RunningProvider } from '../support/strict-provider.ts'
import { waitFor } from '../support/wait.ts'

const CLIENT_ID = 'serve-agent-client'
const CLIENT_SECRET = 'serve-agent-secret-0123456789'
const WEBHOOK_PATH = '/business-messages'

let dir: string
let provider: RunningProvider
let emulator: RunningEmulator
let clientToken: string
let db: Database
let agent: SignInAgent
let server: RunningServer

before(async () => {
  dir = await mkdtemp(join(tmpdir(), 'bm-oauth-serve-agent-'))
  provider = await startStrictProvider({ clients: [{ clientId: CLIENT_ID, clientSecret: CLIENT_SECRET }] })
  // The emulator needs the webhook URL before the agent exists: reserve a port for serveAgent.
  const port = await freePort()
  emulator = await startEmulator({
    port: 0,
    dataDir: join(dir, 'emulator'),
    webhookUrl: `http://127.0.0.1:${port}${WEBHOOK_PATH}`,
    webhookBaseDelayMs: 100,
  })
  clientToken = (await readFile(emulator.webhookClientTokenPath, 'utf8')).trim()
  db = openSQLiteDatabase(join(dir, 'agent.sqlite'))
  agent = createAgent({
    channels: [
      businessMessages({
        agents: [emulator.agentName],
        credentials: { keyFile: emulator.keyFilePath },
        baseUrl: emulator.url,
        webhook: { keys: [clientToken], clientToken, path: WEBHOOK_PATH },
        typingIndicators: false,
      }),
    ],
    provider: {
      provider: { issuer: provider.issuer },
      client: { clientId: CLIENT_ID, clientSecret: CLIENT_SECRET, tokenEndpointAuthMethod: 'client_secret_basic' },
    },
    allowInsecureLoopback: true,
    database: db,
    vaultKeys: generateVaultKey({ keyId: 'serve-agent-k1' }),
  })
  agent.onMessage((ctx) => ctx.say(`pong: ${ctx.text}`))
  server = await serveAgent(agent, { listen: { port }, admin: { port: 0 }, shutdownGraceMs: 10_000 })
})

async function freePort(): Promise<number> {
  const probe = createServer()
  await new Promise<void>((resolve) => probe.listen(0, '127.0.0.1', resolve))
  const { port } = probe.address() as AddressInfo
  await new Promise<void>((resolve) => probe.close(() => resolve()))
  return port
}

after(async () => {
  await server?.close()
  await db?.close()
  await emulator?.close()
  await provider?.close()
  await rm(dir, { recursive: true, force: true })
})

async function get(url: string): Promise<{ status: number; body: string; type: string | null }> {
  const response = await fetch(url)
  return { status: response.status, body: await response.text(), type: response.headers.get('content-type') }
}

/** The value of one Prometheus sample (0 when absent). */
async function sample(name: string, labels: string): Promise<number> {
  const { body } = await get(`${server.adminUrl}/metrics`)
  const line = body.split('\n').find((l) => l.startsWith(`${name}{${labels}}`))
  return line === undefined ? 0 : Number(line.split(' ').at(-1))
}

function signedMessage(conversationId: string, requestId: string, text: string): Buffer {
  return Buffer.from(
    JSON.stringify({
      agent: emulator.agentName,
      conversationId,
      requestId,
      sendTime: new Date().toISOString(),
      message: { messageId: randomUUID(), text, createTime: new Date().toISOString() },
    }),
  )
}

const signature = (body: Buffer): string => createHmac('sha512', clientToken).update(body).digest('base64')

test('probes: /healthz and /readyz answer on the public listener, /metrics only on the admin listener', async () => {
  assert.equal((await get(`${server.url}/healthz`)).status, 200)
  const ready = await get(`${server.url}/readyz`)
  assert.equal(ready.status, 200)
  assert.match(ready.body, /started: ok\ndatabase: ok/)
  assert.equal((await get(`${server.url}/metrics`)).status, 404, 'metrics are not on the internet-facing port')
  const metrics = await get(`${server.adminUrl}/metrics`)
  assert.equal(metrics.status, 200)
  assert.match(metrics.type ?? '', /^text\/plain/)
  assert.match(metrics.body, /^# TYPE bm_oauth_webhook_requests_total counter$/m)
  assert.match(metrics.body, /^bm_oauth_nodejs_eventloop_lag_seconds /m)
  assert.match(metrics.body, /^bm_oauth_inbox_pending \d+$/m)
  assert.match(metrics.body, /^bm_oauth_inbox_oldest_pending_age_seconds [\d.]+$/m)
  assert.equal((await get(`${server.url}/nothing-here`)).status, 404)
})

test('metrics count real events: an accepted delivery processed, a bad signature rejected', async () => {
  const accepted = await sample('bm_oauth_webhook_requests_total', 'outcome="accepted"')
  const done = await sample('bm_oauth_deliveries_processed_total', 'outcome="done"')
  const rejected = await sample('bm_oauth_webhook_requests_total', 'outcome="rejected-signature"')
  const sendLabels = 'channel="business-messages",endpoint="POST /v1/conversations/:id/messages",status="200"'
  const sends = await sample('bm_oauth_platform_requests_total', sendLabels)
  const { conversationId } = await controlAPI<{ conversationId: string }>(emulator.url, 'conversations', {})
  await controlAPI(emulator.url, `conversations/${conversationId}/messages`, { text: 'ping' })
  await waitForAgentText(emulator.url, conversationId, /^pong: ping$/)
  // The reply is sent inside the delivery's processing; its completion is counted right after.
  await waitFor('the delivery counted as done', async () =>
    (await sample('bm_oauth_deliveries_processed_total', 'outcome="done"')) === done + 1 ? true : undefined,
  )
  assert.equal(await sample('bm_oauth_webhook_requests_total', 'outcome="accepted"'), accepted + 1)
  assert.equal(await sample('bm_oauth_platform_requests_total', sendLabels), sends + 1, 'the reply counted by template')
  const body = signedMessage(conversationId, randomUUID(), 'forged')
  const forged = await fetch(`${server.url}${WEBHOOK_PATH}`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', 'x-goog-signature': signature(Buffer.from('other')) },
    body: new Uint8Array(body),
  })
  assert.equal(forged.status, 401)
  assert.equal(await sample('bm_oauth_webhook_requests_total', 'outcome="rejected-signature"'), rejected + 1)
})

test('close() drains: readiness 503 at once, an upload in flight gets its 200 and its row, then the port closes', async () => {
  const { conversationId } = await controlAPI<{ conversationId: string }>(emulator.url, 'conversations', {})
  const requestId = randomUUID()
  const body = signedMessage(conversationId, requestId, 'sent while draining')
  const { port } = new URL(server.url)
  let pending: ReturnType<typeof request> | undefined
  const answer = new Promise<number>((resolve, reject) => {
    const upload = request(
      {
        host: '127.0.0.1',
        port,
        path: WEBHOOK_PATH,
        method: 'POST',
        headers: {
          'content-type': 'application/json',
          'content-length': String(body.length),
          'x-goog-signature': signature(body),
        },
      },
      (res) => {
        res.resume()
        resolve(res.statusCode ?? 0)
      },
    )
    upload.on('error', reject)
    upload.write(body.subarray(0, 40)) // the first bytes are on the wire when the stop begins
    pending = upload
  })
  await waitFor('the upload to be in the server', async () => (server.inFlight === 1 ? true : undefined))
  const closed = server.close()
  await waitFor('readiness to report draining', async () =>
    (await get(`${server.adminUrl}/readyz`)).status === 503 ? true : undefined,
  )
  pending?.end(body.subarray(40))
  assert.equal(await answer, 200, 'the delivery that was uploading is acknowledged')
  await closed
  const row = await db.query<{ id: string }>('SELECT id FROM webhook_inbox WHERE id = $1', [`r:${requestId}`])
  assert.equal(row.rows.length, 1, 'and recorded before its 200')
  await assert.rejects(fetch(`${server.url}/healthz`), 'the public listener no longer accepts connections')
})
