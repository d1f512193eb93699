import assert from 'node:assert/strict'
import { createHmac } from 'node:crypto'
import { describe, test } from 'node:test'
import { signWebhookBody } from './sign.ts'

// docs/contract-decisions.md §3.7: X-Goog-Signature = standard base64 (padded) of HMAC-SHA512(utf8
// key, raw body bytes).
describe('signWebhookBody', () => {
  const body = '{"agent":"brands/1111/agents/2222","conversationId":"3333","requestId":"r-1"}'

  test('matches an independent createHmac computation', () => {
    const expected = createHmac('sha512', 'SJENCPGJESMGUFPY').update(Buffer.from(body)).digest('base64')
    assert.equal(signWebhookBody(body, 'SJENCPGJESMGUFPY'), expected)
  })

  test('fixed known vector (derived once with `openssl dgst -sha512 -hmac SJENCPGJESMGUFPY -binary | base64`)', () => {
    assert.equal(
      signWebhookBody(body, 'SJENCPGJESMGUFPY'),
      '0qoLFCXUKLwXRee0DPvmWEev+0jzKaGGE+zw+95ONbACmwG5HfVeNZTWF5WkjcEPmrtCmqpEU+yFOftPtYwsRQ==',
    )
  })

  test('key and body are taken as UTF-8 bytes; string and Uint8Array bodies agree (openssl vector)', () => {
    const expected = 'xlJi/ccCMcHRRJcP717xV7B+u+cPbn+1LRyrKiPJ6KqUW9bgNw/5C75yNtQ75xdxCxAyDCeFLYZO10Cmd9ztaQ=='
    assert.equal(signWebhookBody('héllo', 'kéy'), expected)
    assert.equal(signWebhookBody(new TextEncoder().encode('héllo'), 'kéy'), expected)
  })

  test('output is standard padded base64 of 64 bytes, not base64url', () => {
    const sig = signWebhookBody('x', 'k')
    assert.match(sig, /^[A-Za-z0-9+/]{86}==$/)
    assert.equal(Buffer.from(sig, 'base64').length, 64)
  })
})
