/**
 * The control API and the simulated device
 * (docs/contract-decisions.md §3.1–3.7, §4.2, §7 items 3–5, §10 Q1–Q4): user actions become signed
 * webhook deliveries; the sign-in chip builds the documented authorization URL and the provider's
 * redirect becomes an authenticationResponse.
 */
import assert from 'node:assert/strict'
import { createHmac } from 'node:crypto'
import { readFileSync } from 'node:fs'
import { describe, test } from 'node:test'
import type { RunningEmulator } from '../index.ts'
import {
  BC_SCOPE,
  BM_SCOPE,
  call,
  mintAccessToken,
  recordingLogger,
  startTestEmulator,
  startWebhookServer,
  waitFor,
  type TestWebhookServer,
} from '../test-support/harness.ts'

interface Setup {
  emu: RunningEmulator
  hook: TestWebhookServer
  token: string
  conversationId: string
  control: string
  logs: unknown[]
}

async function setUp(t: Parameters<typeof startTestEmulator>[0]): Promise<Setup> {
  const hook = await startWebhookServer(t)
  const logs: unknown[] = []
  const emu = await startTestEmulator(t, { webhookUrl: hook.url, logger: recordingLogger(logs) })
  const token = await mintAccessToken(emu, [BM_SCOPE, BC_SCOPE])
  const opened = await call(`${emu.url}/emulator/v1/conversations`, {
    body: { entryPoint: 'PLACESHEET', displayName: 'Michael', locale: 'en' },
  })
  const conversationId = opened.body.conversationId as string
  return { emu, hook, token, conversationId, control: `${emu.url}/emulator/v1/conversations/${conversationId}`, logs }
}

/** Waits for the n-th (1-based) non-handshake delivery and returns its parsed body. */
async function delivery(
  s: Setup,
  n: number,
): Promise<{ body: Record<string, any>; raw: string; signature: string | undefined }> {
  const req = await waitFor(() => s.hook.requests[n - 1])
  const signature = req.headers['x-goog-signature']
  return {
    body: JSON.parse(req.rawBody),
    raw: req.rawBody,
    signature: typeof signature === 'string' ? signature : undefined,
  }
}

async function sendAgentMessage(s: Setup, body: Record<string, unknown>): Promise<string> {
  const res = await call(`${s.emu.url}/v1/conversations/${s.conversationId}/messages`, { token: s.token, body })
  assert.equal(res.status, 200, JSON.stringify(res.body))
  return res.body.name as string
}

async function configureEndpoint(s: Setup, endpointUrl: string): Promise<void> {
  const url = `${s.emu.url}/v1/${s.emu.agentName}?updateMask=businessMessagesAgent.authorizationConfig`
  const res = await call(url, {
    method: 'PATCH',
    token: s.token,
    body: { businessMessagesAgent: { authorizationConfig: { endpointUrl } } },
  })
  assert.equal(res.status, 200)
}

const chip = (extra: Record<string, unknown> = {}) => ({
  authenticationRequest: {
    oauth: {
      clientId: 'bank-app',
      codeChallenge: 'E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM',
      scopes: ['openid', 'profile'],
      ...extra,
    },
  },
})

describe('device → webhook deliveries (docs/contract-decisions.md §3)', () => {
  test('user text arrives as a UserMessage signed with HMAC-SHA512 of the raw body (docs/contract-decisions.md §3.7)', async (t) => {
    const s = await setUp(t)
    assert.deepEqual(await waitFor(() => s.hook.handshakes[0]), readFileSync(s.emu.webhookClientTokenPath, 'utf8'))
    const sent = await call(`${s.control}/messages`, { body: { text: "Hi, I'd like to add 5 credits to my account" } })
    assert.equal(sent.status, 200)
    const d = await delivery(s, 1)
    const key = readFileSync(s.emu.webhookClientTokenPath, 'utf8')
    assert.equal(d.signature, createHmac('sha512', key).update(d.raw, 'utf8').digest('base64'))
    assert.equal(d.body.agent, s.emu.agentName)
    assert.equal(d.body.conversationId, s.conversationId)
    assert.equal(d.body.requestId, sent.body.requestId)
    assert.equal(d.body.customAgentId, 'bm-oauth-emulated')
    assert.equal(d.body.message.text, "Hi, I'd like to add 5 credits to my account")
    assert.equal(d.body.message.name, sent.body.name)
    assert.deepEqual(d.body.context.userInfo, { displayName: 'Michael', userDeviceLocale: 'en' })
  })

  test('chips: reply tap → suggestionResponse; liveAgentRequest → requestedLiveAgent; stale chips → 409', async (t) => {
    const s = await setUp(t)
    const name = await sendAgentMessage(s, {
      messageId: 'menu',
      text: 'Pick one',
      suggestions: [{ reply: { text: 'Balance', postbackData: 'balance' } }, { liveAgentRequest: {} }],
    })
    await call(`${s.control}/suggestions`, { body: { index: 0 } })
    const d = await delivery(s, 1)
    assert.deepEqual(
      { ...d.body.suggestionResponse, createTime: undefined },
      {
        message: name,
        postbackData: 'balance',
        text: 'Balance',
        type: 'REPLY',
        createTime: undefined,
      },
    )
    const stale = await call(`${s.control}/suggestions`, { body: { index: 1 } })
    assert.equal(stale.status, 409, 'the user bubble made the chips disappear (docs/contract-decisions.md §2.2)')
    const view = await call(s.control)
    assert.equal(view.body.transcript[0].chipsActive, false)
    await sendAgentMessage(s, { messageId: 'menu-2', text: 'Need help?', suggestions: [{ liveAgentRequest: {} }] })
    await call(`${s.control}/suggestions`, { body: { index: 0 } })
    assert.equal((await delivery(s, 2)).body.userStatus.requestedLiveAgent, true)
  })

  test('faults: signature missing, then a pretty body signed over its exact bytes', async (t) => {
    const s = await setUp(t)
    const set = await call(`${s.emu.url}/emulator/v1/faults`, {
      method: 'PATCH',
      body: { webhook: { signature: 'missing' } },
    })
    assert.equal(set.body.webhook.signature, 'missing')
    await call(`${s.control}/typing`, { body: { isTyping: true } })
    const d = await delivery(s, 1)
    assert.equal(d.signature, undefined)
    assert.equal(d.body.userStatus.isTyping, true)
    const bad = await call(`${s.emu.url}/emulator/v1/faults`, {
      method: 'PATCH',
      body: { webhook: { signature: 'maybe' } },
    })
    assert.equal(bad.status, 400)
    await call(`${s.emu.url}/emulator/v1/faults`, {
      method: 'PATCH',
      body: { webhook: { signature: 'valid', bodyFormat: 'pretty' } },
    })
    await call(`${s.control}/typing`, { body: { isTyping: false } })
    const pretty = await delivery(s, 2)
    assert.match(pretty.raw, /\n/)
    const key = readFileSync(s.emu.webhookClientTokenPath, 'utf8')
    assert.equal(pretty.signature, createHmac('sha512', key).update(pretty.raw, 'utf8').digest('base64'))
  })
})

describe('sign-in chip (docs/contract-decisions.md §4.2, §10 Q1–Q4)', () => {
  test('start builds the authorization URL; the redirect Location becomes authenticationResponse {code, redirectUri}', async (t) => {
    const s = await setUp(t)
    await configureEndpoint(s, 'https://provider.example/authorize?tenant=bank')
    await sendAgentMessage(s, { messageId: 'signin', text: 'Sign in to continue.', suggestions: [chip()] })
    const started = await call(`${s.control}/signin/start`, { body: {} })
    assert.equal(started.status, 200)
    assert.equal(started.body.redirectUri, 'https://business.google.com/callback')
    const auth = new URL(started.body.authorizationUrl)
    assert.equal(`${auth.origin}${auth.pathname}`, 'https://provider.example/authorize')
    assert.deepEqual(Object.fromEntries(auth.searchParams), {
      tenant: 'bank',
      response_type: 'code',
      client_id: 'bank-app',
      redirect_uri: 'https://business.google.com/callback',
      scope: 'openid profile',
      state: started.body.state,
      code_challenge: 'E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM',
      code_challenge_method: 'plain', // omitted by the agent → documented default (docs/contract-decisions.md §10 Q1)
    })
    const location = `https://business.google.com/callback?code=SplxlOBeZQQYbYS6WxSbIA&state=${started.body.state}`
    const wrongState = await call(`${s.control}/signin/complete`, {
      body: { location: location.replace(/state=.*/, 'state=forged') },
    })
    assert.equal(wrongState.status, 400)
    const done = await call(`${s.control}/signin/complete`, { body: { location } })
    assert.equal(done.status, 200)
    assert.equal(done.body.outcome, 'code')
    const d = await delivery(s, 1)
    assert.deepEqual(d.body.authenticationResponse, {
      code: 'SplxlOBeZQQYbYS6WxSbIA',
      redirectUri: 'https://business.google.com/callback',
    })
    assert.equal((await call(`${s.control}/signin/complete`, { body: { location } })).status, 409, 'single use')
    assert.ok(!JSON.stringify(s.logs).includes('SplxlOBeZQQYbYS6WxSbIA'), 'the code never reaches logs')
    assert.ok(
      !JSON.stringify(s.logs).includes(readFileSync(s.emu.webhookClientTokenPath, 'utf8')),
      'nor the client token',
    )
    assert.ok(!JSON.stringify(s.logs).includes(s.token), 'nor the access token')
  })

  test('android surface with S256; a provider error becomes errorDetails ACCESS_DENIED', async (t) => {
    const s = await setUp(t)
    await configureEndpoint(s, 'https://provider.example/authorize')
    await sendAgentMessage(s, {
      messageId: 'signin',
      text: 'Sign in.',
      suggestions: [chip({ codeChallengeMethod: 'S256' })],
    })
    const started = await call(`${s.control}/signin/start`, { body: { surface: 'android' } })
    assert.equal(started.body.redirectUri, 'https://business.google.com/message?az-intent-type=1')
    assert.equal(new URL(started.body.authorizationUrl).searchParams.get('code_challenge_method'), 'S256')
    const location = `https://business.google.com/message?az-intent-type=1&error=access_denied&error_description=user+said+no&state=${started.body.state}`
    const done = await call(`${s.control}/signin/complete`, { body: { location } })
    assert.deepEqual([done.body.outcome, done.body.error], ['error', 'ACCESS_DENIED'])
    assert.deepEqual((await delivery(s, 1)).body.authenticationResponse, {
      errorDetails: { error: 'ACCESS_DENIED', errorDescription: 'user said no' },
    })
  })

  test('no chip on the newest message or no endpointUrl → 409; cancel delivers ACCESS_DENIED', async (t) => {
    const s = await setUp(t)
    assert.equal((await call(`${s.control}/signin/start`, { body: {} })).status, 409)
    await sendAgentMessage(s, { messageId: 'signin', text: 'Sign in.', suggestions: [chip()] })
    const noEndpoint = await call(`${s.control}/signin/start`, { body: {} })
    assert.equal(noEndpoint.status, 409)
    assert.match(noEndpoint.body.error.message, /authorizationConfig\.endpointUrl/)
    await configureEndpoint(s, 'https://provider.example/authorize')
    assert.equal((await call(`${s.control}/signin/start`, { body: {} })).status, 200)
    const cancelled = await call(`${s.control}/signin/cancel`, { body: {} })
    assert.equal(cancelled.status, 200)
    assert.deepEqual((await delivery(s, 1)).body.authenticationResponse.errorDetails.error, 'ACCESS_DENIED')
    assert.equal((await call(`${s.control}/signin/cancel`, { body: {} })).status, 409)
  })

  test('stand-in redirect target at the emulator origin completes the sign-in (browser demo)', async (t) => {
    const s = await setUp(t)
    await configureEndpoint(s, 'https://provider.example/authorize')
    await sendAgentMessage(s, { messageId: 'signin', text: 'Sign in.', suggestions: [chip()] })
    const started = await call(`${s.control}/signin/start`, { body: { standIn: true } })
    assert.equal(started.body.redirectUri, `${s.emu.url}/callback`)
    const page = await fetch(`${s.emu.url}/callback?code=demo-code&state=${encodeURIComponent(started.body.state)}`)
    assert.equal(page.status, 200)
    assert.match(page.headers.get('content-type') ?? '', /text\/html/)
    assert.match(await page.text(), /close this window/)
    assert.deepEqual((await delivery(s, 1)).body.authenticationResponse, {
      code: 'demo-code',
      redirectUri: `${s.emu.url}/callback`,
    })
    assert.equal(
      (await fetch(`${s.emu.url}/callback?code=again&state=${encodeURIComponent(started.body.state)}`)).status,
      400,
    )
  })
})

describe('operator routes', () => {
  test('the start-up log shows the webhook URL without its query or user info', async (t) => {
    const hook = await startWebhookServer(t)
    const logs: unknown[] = []
    const withSecret = `${hook.url.replace('http://', 'http://user:pw@')}?key=query-secret`
    await startTestEmulator(t, { webhookUrl: withSecret, logger: recordingLogger(logs) })
    const started = logs.find((l) => (l as { event?: string }).event === 'emulator.started') as { webhookUrl: string }
    assert.equal(started.webhookUrl, hook.url)
    assert.ok(!JSON.stringify(logs).includes('query-secret'))
    assert.ok(!JSON.stringify(logs).includes('pw@'))
  })

  test('clock advance, state summary and deliveries inspection (no signing key in output)', async (t) => {
    const s = await setUp(t)
    const before = await call(`${s.emu.url}/emulator/v1/clock`)
    const after = await call(`${s.emu.url}/emulator/v1/clock/advance`, { body: { ms: 3_600_000 } })
    assert.equal(after.body.offsetMs, before.body.offsetMs + 3_600_000)
    await call(`${s.control}/messages`, { body: { text: 'hello' } })
    await delivery(s, 1)
    const state = await call(`${s.emu.url}/emulator/v1/state`)
    assert.equal(state.body.agentName, s.emu.agentName)
    assert.equal(state.body.webhookUrl, s.hook.url)
    const deliveries = await call(`${s.emu.url}/emulator/v1/deliveries?conversation=${s.conversationId}`)
    assert.equal(deliveries.body.deliveries.length, 1)
    const key = readFileSync(s.emu.webhookClientTokenPath, 'utf8')
    assert.ok(!JSON.stringify(deliveries.body).includes(key))
    assert.ok(!JSON.stringify(state.body).includes(key))
    const form = await call(`${s.control}/messages`, {
      raw: 'text=hi',
      contentType: 'application/x-www-form-urlencoded',
    })
    assert.equal(form.status, 415, 'control POSTs need a JSON content type')
  })

  test('state counts and the message log across conversations, each conversation oldest first', async (t) => {
    const s = await setUp(t)
    const second = await call(`${s.emu.url}/emulator/v1/conversations`, { body: { displayName: 'Nia' } })
    const otherId = second.body.conversationId as string
    await call(`${s.emu.url}/emulator/v1/conversations/${otherId}/messages`, { body: { text: 'two' } })
    await call(`${s.control}/messages`, { body: { text: 'one' } })
    await call(`${s.control}/messages`, { body: { text: 'three' } })
    await delivery(s, 3)
    const all = await call(`${s.emu.url}/emulator/v1/messages`)
    const texts = all.body.entries.map((e: { conversationId: string; body: { message?: { text?: string } } }) => [
      e.conversationId,
      e.body.message?.text,
    ])
    // Conversations come in the order the conversation list shows them (creation time, then id).
    const listed = await call(`${s.emu.url}/emulator/v1/conversations`)
    const byConversation: Record<string, string[][]> = {
      [s.conversationId]: [
        [s.conversationId, 'one'],
        [s.conversationId, 'three'],
      ],
      [otherId]: [[otherId, 'two']],
    }
    assert.deepEqual(
      texts,
      listed.body.conversations.flatMap((c: { id: string }) => byConversation[c.id]),
    )
    const one = await call(`${s.emu.url}/emulator/v1/messages?conversation=${otherId}`)
    assert.deepEqual(
      one.body.entries.map((e: { body: { message?: { text?: string } } }) => e.body.message?.text),
      ['two'],
    )
    const state = await call(`${s.emu.url}/emulator/v1/state`)
    assert.deepEqual(state.body.counts, { agents: 1, conversations: 2, logEntries: 3, deliveries: 3 })
  })
})
