import assert from 'node:assert/strict'
import { createHmac } from 'node:crypto'
import { describe, test } from 'node:test'
import {
  AGENT,
  SIGNING_KEY,
  recordingLogger,
  samplePayload,
  setUpDispatcher,
  waitUntil,
} from './test-support/dispatcher-fixture.ts'
import { status } from './test-support/webhook-server.ts'

const expectedSignature = (body: string): string => createHmac('sha512', SIGNING_KEY).update(body).digest('base64')

// docs/contract-decisions.md §3.5–3.7, §7 item 3, §10 Q6–Q7.
describe('WebhookDispatcher delivery', () => {
  test('POSTs the stored body bytes as JSON with a valid X-Goog-Signature; 200 = delivered', async (t) => {
    const lines: unknown[] = []
    const { hook, dispatcher } = await setUpDispatcher(t, { logger: recordingLogger(lines) })
    const record = dispatcher.enqueue(AGENT, samplePayload('r-1'))
    assert.equal(record.status, 'pending')
    assert.equal(record.requestId, 'r-1')
    assert.equal(record.conversationId, '3333')
    assert.equal(record.body, JSON.stringify(samplePayload('r-1')))
    await dispatcher.runDue()
    assert.equal(hook.received.length, 1)
    const [request] = hook.received
    assert.equal(request!.body, record.body)
    assert.equal(request!.headers['content-type'], 'application/json')
    assert.match(String(request!.headers['user-agent']), /Google/)
    assert.equal(request!.headers['x-goog-signature'], expectedSignature(record.body))
    const [stored] = dispatcher.list()
    assert.equal(stored!.status, 'delivered')
    assert.equal(stored!.attempts, 1)
    assert.equal(stored!.lastStatus, 200)
    assert.ok(!JSON.stringify(dispatcher.list()).includes(SIGNING_KEY), 'records carry no key')
    assert.ok(!JSON.stringify(lines).includes(SIGNING_KEY), 'logs carry no key')
  })

  test('any 2xx counts as delivered (204)', async (t) => {
    const { hook, dispatcher } = await setUpDispatcher(t)
    hook.fallback = status(204)
    dispatcher.enqueue(AGENT, samplePayload('r-1'))
    await dispatcher.runDue()
    assert.equal(dispatcher.list()[0]!.status, 'delivered')
  })

  test('signature fault "wrong" sends a signature that does not verify; "missing" sends none', async (t) => {
    const { hook, dispatcher } = await setUpDispatcher(t)
    dispatcher.faults.signature = 'wrong'
    const wrong = dispatcher.enqueue(AGENT, samplePayload('r-1'))
    await dispatcher.runDue()
    dispatcher.faults.signature = 'missing'
    dispatcher.enqueue(AGENT, samplePayload('r-2'))
    await dispatcher.runDue()
    const signature = hook.received[0]!.headers['x-goog-signature']
    assert.equal(typeof signature, 'string')
    assert.notEqual(signature, expectedSignature(wrong.body))
    assert.equal(Buffer.from(String(signature), 'base64').length, 64)
    assert.equal(hook.received[1]!.headers['x-goog-signature'], undefined)
  })

  test('E1 signature fault "sha256" signs with HMAC-SHA256 and the right key (a receiver must refuse it)', async (t) => {
    const { hook, dispatcher } = await setUpDispatcher(t)
    dispatcher.faults.signature = 'sha256'
    const record = dispatcher.enqueue(AGENT, samplePayload('r-1'))
    await dispatcher.runDue()
    const sent = String(hook.received[0]!.headers['x-goog-signature'])
    assert.equal(sent, createHmac('sha256', SIGNING_KEY).update(record.body).digest('base64'))
    assert.notEqual(sent, expectedSignature(record.body))
  })

  test('E1 body fault "pretty" sends indented JSON, correctly signed over those exact bytes', async (t) => {
    const { hook, dispatcher } = await setUpDispatcher(t)
    dispatcher.faults.bodyFormat = 'pretty'
    const record = dispatcher.enqueue(AGENT, samplePayload('r-1'))
    await dispatcher.runDue()
    const [request] = hook.received
    assert.equal(request!.body, JSON.stringify(samplePayload('r-1'), null, 2))
    assert.equal(request!.headers['x-goog-signature'], expectedSignature(record.body))
    assert.notEqual(request!.headers['x-goog-signature'], expectedSignature(JSON.stringify(JSON.parse(request!.body))))
  })

  test('500 then success: retried after backoff with the same requestId and body bytes', async (t) => {
    const { hook, dispatcher, clock } = await setUpDispatcher(t, { baseDelayMs: 1_000 })
    hook.script.push(status(500))
    const record = dispatcher.enqueue(AGENT, samplePayload('r-1'))
    await dispatcher.runDue()
    let [stored] = dispatcher.list()
    assert.equal(stored!.status, 'failed')
    assert.equal(stored!.attempts, 1)
    assert.equal(stored!.lastStatus, 500)
    assert.equal(stored!.lastError, 'HTTP 500')
    // random() = 0.5 ⇒ delay = 500 + 0.5 · 500 = 750 ms on the injected clock.
    assert.equal(stored!.nextAttemptAt, clock.now() + 750)
    await dispatcher.runDue()
    assert.equal(hook.received.length, 1, 'not due yet')
    clock.advance(750)
    await dispatcher.runDue()
    assert.equal(hook.received.length, 2)
    assert.equal(hook.received[0]!.body, record.body)
    assert.equal(hook.received[1]!.body, record.body)
    assert.equal(JSON.parse(hook.received[1]!.body).requestId, 'r-1')
    ;[stored] = dispatcher.list()
    assert.equal(stored!.status, 'delivered')
    assert.equal(stored!.attempts, 2)
  })

  test('a 302 redirect is a failure and is not followed', async (t) => {
    const { hook, dispatcher } = await setUpDispatcher(t)
    hook.script.push(status(302, { location: hook.url.replace('/webhook', '/elsewhere') }))
    dispatcher.enqueue(AGENT, samplePayload('r-1'))
    await dispatcher.runDue()
    const [stored] = dispatcher.list()
    assert.equal(stored!.status, 'failed')
    assert.equal(stored!.lastStatus, 302)
    assert.match(stored!.lastError!, /redirect 302/)
    assert.deepEqual(
      hook.received.map((r) => r.path),
      ['/webhook'],
    )
  })

  test('a webhook that does not answer within timeoutMs is a failure', async (t) => {
    const { hook, dispatcher } = await setUpDispatcher(t, { timeoutMs: 150 })
    hook.script.push(() => {}) // never answers
    dispatcher.enqueue(AGENT, samplePayload('r-1'))
    await dispatcher.runDue()
    const [stored] = dispatcher.list()
    assert.equal(stored!.status, 'failed')
    assert.equal(stored!.lastStatus, undefined)
    assert.equal(stored!.lastError, 'timeout after 150 ms')
  })

  test('an unreachable webhook is a failure (network error)', async (t) => {
    const { hook, dispatcher, targets } = await setUpDispatcher(t)
    const url = hook.url
    await hook.close()
    targets.set(AGENT, { url, signingKey: SIGNING_KEY })
    dispatcher.enqueue(AGENT, samplePayload('r-1'))
    await dispatcher.runDue()
    const [stored] = dispatcher.list()
    assert.equal(stored!.status, 'failed')
    assert.match(stored!.lastError!, /^network error/)
  })

  test('no target configured: stays queued without counting an attempt, delivered once one appears', async (t) => {
    const { hook, dispatcher, targets, clock } = await setUpDispatcher(t, { baseDelayMs: 1_000 })
    const target = targets.get(AGENT)!
    targets.clear()
    dispatcher.enqueue(AGENT, samplePayload('r-1'))
    await dispatcher.runDue()
    let [stored] = dispatcher.list()
    assert.equal(stored!.status, 'pending')
    assert.equal(stored!.attempts, 0)
    targets.set(AGENT, target)
    clock.advance(1_000)
    await dispatcher.runDue()
    ;[stored] = dispatcher.list()
    assert.equal(stored!.status, 'delivered')
    assert.equal(hook.received.length, 1)
  })

  test('overlapping runDue calls never attempt the same delivery twice', async (t) => {
    const { hook, dispatcher } = await setUpDispatcher(t)
    dispatcher.enqueue(AGENT, samplePayload('r-1'))
    await Promise.all([dispatcher.runDue(), dispatcher.runDue(), dispatcher.runDue()])
    assert.equal(hook.received.length, 1)
  })

  test('agents are independent: a hanging webhook of one agent does not hold up another', async (t) => {
    const { hook, dispatcher, targets } = await setUpDispatcher(t)
    const other = 'brands/1111/agents/9999'
    targets.set(other, { url: hook.url.replace('/webhook', '/other'), signingKey: 'other-key' })
    let release: () => void = () => {}
    hook.script.push((_req, res) => {
      release = () => res.writeHead(200).end()
    })
    dispatcher.enqueue(AGENT, samplePayload('r-1'))
    dispatcher.enqueue(other, { ...samplePayload('r-2'), agent: other })
    const run = dispatcher.runDue()
    // The second agent's delivery completes while the first agent's webhook still hangs.
    await waitUntil(() => dispatcher.list({ agentName: other })[0]!.status === 'delivered')
    assert.equal(dispatcher.list({ agentName: AGENT })[0]!.status, 'pending')
    const toOther = hook.received.find((r) => r.path === '/other')!
    const otherSignature = createHmac('sha512', 'other-key').update(toOther.body).digest('base64')
    assert.equal(toOther.headers['x-goog-signature'], otherSignature, 'each agent is signed with its own key')
    await waitUntil(() => hook.received.some((r) => r.path === '/webhook'))
    release()
    await run
    assert.equal(dispatcher.list({ agentName: AGENT })[0]!.status, 'delivered')
  })

  test('start() polls in the background and stop() waits for attempts in flight', async (t) => {
    const { hook, dispatcher } = await setUpDispatcher(t, { pollIntervalMs: 10 })
    dispatcher.start()
    dispatcher.enqueue(AGENT, samplePayload('r-1'))
    await hook.waitFor(1)
    await dispatcher.stop()
    assert.equal(dispatcher.list()[0]!.status, 'delivered')
  })
})
