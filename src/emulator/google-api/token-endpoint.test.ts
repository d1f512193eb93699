/**
 * Service-account token endpoint and bearer checks
 * (docs/contract-decisions.md §5.2, §10 "service-account tokens", §1.7, §2.1, §2.6 rows 401/403).
 * Assertions are signed in the test with the provisioned key file.
 */
import assert from 'node:assert/strict'
import { readFileSync } from 'node:fs'
import { describe, test } from 'node:test'
import {
  BC_SCOPE,
  BM_SCOPE,
  call,
  mintAccessToken,
  requestToken,
  signAssertion,
  startTestEmulator,
} from '../test-support/harness.ts'

describe('emulator /token (RFC 7523 JWT-bearer, §5.2)', () => {
  test('issues an opaque Bearer token for a good assertion, audience own URL or Google', async (t) => {
    const emu = await startTestEmulator(t)
    for (const aud of [
      `${emu.url}/token`,
      'https://oauth2.googleapis.com/token',
      'https://www.googleapis.com/oauth2/v4/token',
    ]) {
      const { status, body } = await requestToken(emu, await signAssertion(emu.keyFilePath, { aud }))
      assert.equal(status, 200, aud)
      assert.equal(body['token_type'], 'Bearer')
      assert.equal(body['expires_in'], 3600)
      assert.match(String(body['access_token']), /^ya29\./)
    }
  })

  test('refuses a wrong audience, a foreign issuer, an expired or too long-lived assertion, no scope', async (t) => {
    const emu = await startTestEmulator(t)
    const now = Math.floor(Date.now() / 1000)
    const cases: Array<[string, Record<string, unknown>, string]> = [
      ['wrong aud', { aud: 'https://example.com/token' }, 'invalid_grant'],
      ['wrong iss', { iss: 'someone@else.iam.gserviceaccount.com' }, 'invalid_grant'],
      ['expired', { iat: now - 7200, exp: now - 3600 }, 'invalid_grant'],
      ['too long', { iat: now, exp: now + 7200 }, 'invalid_grant'],
      ['future iat', { iat: now + 3600, exp: now + 5400 }, 'invalid_grant'],
      ['no scope', { scope: '' }, 'invalid_scope'],
    ]
    for (const [label, claims, error] of cases) {
      const { status, body } = await requestToken(emu, await signAssertion(emu.keyFilePath, claims))
      assert.equal(status, 400, label)
      assert.equal(body['error'], error, label)
      assert.equal(typeof body['error_description'], 'string', label)
    }
  })

  test("after a fast-forward, assertions on the agent's real time or on the emulator's time both work", async (t) => {
    const emu = await startTestEmulator(t)
    emu.clock.advance(24 * 3600_000)
    const real = await requestToken(emu, await signAssertion(emu.keyFilePath))
    assert.equal(real.status, 200)
    const shiftedNow = Math.floor(emu.clock.now() / 1000)
    const shifted = await requestToken(
      emu,
      await signAssertion(emu.keyFilePath, { iat: shiftedNow, exp: shiftedNow + 3600 }),
    )
    assert.equal(shifted.status, 200)
    const stale = await requestToken(
      emu,
      await signAssertion(emu.keyFilePath, { iat: shiftedNow - 7200, exp: shiftedNow - 3600 }),
    )
    assert.equal(stale.status, 400)
  })

  test('refuses an assertion signed with another key (bad signature)', async (t) => {
    const emu = await startTestEmulator(t)
    const other = await startTestEmulator(t)
    const { client_email: iss } = JSON.parse(readFileSync(emu.keyFilePath, 'utf8')) as { client_email: string }
    const forged = await signAssertion(other.keyFilePath, { iss, aud: `${emu.url}/token` })
    const { status, body } = await requestToken(emu, forged)
    assert.equal(status, 400)
    assert.equal(body['error'], 'invalid_grant')
    assert.equal(body['error_description'], 'Invalid JWT Signature.')
  })

  test('answers unsupported_grant_type and invalid_request', async (t) => {
    const emu = await startTestEmulator(t)
    const form = (params: Record<string, string>): Promise<Response> =>
      fetch(`${emu.url}/token`, {
        method: 'POST',
        headers: { 'content-type': 'application/x-www-form-urlencoded' },
        body: new URLSearchParams(params).toString(),
      })
    const wrongGrant = await form({ grant_type: 'client_credentials' })
    assert.equal(wrongGrant.status, 400)
    assert.equal(((await wrongGrant.json()) as { error: string }).error, 'unsupported_grant_type')
    const noAssertion = await form({ grant_type: 'urn:ietf:params:oauth:grant-type:jwt-bearer' })
    assert.equal(((await noAssertion.json()) as { error: string }).error, 'invalid_request')
  })
})

describe('emulator bearer checks (docs/contract-decisions.md §1.7, §2.6)', () => {
  test('401 UNAUTHENTICATED with WWW-Authenticate without, with an unknown, or with an expired token', async (t) => {
    const emu = await startTestEmulator(t)
    const agentURL = `${emu.url}/v1/${emu.agentName}`
    const none = await call(agentURL)
    assert.equal(none.status, 401)
    assert.equal(none.body.error.status, 'UNAUTHENTICATED')
    assert.equal(none.body.error.code, 401)
    assert.match(none.headers.get('www-authenticate') ?? '', /^Bearer/)
    const unknown = await call(agentURL, { token: 'ya29.not-issued-here' })
    assert.equal(unknown.status, 401)
    const token = await mintAccessToken(emu, [BC_SCOPE])
    assert.equal((await call(agentURL, { token })).status, 200)
    emu.clock.advance(3600_000)
    const expired = await call(agentURL, { token })
    assert.equal(expired.status, 401)
    assert.equal(expired.body.error.status, 'UNAUTHENTICATED')
  })

  test('403 PERMISSION_DENIED when the token lacks the API scope; cloud-platform grants both', async (t) => {
    const emu = await startTestEmulator(t)
    const bmOnly = await mintAccessToken(emu, [BM_SCOPE])
    const res = await call(`${emu.url}/v1/${emu.agentName}`, { token: bmOnly })
    assert.equal(res.status, 403)
    assert.deepEqual(res.body, {
      error: { code: 403, message: 'Request had insufficient authentication scopes.', status: 'PERMISSION_DENIED' },
    })
    const bcOnly = await mintAccessToken(emu, [BC_SCOPE])
    const bm = await call(`${emu.url}/v1/conversations/nope/messages`, {
      token: bcOnly,
      body: { messageId: 'm', text: 'x' },
    })
    assert.equal(bm.status, 403)
    assert.equal(bm.body.error.message, 'Request had insufficient authentication scopes.')
    const cloud = await mintAccessToken(emu, ['https://www.googleapis.com/auth/cloud-platform'])
    assert.equal((await call(`${emu.url}/v1/${emu.agentName}`, { token: cloud })).status, 200)
  })

  test('unknown paths answer a 404 NOT_FOUND envelope, wrong methods 405', async (t) => {
    const emu = await startTestEmulator(t)
    const missing = await call(`${emu.url}/v1/nothing/here`)
    assert.equal(missing.status, 404)
    assert.equal(missing.body.error.status, 'NOT_FOUND')
    const wrong = await call(`${emu.url}/token`)
    assert.equal(wrong.status, 405)
    assert.equal(wrong.headers.get('allow'), 'POST')
  })
})
