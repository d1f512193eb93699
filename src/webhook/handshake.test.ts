import assert from 'node:assert/strict'
import { test } from 'node:test'
import { answerHandshake, detectHandshake } from './handshake.ts'

const enc = (value: unknown): Uint8Array => new TextEncoder().encode(JSON.stringify(value))

test('detects only a JSON object with exactly the string keys clientToken and secret', () => {
  assert.deepEqual(detectHandshake(enc({ clientToken: 'SJENCPGJESMGUFPY', secret: '0123456789' })), {
    clientToken: 'SJENCPGJESMGUFPY',
    secret: '0123456789',
  })
  for (const notOne of [
    { clientToken: 't' },
    { clientToken: 't', secret: 's', requestId: 'r' },
    { clientToken: 't', secret: 1 },
    ['clientToken', 'secret'],
    'x',
  ]) {
    assert.equal(detectHandshake(enc(notOne)), undefined)
  }
  assert.equal(detectHandshake(new TextEncoder().encode('{"clientToken": "t", "secret": ')), undefined)
})

test('W7 right clientToken → 200 text/plain with the secret as the whole body', () => {
  const answer = answerHandshake({ clientToken: 'SJENCPGJESMGUFPY', secret: '0123456789' }, 'SJENCPGJESMGUFPY')
  assert.equal(answer.status, 200)
  assert.match(answer.headers['content-type'] ?? '', /^text\/plain/)
  assert.equal(answer.body, '0123456789')
})

test('W7 wrong or unconfigured clientToken → 401 and the secret is not echoed', () => {
  for (const configured of ['SJENCPGJESMGUFPY', undefined, '']) {
    const answer = answerHandshake({ clientToken: 'WRONG', secret: '0123456789' }, configured)
    assert.deepEqual(answer, { status: 401, headers: {}, body: '' })
  }
  assert.equal(answerHandshake({ clientToken: '', secret: 's' }, undefined).status, 401)
})
