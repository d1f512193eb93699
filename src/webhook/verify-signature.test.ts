import assert from 'node:assert/strict'
import { createHmac } from 'node:crypto'
import { test } from 'node:test'
import { isBmOAuthError } from '../errors.ts'
import { verifyWebhookSignature } from './verify-signature.ts'

const KEY = 'partner-key-current'
const OLD_KEY = 'partner-key-previous'
const rawBody = new TextEncoder().encode('{"requestId":"r-1","message":{"messageId":"m","text":"hi"}}')
const sign = (body: Uint8Array, key: string, alg = 'sha512'): string =>
  createHmac(alg, key).update(body).digest('base64')

const mismatch = (err: unknown): boolean => isBmOAuthError(err, 'ERR_WEBHOOK_SIGNATURE_MISMATCH') && err.status === 401

test('fixed vector: docs/contract-decisions.md §3.4 example body, docs example token as key (computed with openssl)', () => {
  // printf '%s' "$BODY" | openssl dgst -sha512 -hmac SJENCPGJESMGUFPY -binary | base64
  const body =
    '{"agent":"brands/1111/agents/2222","conversationId":"3333","customAgentId":"oauth","requestId":"r-1","message":{"messageId":"4444","name":"conversations/3333/messages/4444","text":"Add 5 credits","createTime":"2020-10-02T15:05:23.045123456Z"},"sendTime":"2020-10-02T15:05:24.045123456Z"}'
  const signature = 'OXZvSxRJMFzJzuYDt5Nr4/+39HsI55t3RnY+0zrjRrMKd/N7AAzYZgR26BeaY72QdB0xA/XJifJXPK3CHH+/cw=='
  assert.equal(
    verifyWebhookSignature({
      rawBody: new TextEncoder().encode(body),
      signatureHeader: signature,
      keys: ['SJENCPGJESMGUFPY'],
    }),
    0,
  )
})

test('a signature computed independently with createHmac verifies', () => {
  assert.equal(verifyWebhookSignature({ rawBody, signatureHeader: sign(rawBody, KEY), keys: [KEY] }), 0)
})

test('W1 missing or empty X-Goog-Signature → ERR_WEBHOOK_SIGNATURE_MISSING (401)', () => {
  for (const signatureHeader of [undefined, '', '   ']) {
    assert.throws(
      () => verifyWebhookSignature({ rawBody, signatureHeader, keys: [KEY] }),
      (err) => isBmOAuthError(err, 'ERR_WEBHOOK_SIGNATURE_MISSING') && err.status === 401,
    )
  }
})

test('W2 one flipped bit, or the signature of a different body → mismatch', () => {
  const good = Buffer.from(sign(rawBody, KEY), 'base64')
  good[10] = good[10]! ^ 0x01
  assert.throws(
    () => verifyWebhookSignature({ rawBody, signatureHeader: good.toString('base64'), keys: [KEY] }),
    mismatch,
  )
  const other = sign(new TextEncoder().encode('{"requestId":"r-2"}'), KEY)
  assert.throws(() => verifyWebhookSignature({ rawBody, signatureHeader: other, keys: [KEY] }), mismatch)
  assert.throws(
    () => verifyWebhookSignature({ rawBody, signatureHeader: sign(rawBody, 'wrong key'), keys: [KEY] }),
    mismatch,
  )
})

test('W3 a different length or invalid base64 → mismatch (401), never a crash', () => {
  const good = sign(rawBody, KEY)
  for (const signatureHeader of [
    good.slice(0, -4),
    `${good}AAAA`,
    '!!!not-base64!!!',
    'QQ==',
    good.replace(/==$/, ''),
  ]) {
    assert.throws(() => verifyWebhookSignature({ rawBody, signatureHeader, keys: [KEY] }), mismatch)
  }
})

test('W5 HMAC-SHA256, hex, base64url and sha512= prefixed forms are refused', () => {
  const raw = createHmac('sha512', KEY).update(rawBody).digest()
  const forms = [
    sign(rawBody, KEY, 'sha256'),
    raw.toString('hex'),
    raw.toString('base64url'),
    `sha512=${raw.toString('base64')}`,
  ]
  for (const signatureHeader of forms) {
    assert.throws(() => verifyWebhookSignature({ rawBody, signatureHeader, keys: [KEY] }), mismatch)
  }
})

test('W6 rotation: the previous key is accepted while configured, refused once removed', () => {
  const byOld = sign(rawBody, OLD_KEY)
  assert.equal(verifyWebhookSignature({ rawBody, signatureHeader: byOld, keys: [KEY, OLD_KEY] }), 1)
  assert.equal(verifyWebhookSignature({ rawBody, signatureHeader: sign(rawBody, KEY), keys: [KEY, OLD_KEY] }), 0)
  assert.throws(() => verifyWebhookSignature({ rawBody, signatureHeader: byOld, keys: [KEY] }), mismatch)
})

test('the key is not in the error, and no keys at all is a configuration error', () => {
  assert.throws(
    () => verifyWebhookSignature({ rawBody, signatureHeader: sign(rawBody, 'x'), keys: [KEY] }),
    (err) => mismatch(err) && !JSON.stringify({ ...(err as object), m: (err as Error).message }).includes(KEY),
  )
  assert.throws(
    () => verifyWebhookSignature({ rawBody, signatureHeader: 'x', keys: [] }),
    (err) => isBmOAuthError(err, 'ERR_INVALID_ARGUMENT'),
  )
})
