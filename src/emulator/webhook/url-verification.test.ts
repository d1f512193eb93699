import assert from 'node:assert/strict'
import { describe, test } from 'node:test'
import { recordingLogger, setUpDispatcher } from './test-support/dispatcher-fixture.ts'
import { status, type Responder } from './test-support/webhook-server.ts'

const CLIENT_TOKEN = 'SJENCPGJESMGUFPY'

const echo =
  (suffix: string): Responder =>
  (req, res) => {
    res.writeHead(200, { 'content-type': 'text/plain' }).end(JSON.parse(req.body).secret + suffix)
  }

// docs/contract-decisions.md §3.6 and §10 Q6: unsigned POST {clientToken, secret}; pass iff 200 and
// body == secret.
describe('WebhookDispatcher.verifyWebhook', () => {
  test('passes when the webhook echoes the secret as plain text; the POST is unsigned', async (t) => {
    const lines: unknown[] = []
    const { hook, dispatcher } = await setUpDispatcher(t, { logger: recordingLogger(lines) })
    hook.script.push(echo(''))
    const result = await dispatcher.verifyWebhook(hook.url, CLIENT_TOKEN)
    assert.deepEqual(result, { ok: true, status: 200, detail: 'webhook echoed the secret' })
    const [request] = hook.received
    const body = JSON.parse(request!.body)
    assert.deepEqual(Object.keys(body), ['clientToken', 'secret'])
    assert.equal(body.clientToken, CLIENT_TOKEN)
    assert.match(body.secret, /^\d{16}$/)
    assert.equal(request!.headers['x-goog-signature'], undefined)
    assert.equal(request!.headers['content-type'], 'application/json')
    assert.ok(!JSON.stringify([result, lines]).includes(CLIENT_TOKEN), 'token not in result or logs')
    assert.ok(!JSON.stringify([result, lines]).includes(body.secret), 'secret not in result or logs')
  })

  test('docs/contract-decisions.md §3.6 a trailing newline after the secret fails: the body must be the secret and nothing else', async (t) => {
    const { hook, dispatcher } = await setUpDispatcher(t)
    hook.script.push(echo('\n'))
    assert.equal((await dispatcher.verifyWebhook(hook.url, CLIENT_TOKEN)).ok, false)
  })

  test('fails when the body is not exactly the secret (e.g. JSON {"secret": …} as RBM webhooks answer)', async (t) => {
    const { hook, dispatcher } = await setUpDispatcher(t)
    hook.script.push((req, res) => {
      res
        .writeHead(200, { 'content-type': 'application/json' })
        .end(JSON.stringify({ secret: JSON.parse(req.body).secret }))
    })
    const result = await dispatcher.verifyWebhook(hook.url, CLIENT_TOKEN)
    assert.equal(result.ok, false)
    assert.equal(result.status, 200)
    assert.match(result.detail, /not the plain-text secret/)
  })

  test('fails on a status other than 200, including a redirect', async (t) => {
    const { hook, dispatcher } = await setUpDispatcher(t)
    hook.script.push(status(401), status(302, { location: '/elsewhere' }), (req, res) => {
      res.writeHead(201).end(JSON.parse(req.body).secret)
    })
    for (const expected of [401, 302, 201]) {
      const result = await dispatcher.verifyWebhook(hook.url, CLIENT_TOKEN)
      assert.deepEqual(result, { ok: false, status: expected, detail: `expected status 200, got ${expected}` })
    }
    assert.equal(hook.received.length, 3, 'the redirect was not followed')
  })

  test('fails without a response (timeout)', async (t) => {
    const { hook, dispatcher } = await setUpDispatcher(t, { timeoutMs: 150 })
    hook.script.push(() => {})
    const result = await dispatcher.verifyWebhook(hook.url, CLIENT_TOKEN)
    assert.deepEqual(result, { ok: false, status: undefined, detail: 'timeout after 150 ms' })
  })
})
