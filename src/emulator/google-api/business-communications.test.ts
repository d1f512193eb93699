/**
 * The emulated Business Communications API (docs/contract-decisions.md §1.3–1.6, §7 item 1, §10 Q8,
 * docs/contract-decisions.md §10 "lenient JSON", §10 "webhook key via API"), driven over HTTP with
 * plain fetch.
 */
import assert from 'node:assert/strict'
import { createHmac } from 'node:crypto'
import { readFileSync } from 'node:fs'
import { createServer } from 'node:http'
import { describe, test, type TestContext } from 'node:test'
import type { RunningEmulator } from '../index.ts'
import {
  BC_SCOPE,
  call,
  mintAccessToken,
  startTestEmulator,
  startWebhookServer,
  waitFor,
} from '../test-support/harness.ts'

async function setUp(t: Parameters<typeof startTestEmulator>[0]): Promise<{ emu: RunningEmulator; token: string }> {
  const emu = await startTestEmulator(t)
  return { emu, token: await mintAccessToken(emu, [BC_SCOPE]) }
}

describe('brands.agents (docs/contract-decisions.md §1.3–1.5)', () => {
  test('get returns the provisioned BusinessMessagesAgent', async (t) => {
    const { emu, token } = await setUp(t)
    const res = await call(`${emu.url}/v1/${emu.agentName}`, { token })
    assert.equal(res.status, 200)
    assert.equal(res.body.name, emu.agentName)
    assert.match(emu.agentName, /^brands\/\d+\/agents\/\d+$/)
    const bm = res.body.businessMessagesAgent
    assert.equal(bm.defaultLocale, 'en')
    assert.equal(bm.primaryAgentInteraction.interactionType, 'BOT')
    assert.equal(typeof bm.conversationalSettings.en.welcomeMessage.text, 'string')
    assert.equal(typeof bm.conversationalSettings.en.privacyPolicy.url, 'string')
    assert.equal(typeof bm.customAgentId, 'string')
  })

  test('docs/contract-decisions.md §1.4 the documented curl body (single quotes, trailing commas) sets authorizationConfig', async (t) => {
    const { emu, token } = await setUp(t)
    const raw =
      "{ 'businessMessagesAgent': { 'authorizationConfig': { 'endpointUrl': 'https://provider.example/authorize', }, }, }"
    const url = `${emu.url}/v1/${emu.agentName}?updateMask=businessMessagesAgent.authorizationConfig`
    const res = await call(url, { method: 'PATCH', token, raw })
    assert.equal(res.status, 200)
    assert.deepEqual(res.body.businessMessagesAgent.authorizationConfig, {
      endpointUrl: 'https://provider.example/authorize',
    })
    assert.equal(res.body.displayName, 'Emulated Tree Bank', 'fields outside the mask are kept')
    const again = await call(`${emu.url}/v1/${emu.agentName}`, { token })
    assert.deepEqual(again.body, res.body, 'PATCH returns the full stored Agent')
  })

  test('a named path absent from the body is cleared; snake_case paths work; body name is ignored', async (t) => {
    const { emu, token } = await setUp(t)
    const url = `${emu.url}/v1/${emu.agentName}`
    const set = { businessMessagesAgent: { authorizationConfig: { endpointUrl: 'https://p.example/auth' } } }
    await call(`${url}?updateMask=businessMessagesAgent.authorizationConfig`, { method: 'PATCH', token, body: set })
    const cleared = await call(`${url}?updateMask=business_messages_agent.authorization_config`, {
      method: 'PATCH',
      token,
      body: { name: 'brands/1/agents/2', displayName: 'ignored by the mask' },
    })
    assert.equal(cleared.status, 200)
    assert.equal(cleared.body.businessMessagesAgent.authorizationConfig, undefined)
    assert.equal(cleared.body.name, emu.agentName)
    assert.equal(cleared.body.displayName, 'Emulated Tree Bank')
  })

  test('without updateMask only populated fields change (AIP-134)', async (t) => {
    const { emu, token } = await setUp(t)
    const res = await call(`${emu.url}/v1/${emu.agentName}`, {
      method: 'PATCH',
      token,
      body: { businessMessagesAgent: { customAgentId: 'oauth' } },
    })
    assert.equal(res.status, 200)
    assert.equal(res.body.businessMessagesAgent.customAgentId, 'oauth')
    assert.equal(res.body.businessMessagesAgent.defaultLocale, 'en')
    assert.equal(res.body.displayName, 'Emulated Tree Bank')
  })

  test('an invalid mask path, an unknown body field or a bad endpointUrl is a 400 naming it', async (t) => {
    const { emu, token } = await setUp(t)
    const url = `${emu.url}/v1/${emu.agentName}`
    const badPath = await call(`${url}?updateMask=businessMessagesAgent.authorisationConfig`, {
      method: 'PATCH',
      token,
      body: {},
    })
    assert.equal(badPath.status, 400)
    assert.equal(badPath.body.error.status, 'INVALID_ARGUMENT')
    assert.match(badPath.body.error.message, /businessMessagesAgent\.authorisationConfig/)
    const unknown = await call(url, { method: 'PATCH', token, body: { businessMessagesAgent: { webhook: 'x' } } })
    assert.equal(unknown.status, 400)
    assert.match(unknown.body.error.message, /Unknown name "webhook"/)
    const badURL = await call(`${url}?updateMask=businessMessagesAgent.authorizationConfig`, {
      method: 'PATCH',
      token,
      body: { businessMessagesAgent: { authorizationConfig: { endpointUrl: 'not a url' } } },
    })
    assert.equal(badURL.status, 400)
    assert.match(badURL.body.error.message, /authorizationConfig\.endpointUrl/)
    const badJSON = await call(url, { method: 'PATCH', token, raw: '{"displayName": ' })
    assert.equal(badJSON.status, 400)
    assert.match(badJSON.body.error.message, /^Invalid JSON payload received\./)
  })

  test('unknown agent → 404 NOT_FOUND on get, patch and delete (docs/contract-decisions.md §10 Q8)', async (t) => {
    const { emu, token } = await setUp(t)
    const url = `${emu.url}/v1/brands/1/agents/2`
    for (const method of ['GET', 'PATCH', 'DELETE']) {
      const res = await call(url, { method, token, ...(method === 'PATCH' ? { body: {} } : {}) })
      assert.equal(res.status, 404, method)
      assert.equal(res.body.error.status, 'NOT_FOUND', method)
    }
  })

  test('create, list with pageSize/pageToken, delete', async (t) => {
    const { emu, token } = await setUp(t)
    const brand = emu.agentName.split('/agents/')[0]
    const created: string[] = []
    for (let i = 0; i < 4; i++) {
      const res = await call(`${emu.url}/v1/${brand}/agents`, {
        token,
        body: { displayName: `Agent ${i}`, businessMessagesAgent: { customAgentId: `c${i}` } },
      })
      assert.equal(res.status, 200)
      created.push(res.body.name)
    }
    const seen: string[] = []
    let pageToken = ''
    for (let page = 0; page < 5; page++) {
      const res = await call(
        `${emu.url}/v1/${brand}/agents?pageSize=2${pageToken === '' ? '' : `&pageToken=${pageToken}`}`,
        { token },
      )
      assert.equal(res.status, 200)
      assert.ok(res.body.agents.length <= 2)
      seen.push(...res.body.agents.map((a: { name: string }) => a.name))
      if (res.body.nextPageToken === undefined) break
      pageToken = res.body.nextPageToken
    }
    assert.deepEqual(seen, [emu.agentName, ...created])
    const badToken = await call(`${emu.url}/v1/${brand}/agents?pageToken=garbage`, { token })
    assert.equal(badToken.status, 400)
    const deleted = await call(`${emu.url}/v1/${created[0]}`, { method: 'DELETE', token })
    assert.deepEqual([deleted.status, deleted.body], [200, {}])
    assert.equal((await call(`${emu.url}/v1/${created[0]}`, { token })).status, 404)
  })
})

describe('partners (docs/contract-decisions.md §1.6, §10 "webhook key via API")', () => {
  test('patching the webhook URL issues a new client token, returns it and runs the handshake with it', async (t) => {
    const { emu, token } = await setUp(t)
    const hook = await startWebhookServer(t)
    const before = readFileSync(emu.webhookClientTokenPath, 'utf8')
    const url = `${emu.url}/v1/${emu.partnerName}?updateMask=productCapabilities`
    const body = {
      productCapabilities: [{ product: 'BUSINESS_MESSAGES', businessMessagesCapability: { webhookUrl: hook.url } }],
    }
    const res = await call(url, { method: 'PATCH', token, body })
    assert.equal(res.status, 200)
    const cap = res.body.productCapabilities[0].businessMessagesCapability
    assert.equal(cap.webhookUrl, hook.url)
    assert.equal(typeof cap.webhookClientToken, 'string')
    assert.notEqual(cap.webhookClientToken, before)
    assert.equal(readFileSync(emu.webhookClientTokenPath, 'utf8'), cap.webhookClientToken)
    assert.deepEqual(hook.handshakes, [cap.webhookClientToken])
    assert.equal(cap.webhookVerification.verified, true)
    const got = await call(`${emu.url}/v1/${emu.partnerName}`, { token })
    assert.equal(got.body.productCapabilities[0].businessMessagesCapability.webhookClientToken, cap.webhookClientToken)
  })

  test('a failing handshake is reported, a non-https remote URL refused, an unknown partner 404', async (t) => {
    const { emu, token } = await setUp(t)
    const url = `${emu.url}/v1/${emu.partnerName}?updateMask=productCapabilities`
    const dead = {
      productCapabilities: [
        { product: 'BUSINESS_MESSAGES', businessMessagesCapability: { webhookUrl: 'http://127.0.0.1:9/none' } },
      ],
    }
    const res = await call(url, { method: 'PATCH', token, body: dead })
    assert.equal(res.status, 200)
    assert.equal(res.body.productCapabilities[0].businessMessagesCapability.webhookVerification.verified, false)
    const insecure = {
      productCapabilities: [{ businessMessagesCapability: { webhookUrl: 'http://example.com/hook' } }],
    }
    assert.equal((await call(url, { method: 'PATCH', token, body: insecure })).status, 400)
    assert.equal((await call(`${emu.url}/v1/partners/1`, { token })).status, 404)
  })
  test("while the new webhook's handshake runs, deliveries still go to the old URL signed with its key", async (t) => {
    const emu = await startTestEmulator(t, { webhookTimeoutMs: 30_000 })
    const token = await mintAccessToken(emu, [BC_SCOPE])
    const url = `${emu.url}/v1/${emu.partnerName}?updateMask=productCapabilities`
    const webhookAt = (webhookUrl: string): object => ({
      productCapabilities: [{ product: 'BUSINESS_MESSAGES', businessMessagesCapability: { webhookUrl } }],
    })
    const oldHook = await startWebhookServer(t)
    const first = await call(url, { method: 'PATCH', token, body: webhookAt(oldHook.url) })
    const oldKey = first.body.productCapabilities[0].businessMessagesCapability.webhookClientToken as string
    const newHook = await startHeldHandshakeServer(t)
    const patching = call(url, { method: 'PATCH', token, body: webhookAt(newHook.url) })
    await newHook.reached
    const opened = await call(`${emu.url}/emulator/v1/conversations`, { body: { displayName: 'Michael' } })
    const control = `${emu.url}/emulator/v1/conversations/${opened.body.conversationId}`
    const sent = await call(`${control}/messages`, { body: { text: 'hi' } })
    assert.equal(sent.status, 200)
    const delivered = await waitFor(() => oldHook.requests.find((r) => r.rawBody.includes('"hi"')))
    const expected = createHmac('sha512', oldKey).update(delivered.rawBody).digest('base64')
    assert.equal(delivered.headers['x-goog-signature'], expected)
    assert.equal(readFileSync(emu.webhookClientTokenPath, 'utf8'), oldKey)
    newHook.release()
    const second = await patching
    const cap = second.body.productCapabilities[0].businessMessagesCapability
    assert.equal(cap.webhookVerification.verified, true)
    assert.notEqual(cap.webhookClientToken, oldKey)
    assert.equal(readFileSync(emu.webhookClientTokenPath, 'utf8'), cap.webhookClientToken)
  })
})

/** A webhook whose handshake answer waits for `release()`; `reached` resolves when the handshake arrives. */
interface HeldHandshakeServer {
  url: string
  reached: Promise<void>
  release: () => void
}

async function startHeldHandshakeServer(t: TestContext): Promise<HeldHandshakeServer> {
  const reached = Promise.withResolvers<void>()
  const released = Promise.withResolvers<void>()
  const server = createServer((req, res) => {
    const chunks: Buffer[] = []
    req.on('data', (c: Buffer) => chunks.push(c))
    req.on('end', () => {
      const body = JSON.parse(Buffer.concat(chunks).toString('utf8')) as { secret?: string }
      reached.resolve()
      void released.promise.then(() => res.writeHead(200, { 'content-type': 'text/plain' }).end(body.secret ?? ''))
    })
  })
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  const address = server.address()
  const port = typeof address === 'object' && address !== null ? address.port : 0
  t.after(() => {
    released.resolve()
    return new Promise<void>((resolve) => server.close(() => resolve()))
  })
  return { url: `http://127.0.0.1:${port}/webhook`, reached: reached.promise, release: () => released.resolve() }
}
