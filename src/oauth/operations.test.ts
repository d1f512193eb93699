import { generateKeyPairSync, sign } from 'node:crypto'
import { describe, test } from 'node:test'
import assert from 'node:assert/strict'
import { inspect } from 'node:util'
import { ManualClock } from '../core/clock.ts'
import type { FetchLike } from '../core/fetch.ts'
import { isBmOAuthError } from '../errors.ts'
import type { ErrorCode } from '../errors.ts'
import { calculateS256Challenge, generateCodeVerifier } from '../pkce/pkce.ts'
import { OAuthProtocolError, OAuthResponseError } from './errors.ts'
import { MAX_RESPONSE_BYTES } from './http.ts'
import { exchangeAuthorizationCode, fetchUserInfo, refreshTokens, revokeToken } from './operations.ts'
import { resolveProvider } from './provider.ts'
import type { OAuthProvider } from './provider.ts'

const ISSUER = 'https://login.example.test'
const SECRET = 'client-secret-never-printed'
const CODE = 'authorization-code-never-printed'
const VERIFIER = generateCodeVerifier()
const REDIRECT = 'https://business.google.com/message?az-intent-type=1&'
const JWKS_URI = `${ISSUER}/jwks`
const SIGNING_KEY = generateKeyPairSync('rsa', { modulusLength: 2048 })
const JWKS = { keys: [{ ...SIGNING_KEY.publicKey.export({ format: 'jwk' }), kid: 'k1', alg: 'RS256', use: 'sig' }] }

interface Recorded {
  url: string
  body: URLSearchParams | undefined
  headers: Headers
}

/** A provider over explicit endpoints whose every request is answered by `answer`. */
async function providerAnswering(
  answer: (req: Recorded) => Response | Promise<Response>,
  clock = new ManualClock(),
): Promise<{ provider: OAuthProvider; requests: Recorded[] }> {
  const requests: Recorded[] = []
  const fetch: FetchLike = async (input, init) => {
    const req = {
      url: String(input),
      body: init?.body instanceof URLSearchParams ? init.body : undefined,
      headers: new Headers(init?.headers),
    }
    // The key set is the provider's, not the answer under test (X14 has its own tests).
    if (req.url === JWKS_URI) return json(JWKS)
    requests.push(req)
    return answer(req)
  }
  const provider = await resolveProvider(
    {
      provider: {
        issuer: ISSUER,
        authorizationEndpoint: `${ISSUER}/authorize`,
        tokenEndpoint: `${ISSUER}/token`,
        jwksUri: JWKS_URI,
        pkceMethods: ['S256'],
      },
      client: { clientId: 'agent', clientSecret: SECRET, tokenEndpointAuthMethod: 'client_secret_post' },
    },
    { fetch, clock },
  )
  return { provider, requests }
}

function json(body: unknown, status = 200): Response {
  return new Response(JSON.stringify(body), { status, headers: { 'content-type': 'application/json' } })
}

/** An ID token signed by the provider's key (`alg: none` unsigned), so that only its claims are under test. */
function idToken(claims: Record<string, unknown>, alg = 'RS256'): string {
  const part = (o: unknown): string => Buffer.from(JSON.stringify(o)).toString('base64url')
  const input = `${part({ alg, typ: 'JWT', kid: 'k1' })}.${part(claims)}`
  if (alg === 'none') return `${input}.`
  return `${input}.${sign('sha256', Buffer.from(input), SIGNING_KEY.privateKey).toString('base64url')}`
}

function claims(clock: ManualClock, extra: Record<string, unknown> = {}): Record<string, unknown> {
  const now = Math.floor(clock.now() / 1000)
  return { iss: ISSUER, aud: 'agent', sub: 'user-1', iat: now, exp: now + 300, ...extra }
}

function rejectsWith(code: ErrorCode): (err: unknown) => boolean {
  return (err) => {
    assert.ok(isBmOAuthError(err, code), `expected ${code}, got ${inspect(err)}`)
    for (const rendering of [String(err), JSON.stringify(err), inspect(err, { showHidden: true, depth: 10 })]) {
      for (const secret of [SECRET, CODE, VERIFIER]) assert.equal(rendering.includes(secret), false, rendering)
    }
    return true
  }
}

const exchange = { code: CODE, codeVerifier: VERIFIER, redirectUri: REDIRECT }

describe('exchangeAuthorizationCode on the wire', () => {
  test('P12 sends grant_type, code, verifier and the redirect_uri verbatim; expiresAt uses the local clock', async () => {
    const clock = new ManualClock(Date.parse('2030-01-01T00:00:00Z'))
    const { provider, requests } = await providerAnswering(
      () =>
        json({
          access_token: 'at',
          token_type: 'Bearer',
          expires_in: 120,
          scope: 'openid',
          id_token: idToken(claims(clock)),
        }),
      clock,
    )
    const tokens = await exchangeAuthorizationCode(provider, exchange)
    const body = requests[0]?.body
    assert.equal(body?.get('grant_type'), 'authorization_code')
    assert.equal(body?.get('redirect_uri'), REDIRECT)
    assert.equal(body?.get('code'), CODE)
    assert.equal(body?.get('code_verifier'), VERIFIER)
    assert.equal(body?.get('client_id'), 'agent')
    assert.equal(calculateS256Challenge(body?.get('code_verifier') ?? ''), calculateS256Challenge(VERIFIER))
    assert.equal(tokens.expiresAt, clock.now() + 120_000)
    assert.equal(tokens.scope, 'openid')
    assert.equal(tokens.tokenType, 'bearer')
    assert.equal(tokens.idTokenClaims?.sub, 'user-1')
  })

  test('P8 an invalid verifier is refused before any request', async () => {
    const { provider, requests } = await providerAnswering(() => json({}))
    await assert.rejects(
      exchangeAuthorizationCode(provider, { ...exchange, codeVerifier: 'too-short' }),
      rejectsWith('ERR_INVALID_ARGUMENT'),
    )
    await assert.rejects(
      exchangeAuthorizationCode(provider, { ...exchange, code: '' }),
      rejectsWith('ERR_INVALID_ARGUMENT'),
    )
    assert.equal(requests.length, 0)
  })

  test('X2 invalid_grant becomes OAuthProtocolError with ERR_OAUTH_INVALID_GRANT and the OAuth fields', async () => {
    const { provider } = await providerAnswering(() =>
      json({ error: 'invalid_grant', error_description: 'grant request is invalid' }, 400),
    )
    const err = await exchangeAuthorizationCode(provider, exchange).catch((e: unknown) => e)
    assert.ok(rejectsWith('ERR_OAUTH_INVALID_GRANT')(err))
    assert.ok(err instanceof OAuthProtocolError)
    assert.equal(err.error, 'invalid_grant')
    assert.equal(err.errorDescription, 'grant request is invalid')
    assert.equal(err.httpStatus, 400)
    assert.equal(err.operation, 'authorization_code')
  })

  test('X5 other OAuth errors keep their error value under ERR_OAUTH_PROTOCOL', async () => {
    const { provider } = await providerAnswering(() => json({ error: 'temporarily_unavailable' }, 503))
    const err = await exchangeAuthorizationCode(provider, exchange).catch((e: unknown) => e)
    assert.ok(rejectsWith('ERR_OAUTH_PROTOCOL')(err))
    assert.ok(err instanceof OAuthProtocolError && err.error === 'temporarily_unavailable' && err.httpStatus === 503)
  })

  test('X5 a 5xx without an OAuth body → OAuthResponseError carrying the status', async () => {
    const { provider } = await providerAnswering(() => new Response('bad gateway', { status: 502 }))
    const err = await exchangeAuthorizationCode(provider, exchange).catch((e: unknown) => e)
    assert.ok(rejectsWith('ERR_OAUTH_RESPONSE')(err))
    assert.ok(err instanceof OAuthResponseError)
    assert.equal(err.httpStatus, 502)
  })

  test('a non-JSON 200 → ERR_OAUTH_RESPONSE without the body in the error chain', async () => {
    const { provider } = await providerAnswering(() => new Response(`<html>${CODE}</html>`, { status: 200 }))
    await assert.rejects(exchangeAuthorizationCode(provider, exchange), rejectsWith('ERR_OAUTH_RESPONSE'))
  })

  test('X8 a response body over the cap → ERR_UNEXPECTED_RESPONSE', async () => {
    const { provider } = await providerAnswering(() => new Response('x'.repeat(MAX_RESPONSE_BYTES + 1)))
    await assert.rejects(exchangeAuthorizationCode(provider, exchange), rejectsWith('ERR_UNEXPECTED_RESPONSE'))
  })
})

describe('X10 ID token validation', () => {
  const cases: Array<[string, (clock: ManualClock) => string]> = [
    ['iss differs from the issuer', (c) => idToken(claims(c, { iss: 'https://evil.example.test' }))],
    ['aud does not contain the client_id', (c) => idToken(claims(c, { aud: 'someone-else' }))],
    ['aud missing', (c) => idToken(claims(c, { aud: undefined }))],
    ['exp has passed', (c) => idToken(claims(c, { exp: Math.floor(c.now() / 1000) - 3600 }))],
    ['iat missing', (c) => idToken(claims(c, { iat: undefined }))],
    ['sub missing', (c) => idToken(claims(c, { sub: undefined }))],
    ['a nonce is present although none was sent', (c) => idToken(claims(c, { nonce: 'n-0S6_WzA2Mj' }))],
    ['alg is none', (c) => idToken(claims(c), 'none')],
  ]
  for (const [name, build] of cases) {
    test(`X10 rejects an ID token when ${name}`, async () => {
      const clock = new ManualClock(Date.parse('2031-06-01T00:00:00Z'))
      const { provider } = await providerAnswering(
        () => json({ access_token: 'at', token_type: 'bearer', id_token: build(clock) }),
        clock,
      )
      await assert.rejects(exchangeAuthorizationCode(provider, exchange), rejectsWith('ERR_OAUTH_RESPONSE'))
    })
  }

  test('X10 the injected clock drives the expiry check', async () => {
    const clock = new ManualClock(Date.parse('2031-06-01T00:00:00Z'))
    const token = idToken(claims(clock))
    const { provider } = await providerAnswering(
      () => json({ access_token: 'at', token_type: 'bearer', id_token: token }),
      clock,
    )
    await exchangeAuthorizationCode(provider, exchange)
    clock.advance(3600_000)
    await assert.rejects(exchangeAuthorizationCode(provider, exchange), rejectsWith('ERR_OAUTH_RESPONSE'))
  })

  test('X10 without a configured issuer an ID token is rejected (fail closed)', async () => {
    const clock = new ManualClock()
    const provider = await resolveProvider(
      {
        provider: { authorizationEndpoint: `${ISSUER}/a`, tokenEndpoint: `${ISSUER}/token`, pkceMethods: ['S256'] },
        client: { clientId: 'agent', tokenEndpointAuthMethod: 'none' },
      },
      {
        clock,
        fetch: async () => json({ access_token: 'at', token_type: 'bearer', id_token: idToken(claims(clock)) }),
      },
    )
    await assert.rejects(exchangeAuthorizationCode(provider, exchange), rejectsWith('ERR_OAUTH_RESPONSE'))
  })
})

describe('refresh, revoke and userinfo', () => {
  test('R2 refresh sends the refresh token; a response without a new one leaves refreshToken undefined', async () => {
    const { provider, requests } = await providerAnswering(() => json({ access_token: 'at2', token_type: 'bearer' }))
    const tokens = await refreshTokens(provider, 'rt-1')
    assert.equal(requests[0]?.body?.get('grant_type'), 'refresh_token')
    assert.equal(requests[0]?.body?.get('refresh_token'), 'rt-1')
    assert.equal(tokens.refreshToken, undefined)
    assert.equal(tokens.expiresAt, undefined)
  })

  test('R7 revocation and userinfo need their endpoints (ERR_CONFIG, no request)', async () => {
    const { provider, requests } = await providerAnswering(() => json({}))
    await assert.rejects(revokeToken(provider, 'rt-1', 'refresh_token'), rejectsWith('ERR_CONFIG'))
    await assert.rejects(fetchUserInfo(provider, 'at'), rejectsWith('ERR_CONFIG'))
    assert.equal(requests.length, 0)
  })
})

describe('X11 token responses must be declared JSON', () => {
  const grant = { access_token: 'at-never-stored', token_type: 'bearer', refresh_token: 'rt-never-stored' }
  /** A valid token body under the given content type (`undefined`: no header at all). */
  function typed(contentType: string | undefined, body: unknown = grant, status = 200): Response {
    const response = new Response(Buffer.from(JSON.stringify(body)), { status })
    response.headers.delete('content-type')
    if (contentType !== undefined) response.headers.set('content-type', contentType)
    return response
  }

  for (const contentType of ['text/plain', 'text/plain; charset=utf-8', 'application/jsonx', undefined]) {
    test(`X11 a valid JSON grant sent as ${contentType ?? 'no content type'} is refused (exchange and refresh)`, async () => {
      const { provider, requests } = await providerAnswering(() => typed(contentType))
      const exchanged = await exchangeAuthorizationCode(provider, exchange).catch((e: unknown) => e)
      assert.ok(rejectsWith('ERR_OAUTH_RESPONSE')(exchanged))
      assert.ok(exchanged instanceof OAuthResponseError && exchanged.httpStatus === 200)
      assert.match(exchanged.message, /not JSON/)
      await assert.rejects(refreshTokens(provider, 'rt-1'), rejectsWith('ERR_OAUTH_RESPONSE'))
      assert.equal(requests.length, 2, 'both requests reached the provider')
    })
  }

  for (const contentType of ['application/json', 'Application/JSON; charset=utf-8', 'application/vnd.example+json']) {
    test(`X11 ${contentType} is a JSON media type`, async () => {
      const { provider } = await providerAnswering(() => typed(contentType))
      assert.equal((await exchangeAuthorizationCode(provider, exchange)).refreshToken, 'rt-never-stored')
      assert.equal((await refreshTokens(provider, 'rt-1')).accessToken, 'at-never-stored')
    })
  }

  test('X11 an OAuth error body sent as text/plain is not taken as an OAuth error', async () => {
    const { provider } = await providerAnswering(() => typed('text/plain', { error: 'invalid_grant' }, 400))
    const err = await refreshTokens(provider, 'rt-1').catch((e: unknown) => e)
    assert.ok(rejectsWith('ERR_OAUTH_RESPONSE')(err))
    assert.ok(!(err instanceof OAuthProtocolError), inspect(err))
    const busy = await providerAnswering(() => typed(undefined, { error: 'temporarily_unavailable' }, 503))
    const unavailable = await exchangeAuthorizationCode(busy.provider, exchange).catch((e: unknown) => e)
    assert.ok(unavailable instanceof OAuthResponseError && unavailable.httpStatus === 503, inspect(unavailable))
  })

  test('X11 revocation still ignores the body of a 200 (RFC 7009 §2.2)', async () => {
    const clock = new ManualClock()
    const requests: string[] = []
    const provider = await resolveProvider(
      {
        provider: {
          issuer: ISSUER,
          authorizationEndpoint: `${ISSUER}/authorize`,
          tokenEndpoint: `${ISSUER}/token`,
          revocationEndpoint: `${ISSUER}/revoke`,
          pkceMethods: ['S256'],
        },
        client: { clientId: 'agent', clientSecret: SECRET, tokenEndpointAuthMethod: 'client_secret_post' },
      },
      {
        clock,
        fetch: async (input) => {
          requests.push(String(input))
          return typed(requests.length === 1 ? undefined : 'text/plain', '')
        },
      },
    )
    await revokeToken(provider, 'rt-1', 'refresh_token')
    await revokeToken(provider, 'at-1', 'access_token')
    assert.deepEqual(requests, [`${ISSUER}/revoke`, `${ISSUER}/revoke`])
  })
})
