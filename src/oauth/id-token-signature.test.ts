import { createServer } from 'node:http'
import type { AddressInfo } from 'node:net'
import { describe, test } from 'node:test'
import type { TestContext } from 'node:test'
import assert from 'node:assert/strict'
import { SignJWT, exportJWK, generateKeyPair } from 'jose'
import type { JWK } from 'jose'
import { generateCodeVerifier } from '../pkce/pkce.ts'
import { OAuthResponseError } from './errors.ts'
import { createBoundedFetch } from './http.ts'
import { createIdTokenSignatureCheck } from './id-token-signature.ts'
import { exchangeAuthorizationCode } from './operations.ts'
import { resolveProvider } from './provider.ts'

const CLIENT_ID = 'agent'

interface SigningKey {
  kid: string
  privateKey: CryptoKey
  publicJwk: JWK
}

async function signingKey(kid: string): Promise<SigningKey> {
  const { privateKey, publicKey } = await generateKeyPair('RS256', { extractable: true })
  return { kid, privateKey, publicJwk: { ...(await exportJWK(publicKey)), kid, alg: 'RS256', use: 'sig' } }
}

/**
 * A provider on loopback (real HTTP): `/token` answers with `idToken()`, `/jwks` with the current
 * `keys`, and every JWK Set request is counted.
 */
async function startProvider(t: TestContext, keys: SigningKey[]) {
  const state = { keys, jwksFetches: 0, idToken: '' }
  const server = createServer((req, res) => {
    const path = new URL(req.url ?? '/', 'http://127.0.0.1').pathname
    if (path === '/jwks') state.jwksFetches += 1
    const body =
      path === '/jwks'
        ? { keys: state.keys.map((k) => k.publicJwk) }
        : { access_token: 'at', token_type: 'bearer', id_token: state.idToken }
    res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify(body))
  })
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  t.after(() => server.close())
  const issuer = `http://127.0.0.1:${(server.address() as AddressInfo).port}`
  const provider = await resolveProvider(
    {
      provider: {
        issuer,
        authorizationEndpoint: `${issuer}/authorize`,
        tokenEndpoint: `${issuer}/token`,
        jwksUri: `${issuer}/jwks`,
        pkceMethods: ['S256'],
      },
      client: { clientId: CLIENT_ID, tokenEndpointAuthMethod: 'none' },
    },
    { allowInsecureLoopback: true },
  )
  const sign = (key: SigningKey, kid = key.kid): Promise<string> =>
    new SignJWT({ sub: 'user-1' })
      .setProtectedHeader({ alg: 'RS256', kid })
      .setIssuer(issuer)
      .setAudience(CLIENT_ID)
      .setIssuedAt()
      .setExpirationTime('5m')
      .sign(key.privateKey)
  const exchange = async (idToken: string) => {
    state.idToken = idToken
    const exchange = { code: 'code', codeVerifier: generateCodeVerifier(), redirectUri: 'https://example.test/cb' }
    return exchangeAuthorizationCode(provider, exchange)
  }
  return { state, sign, exchange }
}

/** An `ERR_OAUTH_RESPONSE` for the exchange whose message names jose's `reason`. */
function refusedSignature(reason: string): (err: unknown) => boolean {
  return (err) => {
    assert.ok(err instanceof OAuthResponseError, String(err))
    assert.equal(err.code, 'ERR_OAUTH_RESPONSE')
    assert.equal(err.operation, 'authorization_code')
    assert.equal(err.message, `authorization_code ID token signature rejected (${reason})`)
    return true
  }
}

/** Past jose's 30-second cooldown, the only time an unknown `kid` may refetch the key set. */
const PAST_COOLDOWN_MS = 31_000

/**
 * A provider whose key set was fetched once (for a token signed by `key`), with the mocked `Date`
 * then moved past jose's cooldown.
 */
async function pastCooldownAfterFirstFetch(t: TestContext, key: SigningKey) {
  t.mock.timers.enable({ apis: ['Date'], now: Date.now() })
  const provider = await startProvider(t, [key])
  await provider.exchange(await provider.sign(key))
  assert.equal(provider.state.jwksFetches, 1)
  t.mock.timers.tick(PAST_COOLDOWN_MS)
  return provider
}

describe('X14 ID-token signatures are verified against the provider JWKS', () => {
  test('X14 a token signed by the provider key is accepted (one JWKS fetch)', async (t) => {
    const key = await signingKey('k1')
    const provider = await startProvider(t, [key])
    const tokens = await provider.exchange(await provider.sign(key))
    assert.equal(tokens.idTokenClaims?.sub, 'user-1')
    assert.equal(provider.state.jwksFetches, 1)
  })

  test('X14 a token signed by another key under the provider kid → refused', async (t) => {
    const key = await signingKey('k1')
    const foreign = await signingKey('k1')
    const provider = await startProvider(t, [key])
    await assert.rejects(
      provider.exchange(await provider.sign(foreign)),
      refusedSignature('ERR_JWS_SIGNATURE_VERIFICATION_FAILED'),
    )
    assert.equal(provider.state.jwksFetches, 1)
  })

  test('X14 alg none → refused, even when the provider metadata lists it', async () => {
    const fetches: string[] = []
    const check = createIdTokenSignatureCheck({
      jwksUri: 'http://127.0.0.1:9/jwks',
      algorithms: ['none', 'RS256'],
      fetch: async (url) => {
        fetches.push(url)
        return new Response('{"keys":[]}', { headers: { 'content-type': 'application/json' } })
      },
      timeoutMs: 5_000,
    })
    const part = (o: unknown): string => Buffer.from(JSON.stringify(o)).toString('base64url')
    const unsigned = `${part({ alg: 'none' })}.${part({ sub: 'user-1' })}.`
    await assert.rejects(check('authorization_code', unsigned), refusedSignature('ERR_JOSE_ALG_NOT_ALLOWED'))
    assert.deepEqual(fetches, [], 'refused before any key is fetched')
  })

  test('X14 an unknown kid → exactly one refetch, then refused', async (t) => {
    const provider = await pastCooldownAfterFirstFetch(t, await signingKey('k1'))
    const unknown = await signingKey('k-unknown')
    await assert.rejects(provider.exchange(await provider.sign(unknown)), refusedSignature('ERR_JWKS_NO_MATCHING_KEY'))
    assert.equal(provider.state.jwksFetches, 2, 'one refetch for the unknown kid')
    // Within the cooldown a second unknown kid is refused without another fetch.
    await assert.rejects(provider.exchange(await provider.sign(unknown)), refusedSignature('ERR_JWKS_NO_MATCHING_KEY'))
    assert.equal(provider.state.jwksFetches, 2)
  })

  test('X14 a rotated key → accepted after exactly one refetch', async (t) => {
    const newKey = await signingKey('k-new')
    const provider = await pastCooldownAfterFirstFetch(t, await signingKey('k-old'))
    provider.state.keys = [newKey]
    const tokens = await provider.exchange(await provider.sign(newKey))
    assert.equal(tokens.idTokenClaims?.sub, 'user-1')
    assert.equal(provider.state.jwksFetches, 2)
  })

  test('X14 a provider without jwks_uri → every ID token refused (fail closed)', async () => {
    const check = createIdTokenSignatureCheck({
      jwksUri: undefined,
      algorithms: undefined,
      fetch: createBoundedFetch(globalThis.fetch),
      timeoutMs: 5_000,
    })
    const key = await signingKey('k1')
    const token = await new SignJWT({}).setProtectedHeader({ alg: 'RS256', kid: 'k1' }).sign(key.privateKey)
    await assert.rejects(check('refresh_token', token), (err) => {
      assert.ok(err instanceof OAuthResponseError)
      assert.match(err.message, /no jwks_uri/)
      return true
    })
  })
})
