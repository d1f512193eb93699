import assert from 'node:assert/strict'
import { afterEach, beforeEach, test } from 'node:test'
import { ManualClock } from '../core/clock.ts'
import type { Database } from '../db/queryable.ts'
import { isBmOAuthError } from '../errors.ts'
import type { InboxStore } from './inbox-store.ts'
import {
  createWebhookReceiver,
  type RecordedDelivery,
  type WebhookReceiverOptions,
  type WebhookRequest,
} from './receiver.ts'
import { DAY_MS } from './replay-window.ts'
import {
  CLIENT_TOKEN,
  KEY,
  NOW,
  capturingLogger,
  enc,
  eventBody,
  openTestInbox,
  sign,
  type CapturingLogger,
} from './test-support/receiver-fixtures.ts'

let db: Database
let inbox: InboxStore
let count: (table?: string) => Promise<number>
let logger: CapturingLogger
let recorded: RecordedDelivery[]

beforeEach(async () => {
  ;({ db, inbox, count } = await openTestInbox())
  logger = capturingLogger()
  recorded = []
})
afterEach(() => db.close())

function receiver(options: Partial<WebhookReceiverOptions> = {}) {
  const sink = recorded // bound now: a late notification from an earlier test must not land here
  return createWebhookReceiver({
    keys: [KEY],
    clientToken: CLIENT_TOKEN,
    inbox,
    clock: new ManualClock(NOW),
    logger,
    onRecorded: (d) => {
      sink.push(d)
    },
    ...options,
  })
}

function post(rawBody: Uint8Array, headers: Record<string, string> = {}): WebhookRequest {
  return { method: 'POST', headers: { 'content-type': 'application/json', ...headers }, rawBody }
}
const signed = (rawBody: Uint8Array, key = KEY): WebhookRequest =>
  post(rawBody, { 'x-goog-signature': sign(rawBody, key) })
const tick = (): Promise<void> => new Promise((resolve) => setImmediate(resolve))

test('a signed event is recorded, acked with 200, and the processor is told afterwards', async () => {
  const res = await receiver().handle(signed(eventBody()))
  assert.deepEqual(res, { status: 200, headers: {}, body: '' })
  assert.equal(await count(), 1)
  assert.equal(recorded.length, 0, 'notified only after the response was produced')
  await tick()
  assert.deepEqual(
    recorded.map((d) => [d.id, d.event.kind]),
    [['r:r-1', 'message']],
  )
})

test('W1 missing X-Goog-Signature → 401 before parsing, empty body, no side effects', async () => {
  const res = await receiver().handle(post(enc('{not json')))
  assert.deepEqual(res, { status: 401, headers: {}, body: '' })
  assert.equal(await count(), 0)
  assert.equal(await count('webhook_quarantine'), 0)
})

test('W2 wrong signature (other key, other body, flipped bit) → 401, no side effects', async () => {
  const body = eventBody()
  const flipped = Buffer.from(sign(body), 'base64')
  flipped[0] = flipped[0]! ^ 0x80
  for (const signature of [
    sign(body, 'other-key'),
    sign(eventBody({ requestId: 'r-9' })),
    flipped.toString('base64'),
  ]) {
    const res = await receiver().handle(post(body, { 'x-goog-signature': signature }))
    assert.deepEqual(res, { status: 401, headers: {}, body: '' })
  }
  assert.equal(await count(), 0)
})

test('W3 signature of a different length or not base64 → 401, not 500', async () => {
  for (const signature of ['QQ==', 'not base64 at all', sign(eventBody()).slice(4)]) {
    assert.equal((await receiver().handle(post(eventBody(), { 'x-goog-signature': signature }))).status, 401)
  }
})

test('W5 a valid HMAC-SHA256 of the body → 401', async () => {
  const body = eventBody()
  assert.equal((await receiver().handle(post(body, { 'x-goog-signature': sign(body, KEY, 'sha256') }))).status, 401)
})

test('W6 rotation: previous key accepted while configured, rejected after removal', async () => {
  const body = eventBody()
  assert.equal((await receiver({ keys: ['new-key', KEY] }).handle(signed(body))).status, 200)
  assert.equal((await receiver({ keys: ['new-key'] }).handle(signed(eventBody({ requestId: 'r-2' })))).status, 401)
})

test('W7 handshake: right clientToken → 200 text/plain secret; wrong → 401 without the secret', async () => {
  const ok = await receiver().handle(post(enc({ clientToken: CLIENT_TOKEN, secret: '0123456789' })))
  assert.equal(ok.status, 200)
  assert.match(ok.headers['content-type'] ?? '', /^text\/plain/)
  assert.equal(ok.body, '0123456789')
  const bad = await receiver().handle(post(enc({ clientToken: 'WRONG', secret: '0123456789' })))
  assert.deepEqual(bad, { status: 401, headers: {}, body: '' })
  assert.equal(await count(), 0)
})

test('W7 a body with a third key is not a handshake: unsigned → 401', async () => {
  const res = await receiver().handle(post(enc({ clientToken: CLIENT_TOKEN, secret: 's', requestId: 'r' })))
  assert.deepEqual(res, { status: 401, headers: {}, body: '' })
})

test('W8 body over maxBodyBytes → 413 before the signature check', async () => {
  const body = eventBody({ message: { messageId: 'm', text: 'x'.repeat(2048) } })
  const res = await receiver({ maxBodyBytes: 1024 }).handle(post(body, { 'x-goog-signature': 'garbage' }))
  assert.equal(res.status, 413)
  assert.equal(await count(), 0)
})

test('W9 signed but unprocessable (bad JSON, unknown type, wrong field type) → 200 and quarantined', async () => {
  const bodies = [
    enc('{"requestId": "r", "message": '),
    enc({ requestId: 'r', feedbackResponse: {} }),
    enc({ message: { text: 7.5e300, messageId: {} } }),
  ]
  const r = receiver()
  for (const body of bodies) assert.deepEqual(await r.handle(signed(body)), { status: 200, headers: {}, body: '' })
  assert.equal(await count('webhook_quarantine'), 3)
  assert.equal(await count(), 0)
  // A valid event after them: once its notification has come, any for the quarantined bodies would have.
  await r.handle(signed(eventBody()))
  await tick()
  assert.deepEqual(
    recorded.map((d) => d.id),
    ['r:r-1'],
  )
  const alerts = logger.lines
    .filter((l) => l.level === 'error' && 'bodyBytes' in l.obj)
    .map((l) => l.obj as { outcome?: string; bodyBytes?: number })
  assert.deepEqual(
    alerts.map((a) => [a.outcome, a.bodyBytes]),
    bodies.map((b) => ['new', b.byteLength]),
    'one alert-level record per quarantined body',
  )
})

test('W10 duplicate deliveries (sequential and 10 concurrent) → 200 each, one record, one notification', async () => {
  const r = receiver()
  const body = eventBody()
  assert.equal((await r.handle(signed(body))).status, 200)
  const results = await Promise.all(Array.from({ length: 10 }, () => r.handle(signed(body))))
  assert.ok(results.every((res) => res.status === 200))
  const other = eventBody({ requestId: 'r-2' })
  await Promise.all(Array.from({ length: 10 }, () => r.handle(signed(other))))
  await tick()
  assert.equal(await count(), 2)
  assert.deepEqual(recorded.map((d) => d.id).sort(), ['r:r-1', 'r:r-2'])
})

test('W11 sendTime beyond 7 days + skew, or > 5 min ahead → acked and dropped; 3 days old → processed once', async () => {
  const r = receiver()
  const at = (ms: number): string => new Date(ms).toISOString()
  assert.equal(
    (await r.handle(signed(eventBody({ requestId: 'old', sendTime: at(NOW - 7 * DAY_MS - 6 * 60_000) })))).status,
    200,
  )
  assert.equal((await r.handle(signed(eventBody({ requestId: 'future', sendTime: at(NOW + 6 * 60_000) })))).status, 200)
  assert.equal(await count(), 0)
  const retry = eventBody({ requestId: 'retry', sendTime: at(NOW - 3 * DAY_MS) })
  await r.handle(signed(retry))
  await r.handle(signed(retry))
  await tick()
  assert.deepEqual(
    recorded.map((d) => d.id),
    ['r:retry'],
  )
  const dropped = logger.lines.filter((l) => l.level === 'warn' && 'verdict' in l.obj)
  assert.deepEqual(
    dropped.map((l) => (l.obj as { verdict: string }).verdict),
    ['too-old', 'in-future'],
    'each dropped event logged with its verdict',
  )
})

test('W12 a slow processor does not delay the ack', async () => {
  let release!: () => void
  const gate = new Promise<void>((resolve) => (release = resolve))
  let finished = false
  const r = receiver({
    onRecorded: async () => {
      await gate
      finished = true
    },
  })
  const res = await r.handle(signed(eventBody()))
  assert.equal(res.status, 200)
  await tick()
  assert.equal(finished, false, 'acked while the processor is still waiting')
  release()
})

test('W15 GET/PUT → 405 with Allow: POST; non-JSON content type → 415; charset is fine', async () => {
  for (const method of ['GET', 'PUT']) {
    assert.deepEqual(await receiver().handle({ method, headers: {}, rawBody: new Uint8Array() }), {
      status: 405,
      headers: { allow: 'POST' },
      body: '',
    })
  }
  const body = eventBody()
  const res415 = await receiver().handle({
    method: 'POST',
    headers: { 'content-type': 'text/plain', 'x-goog-signature': sign(body) },
    rawBody: body,
  })
  assert.deepEqual(res415, { status: 415, headers: {}, body: '' })
  const charset = await receiver().handle(
    post(body, { 'content-type': 'application/json; charset=UTF-8', 'x-goog-signature': sign(body) }),
  )
  assert.equal(charset.status, 200)
})

test('a store failure is not acknowledged: 500, so Google redelivers', async () => {
  const r = receiver()
  await db.close()
  assert.equal((await r.handle(signed(eventBody()))).status, 500)
})

test('construction refuses to start without a key unless unsigned mode is explicit', () => {
  assert.throws(
    () => createWebhookReceiver({ inbox }),
    (err) => isBmOAuthError(err, 'ERR_CONFIG'),
  )
  assert.throws(
    () => createWebhookReceiver({ inbox, keys: [''] }),
    (err) => isBmOAuthError(err, 'ERR_CONFIG'),
  )
})

test('unsigned mode warns loudly at construction and accepts Google test-framework payloads', async () => {
  const r = receiver({ keys: [], unsafeDisableSignatureVerification: true })
  assert.ok(
    logger.lines.some(
      (l) =>
        l.level === 'warn' &&
        (l.obj as { unsafeDisableSignatureVerification?: boolean }).unsafeDisableSignatureVerification,
    ),
    'a warning flagged unsafeDisableSignatureVerification',
  )
  const testPayload = enc({
    requestId: 'tf-1',
    conversationId: 'CONVERSATION_ID',
    userStatus: { isTyping: 'BOOLEAN', createTime: 'CREATE_TIME' },
    sendTime: 'SEND_TIME',
    context: { entryPoint: 'CONVERSATION_ENTRYPOINT' },
  })
  assert.equal((await r.handle(post(testPayload))).status, 200)
  assert.equal(await count(), 1)
})

test('logs never contain the signing key, client token, handshake secret, code or signature', async () => {
  const r = receiver()
  const auth = eventBody({
    requestId: 'r-a',
    message: undefined,
    authenticationResponse: { code: 'CODE-XYZ-123', redirectUri: 'https://business.google.com/callback' },
  })
  await r.handle(signed(auth))
  await r.handle(post(auth, { 'x-goog-signature': sign(auth, 'bad') }))
  await r.handle(post(enc({ clientToken: CLIENT_TOKEN, secret: 'HANDSHAKE-SECRET' })))
  await r.handle(post(enc({ clientToken: 'nope', secret: 'HANDSHAKE-SECRET' })))
  await r.handle(signed(enc('{"authenticationResponse": {"code": "CODE-XYZ-123"')))
  const text = logger.text()
  for (const secret of [KEY, CLIENT_TOKEN, 'HANDSHAKE-SECRET', 'CODE-XYZ-123', sign(auth), sign(auth, 'bad')]) {
    assert.equal(text.includes(secret), false, 'a secret reached the log')
  }
})

test('W18 an event for an agent not served, or without agent among several, is acked, logged, counted and not recorded', async () => {
  const outcomes: string[] = []
  const served = receiver({ agents: ['brands/1/agents/2', 'brands/1/agents/3'], observe: (o) => outcomes.push(o) })
  const foreign = await served.handle(signed(eventBody({ agent: 'brands/999/agents/999', requestId: 'r-foreign' })))
  const noAgent = await served.handle(signed(eventBody({ agent: undefined, requestId: 'r-none' })))
  const listed = await served.handle(signed(eventBody({ agent: 'brands/1/agents/3', requestId: 'r-listed' })))
  assert.deepEqual([foreign.status, noAgent.status, listed.status], [200, 200, 200])
  assert.deepEqual(outcomes, ['foreign-agent', 'foreign-agent', 'accepted'])
  assert.equal(await count(), 1, 'only the listed agent’s event is recorded')
  await tick()
  assert.deepEqual(
    recorded.map((d) => d.id),
    ['r:r-listed'],
  )
  const ignored = logger.lines.filter((l) => l.msg?.includes('not served here'))
  assert.deepEqual(
    ignored.map((l) => (l.obj as { agent?: string }).agent),
    ['brands/999/agents/999', undefined],
  )
  for (const line of ignored) {
    assert.equal((line.obj as { channel?: string }).channel, 'business-messages')
    assert.doesNotMatch(JSON.stringify(line.obj), /hello|conv-1/, 'never the content or the conversation')
  }
})

test('W18 with exactly one agent served, an event without agent (Google’s test payloads) is that agent’s', async () => {
  const outcomes: string[] = []
  const res = await receiver({ agents: ['brands/1/agents/2'], observe: (o) => outcomes.push(o) }).handle(
    signed(eventBody({ agent: undefined })),
  )
  assert.equal(res.status, 200)
  assert.deepEqual(outcomes, ['accepted'])
  assert.equal(await count(), 1)
})
