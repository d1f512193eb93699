import { test } from 'node:test'
import assert from 'node:assert/strict'
import { inspect } from 'node:util'
import { ManualClock } from '../../core/clock.ts'
import { isBmOAuthError } from '../../errors.ts'
import { createIntrospectionVerifier, validateIntrospection } from './introspection.ts'

const ISSUER = 'http://127.0.0.1:4000'
const NOW = Date.parse('2026-03-14T15:00:00Z')
const ACTIVE = {
  active: true,
  sub: 'user-alice',
  client_id: 'bm-agent',
  exp: NOW / 1000 + 600,
  iat: NOW / 1000,
  iss: ISSUER,
  scope: 'openid accounts.read',
  token_type: 'Bearer',
}
const expect = { issuer: ISSUER, nowMs: NOW }

test('RFC 7662 §2.2: an active bearer access token is accepted', () => {
  assert.deepEqual(validateIntrospection(ACTIVE, expect), {
    sub: 'user-alice',
    clientId: 'bm-agent',
    scopes: ['openid', 'accounts.read'],
    expiresAt: NOW + 600_000,
  })
})

test('inactive, refresh (no token_type), expired, foreign issuer, no sub, wrong client or audience → refused', () => {
  const { token_type: _omit, ...refresh } = ACTIVE
  const cases: Record<string, unknown> = {
    inactive: { active: false },
    'active as a string': { ...ACTIVE, active: 'true' },
    refresh,
    'other token type': { ...ACTIVE, token_type: 'DPoP' },
    expired: { ...ACTIVE, exp: NOW / 1000 },
    'not yet valid': { ...ACTIVE, nbf: NOW / 1000 + 60 },
    'foreign issuer': { ...ACTIVE, iss: 'http://evil.test' },
    'no sub (client credentials)': { ...ACTIVE, sub: undefined },
    'not an object': 'active',
  }
  for (const [name, body] of Object.entries(cases)) assert.equal(validateIntrospection(body, expect), undefined, name)
  assert.equal(validateIntrospection(ACTIVE, { ...expect, allowedClients: ['other'] }), undefined)
  assert.ok(validateIntrospection(ACTIVE, { ...expect, allowedClients: ['bm-agent'] }))
  assert.equal(validateIntrospection(ACTIVE, { ...expect, audience: 'bank' }), undefined)
  assert.ok(validateIntrospection({ ...ACTIVE, aud: ['x', 'bank'] }, { ...expect, audience: 'bank' }))
})

test('the verifier discovers the endpoint once and authenticates with client_secret_basic', async () => {
  const calls: { url: string; auth: string | null; body: string }[] = []
  const verify = createIntrospectionVerifier({
    issuer: ISSUER,
    clientId: 'bank api',
    clientSecret: 's:cret',
    clock: new ManualClock(NOW),
    fetch: async (input, init) => {
      const url = String(input)
      calls.push({ url, auth: new Headers(init?.headers).get('authorization'), body: String(init?.body ?? '') })
      if (url.endsWith('/.well-known/openid-configuration')) {
        return Response.json({ issuer: ISSUER, introspection_endpoint: `${ISSUER}/token/introspection` })
      }
      return Response.json(ACTIVE)
    },
  })
  assert.equal((await verify('tok-1'))?.sub, 'user-alice')
  assert.equal((await verify('tok-2'))?.sub, 'user-alice')
  assert.deepEqual(
    calls.map((c) => c.url),
    [`${ISSUER}/.well-known/openid-configuration`, `${ISSUER}/token/introspection`, `${ISSUER}/token/introspection`],
  )
  assert.equal(calls[1]?.auth, `Basic ${Buffer.from('bank+api:s%3Acret').toString('base64')}`)
  assert.equal(calls[1]?.body, 'token=tok-1&token_type_hint=access_token')
})

test('provider failures throw coded errors that never carry the token', async () => {
  const token = 'secret-token-value'
  const failures: [string, () => Promise<Response>][] = [
    ['ERR_UNEXPECTED_RESPONSE', async () => new Response('oops', { status: 500 })],
    ['ERR_UNEXPECTED_RESPONSE', async () => new Response('not json', { status: 200 })],
    ['ERR_NETWORK', async () => Promise.reject(new TypeError(`fetch failed for ${token}`))],
  ]
  for (const [code, respond] of failures) {
    const verify = createIntrospectionVerifier({
      issuer: ISSUER,
      clientId: 'bank',
      clientSecret: 'x',
      endpoint: `${ISSUER}/token/introspection`,
      fetch: respond,
    })
    const err = await verify(token).catch((e: unknown) => e)
    assert.ok(isBmOAuthError(err, code as 'ERR_NETWORK'), String(err))
    assert.equal(inspect(err, { showHidden: true, depth: 5 }).includes(token), false)
  }
})
