import assert from 'node:assert/strict'
import { createServer, request, type Server } from 'node:http'
import type { AddressInfo } from 'node:net'
import { after, before, test } from 'node:test'
import { ManualClock } from '../core/clock.ts'
import type { Database } from '../db/queryable.ts'
import { createNodeWebhookHandler } from './node-adapter.ts'
import { CLIENT_TOKEN, KEY, NOW, enc, eventBody, openTestInbox, sign } from './test-support/receiver-fixtures.ts'

const text = (bytes: Uint8Array): string => new TextDecoder().decode(bytes)

let server: Server
let base: string
let db: Database
let count: (table?: string) => Promise<number>

before(async () => {
  const opened = await openTestInbox()
  db = opened.db
  count = opened.count
  const handler = createNodeWebhookHandler({
    keys: [KEY],
    clientToken: CLIENT_TOKEN,
    inbox: opened.inbox,
    maxBodyBytes: 4096,
    clock: new ManualClock(NOW),
  })
  server = createServer(handler)
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}/webhook`
})
after(async () => {
  server.closeAllConnections()
  await new Promise((resolve) => server.close(resolve))
  await db.close()
})

test('a signed event over real HTTP → 200 and recorded', async () => {
  const body = eventBody({ requestId: 'http-1' })
  const res = await fetch(base, {
    method: 'POST',
    headers: { 'content-type': 'application/json', 'x-goog-signature': sign(body) },
    body: text(body),
  })
  assert.equal(res.status, 200)
  assert.equal(await res.text(), '')
  assert.equal(await count(), 1)
})

test('W1 over real HTTP: no X-Goog-Signature → 401 with an empty body', async () => {
  const res = await fetch(base, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: text(eventBody({ requestId: 'http-2' })),
  })
  assert.equal(res.status, 401)
  assert.equal(await res.text(), '')
})

test('W7 over real HTTP: handshake answered with the plain secret', async () => {
  const res = await fetch(base, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: text(enc({ clientToken: CLIENT_TOKEN, secret: '0123456789' })),
  })
  assert.equal(res.status, 200)
  assert.match(res.headers.get('content-type') ?? '', /^text\/plain/)
  assert.equal(await res.text(), '0123456789')
})

test('W15 over real HTTP: GET → 405 with Allow: POST', async () => {
  const res = await fetch(base)
  assert.equal(res.status, 405)
  assert.equal(res.headers.get('allow'), 'POST')
})

test('W8 over real HTTP: declared Content-Length over the cap → 413 without reading the body', async () => {
  const status = await rawPost({ 'content-length': '10000000', 'content-type': 'application/json' }, (req) =>
    req.write('{'),
  )
  assert.equal(status, 413)
})

test('W8 over real HTTP: chunked body with no Content-Length crossing the cap → 413', async () => {
  const status = await rawPost({ 'content-type': 'application/json', 'transfer-encoding': 'chunked' }, (req) => {
    for (let i = 0; i < 5; i++) req.write('x'.repeat(1024))
  })
  assert.equal(status, 413)
  assert.equal(await count('webhook_quarantine'), 0)
})

/** Sends headers and some body, resolves with the status without finishing the upload. */
function rawPost(
  headers: Record<string, string>,
  writeSome: (req: ReturnType<typeof request>) => void,
): Promise<number> {
  return new Promise((resolve, reject) => {
    const req = request(base, { method: 'POST', headers }, (res) => {
      res.resume()
      resolve(res.statusCode ?? 0)
      req.destroy()
    })
    req.on('error', reject)
    req.setTimeout(10_000, () => req.destroy(new Error('no answer within 10 s')))
    writeSome(req)
  })
}
