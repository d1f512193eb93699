/**
 * The OAuth wrapper (src/oauth) against the real strict demo provider (src/demo/oidc-provider.ts):
 * the four Business Messages redirect URIs, code reuse, PKCE, refresh rotation, revocation and the
 * three confidential client-authentication methods. Security case ids lead each test name.
 */
import { after, before, describe, test } from 'node:test'
import assert from 'node:assert/strict'
import { generateKeyPairSync, randomBytes } from 'node:crypto'
import { inspect } from 'node:util'
import type { JWK } from 'oidc-provider'
import {
  exchangeAuthorizationCode,
  fetchUserInfo,
  refreshTokens,
  resolveProvider,
  revokeToken,
} from '../../src/oauth/index.ts'
import type { ClientConfig, OAuthProvider } from '../../src/oauth/index.ts'
import { OAuthProtocolError } from '../../src/oauth/errors.ts'
import { calculateS256Challenge, generateCodeVerifier } from '../../src/pkce/index.ts'
import { isBmOAuthError } from '../../src/errors.ts'
import { deviceAuthorizationURL } from '../support/bm-authorization.ts'
import { LoginFlowError, codeFromLocation, loginAndConsent } from '../support/oidc-login.ts'
import { startStrictProvider } from '../support/strict-provider.ts'
import type { RunningProvider } from '../support/strict-provider.ts'

// Written out literally (docs/contract-decisions.md §4.1), not imported: the test must not share a
// typo with the code.
const GOOGLE_URIS = [
  'https://business.google.com/callback',
  'https://business.google.com/callback?',
  'https://business.google.com/message?az-intent-type=1',
  'https://business.google.com/message?az-intent-type=1&',
]

const SECRET = `secret-${randomBytes(16).toString('hex')}`
const ecKey = generateKeyPairSync('ec', { namedCurve: 'P-256' })
const privateJWK = { ...(ecKey.privateKey.export({ format: 'jwk' }) as JsonWebKey), kid: 'agent-key-1', alg: 'ES256' }
const publicJWK = {
  ...(ecKey.publicKey.export({ format: 'jwk' }) as JWK),
  kid: 'agent-key-1',
  alg: 'ES256',
  use: 'sig',
}

const CLIENTS: Record<string, ClientConfig> = {
  basic: { clientId: 'agent-basic', clientSecret: SECRET, tokenEndpointAuthMethod: 'client_secret_basic' },
  post: { clientId: 'agent-post', clientSecret: SECRET, tokenEndpointAuthMethod: 'client_secret_post' },
  jwt: { clientId: 'agent-jwt', privateKey: privateJWK, tokenEndpointAuthMethod: 'private_key_jwt' },
  noRefresh: { clientId: 'agent-no-refresh', clientSecret: SECRET, tokenEndpointAuthMethod: 'client_secret_basic' },
}

let running: RunningProvider
const providers = new Map<string, OAuthProvider>()

before(async () => {
  running = await startStrictProvider({
    clients: [
      { clientId: 'agent-basic', clientSecret: SECRET, tokenEndpointAuthMethod: 'client_secret_basic' },
      { clientId: 'agent-post', clientSecret: SECRET, tokenEndpointAuthMethod: 'client_secret_post' },
      { clientId: 'agent-jwt', tokenEndpointAuthMethod: 'private_key_jwt', jwks: { keys: [publicJWK] } },
      { clientId: 'agent-no-refresh', clientSecret: SECRET, refreshTokens: false },
    ],
  })
  for (const [name, client] of Object.entries(CLIENTS)) {
    const provider = await resolveProvider(
      { provider: { issuer: running.issuer }, client },
      { allowInsecureLoopback: true },
    )
    providers.set(name, provider)
  }
})
after(() => running.close())

function providerFor(name: keyof typeof CLIENTS): OAuthProvider {
  const provider = providers.get(name)
  assert.ok(provider)
  return provider
}

interface SignIn {
  code: string
  codeVerifier: string
  redirectUri: string
}

/** Taps the chip: the device opens the authorization URL, the user signs in, Google reads the code. */
async function signIn(
  provider: OAuthProvider,
  redirectUri: string = GOOGLE_URIS[0] ?? '',
  scopes: string[] = ['openid', 'offline_access'],
): Promise<SignIn> {
  const codeVerifier = generateCodeVerifier()
  const url = deviceAuthorizationURL(provider.authorizationEndpoint, {
    clientId: provider.clientId,
    redirectUri,
    scopes,
    codeChallenge: calculateS256Challenge(codeVerifier),
    codeChallengeMethod: 'S256',
  })
  const location = await loginAndConsent(url)
  return { code: codeFromLocation(location), codeVerifier, redirectUri }
}

function isInvalidGrant(err: unknown): boolean {
  return err instanceof OAuthProtocolError && err.code === 'ERR_OAUTH_INVALID_GRANT' && err.error === 'invalid_grant'
}

function isInvalidToken(err: unknown): boolean {
  return err instanceof OAuthProtocolError && err.error === 'invalid_token'
}

async function introspect(accessToken: string): Promise<{ active: boolean }> {
  const response = await fetch(`${running.issuer}/token/introspection`, {
    method: 'POST',
    headers: {
      authorization: `Basic ${Buffer.from(`agent-basic:${SECRET}`).toString('base64')}`,
      'content-type': 'application/x-www-form-urlencoded',
    },
    body: new URLSearchParams({ token: accessToken }),
  })
  assert.equal(response.status, 200)
  return (await response.json()) as { active: boolean }
}

describe('exact redirect URIs (docs/contract-decisions.md §4.1)', () => {
  for (const redirectUri of GOOGLE_URIS) {
    test(`P12 E3 ${JSON.stringify(redirectUri)}: authorize, then exchange with that exact redirect_uri`, async () => {
      const provider = providerFor('basic')
      const sentRedirectURIs: string[] = []
      const recording = await resolveProvider(
        { provider: { issuer: running.issuer }, client: CLIENTS.basic as ClientConfig },
        {
          allowInsecureLoopback: true,
          fetch: async (input, init) => {
            if (init?.body instanceof URLSearchParams) sentRedirectURIs.push(init.body.get('redirect_uri') ?? '<none>')
            return fetch(input, init)
          },
        },
      )
      const signIn_ = await signIn(provider, redirectUri)
      const tokens = await exchangeAuthorizationCode(recording, signIn_)
      assert.deepEqual(sentRedirectURIs, [redirectUri], 'redirect_uri is sent byte for byte')
      assert.ok(tokens.accessToken.length > 0)
      assert.equal(tokens.tokenType, 'bearer')
      assert.equal(tokens.idTokenClaims?.sub, 'user-alice')
      assert.equal(tokens.idTokenClaims?.iss, running.issuer)
      assert.equal(tokens.idTokenClaims?.aud, 'agent-basic')
      const info = await fetchUserInfo(provider, tokens.accessToken, tokens.idTokenClaims?.sub)
      assert.equal(info.sub, 'user-alice')
    })
  }

  test('P12 a redirect_uri that differs from the authorization request → invalid_grant', async () => {
    const provider = providerFor('basic')
    const { code, codeVerifier } = await signIn(provider, 'https://business.google.com/callback?')
    await assert.rejects(
      exchangeAuthorizationCode(provider, { code, codeVerifier, redirectUri: 'https://business.google.com/callback' }),
      isInvalidGrant,
    )
  })

  test('E3 the provider refuses an unregistered variant of a redirect URI', async () => {
    const provider = providerFor('basic')
    await assert.rejects(signIn(provider, 'https://business.google.com/callback?&'), (err: unknown) => {
      return err instanceof LoginFlowError && err.status === 400
    })
  })
})

describe('strict provider rules (E3)', () => {
  test('X1 E3 code reuse: the second exchange fails with invalid_grant and the first tokens are revoked', async () => {
    const provider = providerFor('basic')
    const grant = await signIn(provider)
    const first = await exchangeAuthorizationCode(provider, grant)
    assert.equal((await introspect(first.accessToken)).active, true)
    await assert.rejects(exchangeAuthorizationCode(provider, grant), isInvalidGrant)
    assert.equal((await introspect(first.accessToken)).active, false)
    await assert.rejects(fetchUserInfo(provider, first.accessToken), isInvalidToken)
    assert.ok(first.refreshToken)
    await assert.rejects(refreshTokens(provider, first.refreshToken), isInvalidGrant)
  })

  test('X2 P4 a wrong code_verifier → invalid_grant', async () => {
    const provider = providerFor('basic')
    const grant = await signIn(provider)
    await assert.rejects(
      exchangeAuthorizationCode(provider, { ...grant, codeVerifier: generateCodeVerifier() }),
      isInvalidGrant,
    )
  })

  test('P3 E3 the provider rejects code_challenge_method=plain and a missing challenge', async () => {
    const provider = providerFor('basic')
    const verifier = generateCodeVerifier()
    const base = { clientId: provider.clientId, redirectUri: GOOGLE_URIS[0] ?? '', scopes: ['openid'] }
    const plain = await loginAndConsent(
      deviceAuthorizationURL(provider.authorizationEndpoint, {
        ...base,
        codeChallenge: verifier,
        codeChallengeMethod: 'plain',
      }),
    )
    assert.equal(new URL(plain).searchParams.get('error'), 'invalid_request')
    assert.equal(new URL(plain).searchParams.get('code'), null)
    const none = await loginAndConsent(deviceAuthorizationURL(provider.authorizationEndpoint, base))
    assert.equal(new URL(none).searchParams.get('error'), 'invalid_request')
    assert.equal(provider.codeChallengeMethods.join(), 'S256')
  })

  test('R2 refresh rotation: a new refresh token each time; reusing the old one → invalid_grant and the family is revoked', async () => {
    const provider = providerFor('basic')
    const tokens = await exchangeAuthorizationCode(provider, await signIn(provider))
    assert.ok(tokens.refreshToken)
    const rotated = await refreshTokens(provider, tokens.refreshToken)
    assert.ok(rotated.refreshToken)
    assert.notEqual(rotated.refreshToken, tokens.refreshToken)
    assert.notEqual(rotated.accessToken, tokens.accessToken)
    await assert.rejects(refreshTokens(provider, tokens.refreshToken), isInvalidGrant)
    // Reuse detection revoked the whole grant, including the rotated token.
    await assert.rejects(refreshTokens(provider, rotated.refreshToken), isInvalidGrant)
  })

  test('R7 revocation makes the access token and the refresh token unusable', async () => {
    const provider = providerFor('basic')
    const tokens = await exchangeAuthorizationCode(provider, await signIn(provider))
    assert.ok(tokens.refreshToken)
    await revokeToken(provider, tokens.accessToken, 'access_token')
    await assert.rejects(fetchUserInfo(provider, tokens.accessToken), isInvalidToken)
    await revokeToken(provider, tokens.refreshToken, 'refresh_token')
    await assert.rejects(refreshTokens(provider, tokens.refreshToken), isInvalidGrant)
    // RFC 7009 §2.2: revoking an already invalid token is still a success.
    await revokeToken(provider, tokens.refreshToken, 'refresh_token')
  })

  test('E3 a refresh token is issued for offline_access without prompt=consent (docs/contract-decisions.md §10 "refresh tokens without prompt=consent")', async () => {
    const provider = providerFor('basic')
    const grant = await signIn(provider, GOOGLE_URIS[2], ['openid', 'offline_access'])
    const tokens = await exchangeAuthorizationCode(provider, grant)
    assert.ok(tokens.refreshToken)
    assert.ok((tokens.expiresAt ?? 0) > Date.now())
  })

  test('E3 a client not registered for the refresh_token grant gets no refresh token', async () => {
    const provider = providerFor('noRefresh')
    const tokens = await exchangeAuthorizationCode(provider, await signIn(provider))
    assert.equal(tokens.refreshToken, undefined)
  })
})

describe('client authentication methods', () => {
  for (const name of ['basic', 'post', 'jwt'] as const) {
    test(`${CLIENTS[name]?.tokenEndpointAuthMethod} exchanges, refreshes and revokes`, async () => {
      const provider = providerFor(name)
      const tokens = await exchangeAuthorizationCode(provider, await signIn(provider))
      assert.equal(tokens.idTokenClaims?.aud, provider.clientId)
      assert.ok(tokens.refreshToken)
      const refreshed = await refreshTokens(provider, tokens.refreshToken)
      await revokeToken(provider, refreshed.accessToken)
      await assert.rejects(fetchUserInfo(provider, refreshed.accessToken), isInvalidToken)
    })
  }

  test('X5 a wrong client secret → invalid_client, and the secret is not in the error', async () => {
    const wrongSecret = `wrong-${randomBytes(8).toString('hex')}`
    const provider = await resolveProvider(
      {
        provider: { issuer: running.issuer },
        client: { ...(CLIENTS.basic as ClientConfig), clientSecret: wrongSecret },
      },
      { allowInsecureLoopback: true },
    )
    const grant = await signIn(provider)
    const err = await exchangeAuthorizationCode(provider, grant).then(
      () => assert.fail('expected a failure'),
      (e: unknown) => e,
    )
    assert.ok(err instanceof OAuthProtocolError)
    assert.equal(err.error, 'invalid_client')
    assert.equal(err.code, 'ERR_OAUTH_PROTOCOL')
    assertNoSecrets(err, [wrongSecret, grant.code, grant.codeVerifier])
  })
})

describe('P5 S5 nothing secret is printable', () => {
  test('errors and token sets never show the code, verifier, tokens or client secret', async () => {
    const provider = providerFor('basic')
    const grant = await signIn(provider)
    const tokens = await exchangeAuthorizationCode(provider, grant)
    assert.ok(tokens.refreshToken && tokens.idToken)
    const secrets = [SECRET, grant.code, grant.codeVerifier, tokens.accessToken, tokens.refreshToken, tokens.idToken]
    assertNoSecrets(tokens, secrets)
    assertNoSecrets(provider, secrets)

    const reuse = await exchangeAuthorizationCode(provider, grant).catch((e: unknown) => e)
    assert.ok(isInvalidGrant(reuse))
    assertNoSecrets(reuse, secrets)
    const badRefresh = await refreshTokens(provider, tokens.refreshToken).catch((e: unknown) => e)
    assert.ok(isBmOAuthError(badRefresh))
    assertNoSecrets(badRefresh, secrets)
    const badUserInfo = await fetchUserInfo(provider, tokens.accessToken).catch((e: unknown) => e)
    assert.ok(isBmOAuthError(badUserInfo))
    assertNoSecrets(badUserInfo, secrets)
  })
})

function assertNoSecrets(value: unknown, secrets: readonly string[]): void {
  const renderings = [String(value), JSON.stringify(value), inspect(value, { depth: 10, showHidden: true })]
  if (value instanceof Error) renderings.push(value.stack ?? '', inspect(value.cause, { depth: 10, showHidden: true }))
  for (const rendering of renderings) {
    for (const secret of secrets) {
      assert.equal(rendering.includes(secret), false, `secret leaked into: ${rendering.slice(0, 200)}`)
    }
  }
}

describe('demo provider pages and settings', () => {
  test('E3 a wrong password is refused with 401 and the login page again', async () => {
    const provider = providerFor('basic')
    const url = deviceAuthorizationURL(provider.authorizationEndpoint, {
      clientId: provider.clientId,
      redirectUri: GOOGLE_URIS[0] ?? '',
      scopes: ['openid'],
      codeChallenge: calculateS256Challenge(generateCodeVerifier()),
      codeChallengeMethod: 'S256',
    })
    const err = await loginAndConsent(url, { username: 'alice', password: 'not-her-password' }).catch((e: unknown) => e)
    assert.ok(err instanceof LoginFlowError)
    assert.equal(err.status, 401)
    assert.match(err.body, /Wrong username or password/)
    assert.equal(err.body.includes('not-her-password'), false)
  })

  test('P10 denying consent redirects with error=access_denied and no code', async () => {
    const provider = providerFor('basic')
    const url = deviceAuthorizationURL(provider.authorizationEndpoint, {
      clientId: provider.clientId,
      redirectUri: GOOGLE_URIS[1] ?? '',
      scopes: ['openid'],
      codeChallenge: calculateS256Challenge(generateCodeVerifier()),
      codeChallengeMethod: 'S256',
    })
    const location = await loginAndConsent(url, { username: 'bob', password: 'builder', consent: 'deny' })
    assert.ok(location.startsWith('https://business.google.com/callback'))
    assert.equal(new URL(location).searchParams.get('error'), 'access_denied')
    assert.equal(new URL(location).searchParams.get('code'), null)
  })

  test('E3 bob signs in as bob', async () => {
    const provider = providerFor('post')
    const codeVerifier = generateCodeVerifier()
    const redirectUri = GOOGLE_URIS[3] ?? ''
    const url = deviceAuthorizationURL(provider.authorizationEndpoint, {
      clientId: provider.clientId,
      redirectUri,
      scopes: ['openid', 'profile', 'email'],
      codeChallenge: calculateS256Challenge(codeVerifier),
      codeChallengeMethod: 'S256',
    })
    const code = codeFromLocation(await loginAndConsent(url, { username: 'bob', password: 'builder' }))
    const tokens = await exchangeAuthorizationCode(provider, { code, codeVerifier, redirectUri })
    const info = await fetchUserInfo(provider, tokens.accessToken, 'user-bob')
    assert.equal(info['name'], 'Bob Builder')
    assert.equal(info['email'], 'bob@example.test')
  })

  test('E3 an authorization-code TTL above 10 minutes is refused', async () => {
    const { createStrictProvider } = await import('../../src/demo/oidc-provider.ts')
    await assert.rejects(
      createStrictProvider({ issuer: 'http://127.0.0.1:1', clients: [], ttl: { authorizationCode: 601 } }),
      RangeError,
    )
  })
})
