import { before, describe, test } from 'node:test'
import assert from 'node:assert/strict'
import { inspect } from 'node:util'
import { decodeProtectedHeader, exportPKCS8, generateKeyPair, jwtVerify } from 'jose'
import { ManualClock } from '../core/clock.ts'
import { BmOAuthError } from '../errors.ts'
import type { ServiceAccountKey } from './service-account-key.ts'
import {
  GOOGLE_TOKEN_URL,
  ServiceAccountCredentials,
  ServiceAccountTokenError,
  StaticAccessTokenSource,
  createAuthorizationHeader,
} from './service-account.ts'
import { expiredTimeoutSignal, json, refuse, scriptedFetch, type RecordedCall } from './fake-fetch.test-util.ts'

const TOKEN_URI = 'http://127.0.0.1:9999/token'
let key: ServiceAccountKey
let publicKey: CryptoKey

before(async () => {
  const pair = await generateKeyPair('RS256', { extractable: true })
  publicKey = pair.publicKey
  key = {
    type: 'service_account',
    client_email: 'agent@demo.iam.gserviceaccount.com',
    private_key: await exportPKCS8(pair.privateKey),
    private_key_id: 'kid-42',
    token_uri: TOKEN_URI,
  }
})

function assertionOf(call: RecordedCall): string {
  const form = new URLSearchParams(call.body)
  assert.equal(form.get('grant_type'), 'urn:ietf:params:oauth:grant-type:jwt-bearer')
  return form.get('assertion') ?? ''
}

let issued = 0
const tokenReply = () => json({ access_token: `ya29.token-${++issued}`, expires_in: 3600, token_type: 'Bearer' })

describe('ServiceAccountCredentials (docs/contract-decisions.md §5.2, RFC 7523)', () => {
  test('posts a verifiable RS256 assertion to the key file token_uri', async () => {
    const clock = new ManualClock()
    const { fetch, calls } = scriptedFetch(tokenReply)
    const credentials = new ServiceAccountCredentials(key, { scopes: ['businessmessages'], fetch, clock })
    const token = await credentials.getAccessToken()
    assert.match(token, /^ya29\.token-\d+$/)
    assert.equal(calls.length, 1)
    const [call] = calls as [RecordedCall]
    assert.equal(call.url, TOKEN_URI)
    assert.equal(call.method, 'POST')
    assert.equal(call.headers.get('content-type'), 'application/x-www-form-urlencoded')
    const assertion = assertionOf(call)
    const { payload } = await jwtVerify(assertion, publicKey, {
      issuer: key.client_email,
      audience: TOKEN_URI,
      currentDate: new Date(clock.now()),
    })
    assert.equal(payload.scope, 'https://www.googleapis.com/auth/businessmessages')
    assert.equal(payload.iat, Math.floor(clock.now() / 1000))
    assert.equal(payload.exp, (payload.iat ?? 0) + 3600)
    assert.deepEqual(decodeProtectedHeader(assertion), { alg: 'RS256', kid: 'kid-42' })
  })

  test('space-joins scopes and defaults to Google token URL without token_uri', async () => {
    const { token_uri: _, private_key_id: __, ...plainKey } = key
    const { fetch, calls } = scriptedFetch(tokenReply)
    const credentials = new ServiceAccountCredentials(plainKey, {
      scopes: ['businessmessages', 'https://www.googleapis.com/auth/businesscommunications'],
      fetch,
    })
    await credentials.getAccessToken()
    assert.equal(calls[0]?.url, GOOGLE_TOKEN_URL)
    const assertion = assertionOf(calls[0] as RecordedCall)
    const { payload } = await jwtVerify(assertion, publicKey, { audience: GOOGLE_TOKEN_URL })
    assert.equal(
      payload.scope,
      'https://www.googleapis.com/auth/businessmessages https://www.googleapis.com/auth/businesscommunications',
    )
    assert.deepEqual(decodeProtectedHeader(assertion), { alg: 'RS256' })
  })

  test('caches the token until expires_in minus the margin, by the injected clock', async () => {
    const clock = new ManualClock()
    const { fetch, calls } = scriptedFetch(tokenReply)
    const credentials = new ServiceAccountCredentials(key, { scopes: ['businessmessages'], fetch, clock })
    const first = await credentials.getAccessToken()
    clock.advance(3600_000 - 60_001)
    assert.equal(await credentials.getAccessToken(), first)
    assert.equal(calls.length, 1)
    clock.advance(1)
    const second = await credentials.getAccessToken()
    assert.notEqual(second, first)
    assert.equal(calls.length, 2)
    credentials.invalidate()
    assert.notEqual(await credentials.getAccessToken(), second)
    assert.equal(calls.length, 3)
  })

  test('refresh is single-flight: 10 concurrent callers cause one request', async () => {
    let release!: () => void
    const gate = new Promise<void>((resolve) => (release = resolve))
    const { fetch, calls } = scriptedFetch(async () => {
      await gate
      return tokenReply()
    })
    const credentials = new ServiceAccountCredentials(key, { scopes: ['businessmessages'], fetch })
    const pending = Array.from({ length: 10 }, () => credentials.getAccessToken())
    release()
    const tokens = await Promise.all(pending)
    assert.equal(new Set(tokens).size, 1)
    assert.equal(calls.length, 1)
  })

  test('an error reply becomes ServiceAccountTokenError with error and error_description', async () => {
    const { fetch } = scriptedFetch(() =>
      json({ error: 'invalid_scope', error_description: 'Invalid OAuth scope or ID token audience provided.' }, 400),
    )
    const credentials = new ServiceAccountCredentials(key, { scopes: ['businessmessages'], fetch })
    await assert.rejects(credentials.getAccessToken(), (err: unknown) => {
      assert.ok(err instanceof ServiceAccountTokenError)
      assert.equal(err.code, 'ERR_SERVICE_ACCOUNT_TOKEN')
      assert.equal(err.error, 'invalid_scope')
      assert.equal(err.error_description, 'Invalid OAuth scope or ID token audience provided.')
      assert.equal(err.httpStatus, 400)
      assert.match(err.message, /invalid_scope \(Invalid OAuth scope/)
      return true
    })
  })

  test('a non-JSON error reply and a 2xx without a token are typed errors', async () => {
    const html = scriptedFetch(() => new Response('<html>bad gateway</html>', { status: 502 }))
    const a = new ServiceAccountCredentials(key, { scopes: ['businessmessages'], fetch: html.fetch })
    await assert.rejects(a.getAccessToken(), { code: 'ERR_SERVICE_ACCOUNT_TOKEN', error: 'http_502' })
    const empty = scriptedFetch(() => json({ token_type: 'Bearer' }))
    const b = new ServiceAccountCredentials(key, { scopes: ['businessmessages'], fetch: empty.fetch })
    await assert.rejects(b.getAccessToken(), { code: 'ERR_UNEXPECTED_RESPONSE' })
  })

  test('network failure → ERR_NETWORK, timeout → ERR_HTTP_TIMEOUT; next call retries', async () => {
    const down = scriptedFetch(refuse, tokenReply)
    const a = new ServiceAccountCredentials(key, { scopes: ['businessmessages'], fetch: down.fetch })
    await assert.rejects(a.getAccessToken(), (err: unknown) => {
      assert.ok(err instanceof BmOAuthError)
      assert.equal(err.code, 'ERR_NETWORK')
      assert.match(err.message, /ECONNREFUSED/)
      return true
    })
    assert.match(await a.getAccessToken(), /^ya29/)
    const slow = scriptedFetch((call) => Promise.reject(call.signal?.reason))
    const b = new ServiceAccountCredentials(key, {
      scopes: ['businessmessages'],
      fetch: slow.fetch,
      timeoutSignal: expiredTimeoutSignal,
      timeoutMs: 1234,
    })
    await assert.rejects(b.getAccessToken(), {
      code: 'ERR_HTTP_TIMEOUT',
      message: `POST ${TOKEN_URI} timed out after 1234 ms`,
    })
  })

  test('a key that is not RSA PKCS#8 fails with ERR_SERVICE_ACCOUNT_KEY', async () => {
    const bad = { ...key, private_key: '-----BEGIN PRIVATE KEY-----\nAAAA\n-----END PRIVATE KEY-----\n' }
    const { fetch, calls } = scriptedFetch(tokenReply)
    const credentials = new ServiceAccountCredentials(bad, { scopes: ['businessmessages'], fetch })
    await assert.rejects(credentials.getAccessToken(), { code: 'ERR_SERVICE_ACCOUNT_KEY' })
    assert.equal(calls.length, 0)
  })

  test('JSON and inspect forms show only the e-mail, never key, assertion or token', async () => {
    const { fetch, calls } = scriptedFetch(tokenReply)
    const credentials = new ServiceAccountCredentials(key, { scopes: ['businessmessages'], fetch })
    const token = await credentials.getAccessToken()
    const assertion = assertionOf(calls[0] as RecordedCall)
    const shown = [
      JSON.stringify(credentials),
      inspect(credentials, { depth: 10, showHidden: true }),
      String(credentials),
    ]
    for (const text of shown) {
      assert.ok(text.includes(key.client_email) || text === '[object Object]', text)
      for (const secret of [token, assertion, 'PRIVATE KEY', key.private_key.slice(40, 80)]) {
        assert.ok(!text.includes(secret), `leaked in: ${text}`)
      }
    }
    assert.deepEqual(JSON.parse(JSON.stringify(credentials)), {
      type: 'ServiceAccountCredentials',
      client_email: key.client_email,
    })
  })

  test('createAuthorizationHeader returns a Bearer value', async () => {
    assert.equal(await createAuthorizationHeader(new StaticAccessTokenSource('abc')), 'Bearer abc')
    assert.equal(JSON.stringify(new StaticAccessTokenSource('abc')), '{"type":"StaticAccessTokenSource"}')
  })
})
