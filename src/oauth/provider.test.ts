import { describe, test } from 'node:test'
import assert from 'node:assert/strict'
import { createServer } from 'node:http'
import type { AddressInfo } from 'node:net'
import { inspect } from 'node:util'
import { isBmOAuthError } from '../errors.ts'
import type { ErrorCode } from '../errors.ts'
import { resolveProvider } from './provider.ts'
import type { ClientConfig, ExplicitProviderConfig } from './config.ts'

const SECRET = 'client-secret-must-not-print'
const client: ClientConfig = { clientId: 'agent', clientSecret: SECRET, tokenEndpointAuthMethod: 'client_secret_basic' }

/** Serves one discovery document; `metadata(issuer)` builds it once the port is known. */
async function metadataServer(
  t: { after(fn: () => unknown): void },
  metadata: (issuer: string) => Record<string, unknown>,
): Promise<string> {
  let issuer = ''
  const server = createServer((req, res) => {
    if (req.url === '/.well-known/openid-configuration') {
      res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify(metadata(issuer)))
    } else {
      res.writeHead(404).end()
    }
  })
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  t.after(() => new Promise((resolve) => server.close(resolve)))
  issuer = `http://127.0.0.1:${(server.address() as AddressInfo).port}`
  return issuer
}

function endpoints(issuer: string, extra: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    issuer,
    authorization_endpoint: `${issuer}/auth`,
    token_endpoint: `${issuer}/token`,
    revocation_endpoint: `${issuer}/revoke`,
    response_types_supported: ['code'],
    ...extra,
  }
}

function rejectsWith(code: ErrorCode): (err: unknown) => boolean {
  return (err) => {
    assert.ok(isBmOAuthError(err, code), `expected ${code}, got ${String(err)}`)
    assert.equal(String(err).includes(SECRET), false)
    return true
  }
}

describe('resolveProvider: discovery', () => {
  test('P4 accepts metadata that declares S256', async (t) => {
    const issuer = await metadataServer(t, (iss) =>
      endpoints(iss, { code_challenge_methods_supported: ['plain', 'S256'] }),
    )
    const provider = await resolveProvider({ provider: { issuer }, client }, { allowInsecureLoopback: true })
    assert.equal(provider.issuer, issuer)
    assert.equal(provider.tokenEndpoint, `${issuer}/token`)
    assert.equal(inspect(provider, { showHidden: true, depth: 10 }).includes(SECRET), false)
    assert.equal(JSON.stringify(provider).includes(SECRET), false)
  })

  test('P4 fails closed when code_challenge_methods_supported is absent', async (t) => {
    const issuer = await metadataServer(t, (iss) => endpoints(iss))
    await assert.rejects(
      resolveProvider({ provider: { issuer }, client }, { allowInsecureLoopback: true }),
      rejectsWith('ERR_OAUTH_PROVIDER_UNSUPPORTED'),
    )
  })

  test('P4 fails closed when only plain is supported', async (t) => {
    const issuer = await metadataServer(t, (iss) => endpoints(iss, { code_challenge_methods_supported: ['plain'] }))
    await assert.rejects(
      resolveProvider({ provider: { issuer }, client }, { allowInsecureLoopback: true }),
      rejectsWith('ERR_OAUTH_PROVIDER_UNSUPPORTED'),
    )
  })

  test('X7 a non-HTTPS, non-loopback endpoint in the metadata → ERR_CONFIG', async (t) => {
    const issuer = await metadataServer(t, (iss) =>
      endpoints(iss, {
        code_challenge_methods_supported: ['S256'],
        token_endpoint: 'http://tokens.example.test/token',
      }),
    )
    await assert.rejects(
      resolveProvider({ provider: { issuer }, client }, { allowInsecureLoopback: true }),
      rejectsWith('ERR_CONFIG'),
    )
  })

  test('X13 a discovered jwks_uri over plain http off loopback → ERR_CONFIG naming it, even in local mode', async (t) => {
    const issuer = await metadataServer(t, (iss) =>
      endpoints(iss, { code_challenge_methods_supported: ['S256'], jwks_uri: 'http://keys.example.test/jwks' }),
    )
    const err = await resolveProvider({ provider: { issuer }, client }, { allowInsecureLoopback: true }).catch(
      (e: unknown) => e,
    )
    assert.ok(rejectsWith('ERR_CONFIG')(err))
    assert.match(String((err as Error).message), /jwks_uri/)
  })

  test('X7 a loopback http issuer without local mode → ERR_CONFIG, before any request', async () => {
    let requests = 0
    await assert.rejects(
      resolveProvider(
        { provider: { issuer: 'http://127.0.0.1:9/' }, client },
        {
          fetch: async () => {
            requests++
            return new Response('{}')
          },
        },
      ),
      rejectsWith('ERR_CONFIG'),
    )
    assert.equal(requests, 0)
  })

  test('a metadata document for another issuer → ERR_OAUTH_DISCOVERY', async (t) => {
    const issuer = await metadataServer(t, () =>
      endpoints('https://other.example.test', { code_challenge_methods_supported: ['S256'] }),
    )
    await assert.rejects(
      resolveProvider({ provider: { issuer }, client }, { allowInsecureLoopback: true }),
      rejectsWith('ERR_OAUTH_DISCOVERY'),
    )
  })

  test('an unreachable issuer → ERR_NETWORK', async () => {
    const server = createServer()
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
    const { port } = server.address() as AddressInfo
    await new Promise((resolve) => server.close(resolve))
    await assert.rejects(
      resolveProvider({ provider: { issuer: `http://127.0.0.1:${port}` }, client }, { allowInsecureLoopback: true }),
      rejectsWith('ERR_NETWORK'),
    )
  })

  test('X8 a provider that never answers → ERR_HTTP_TIMEOUT', async (t) => {
    const server = createServer(() => {
      /* never responds */
    })
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
    t.after(() => {
      server.closeAllConnections()
      return new Promise((resolve) => server.close(resolve))
    })
    const issuer = `http://127.0.0.1:${(server.address() as AddressInfo).port}`
    await assert.rejects(
      resolveProvider({ provider: { issuer }, client }, { allowInsecureLoopback: true, timeoutMs: 100 }),
      rejectsWith('ERR_HTTP_TIMEOUT'),
    )
  })
})

describe('resolveProvider: explicit endpoints', () => {
  const explicit: ExplicitProviderConfig = {
    authorizationEndpoint: 'https://login.example.test/authorize',
    tokenEndpoint: 'https://login.example.test/token',
    revocationEndpoint: 'https://login.example.test/revoke',
    pkceMethods: ['S256'],
  }

  test('P4 accepts an explicit S256 assertion, with no network access', async () => {
    const provider = await resolveProvider(
      { provider: explicit, client },
      { fetch: async () => assert.fail('no request expected') },
    )
    assert.equal(provider.tokenEndpoint, explicit.tokenEndpoint)
    assert.equal(provider.issuer, undefined)
    assert.deepEqual(provider.codeChallengeMethods, ['S256'])
  })

  test('P4 fails closed without an S256 assertion', async () => {
    for (const pkceMethods of [[], ['plain']]) {
      await assert.rejects(
        resolveProvider({ provider: { ...explicit, pkceMethods }, client }),
        rejectsWith('ERR_OAUTH_PROVIDER_UNSUPPORTED'),
      )
    }
    const withoutAssertion = { ...explicit } as Partial<ExplicitProviderConfig>
    delete withoutAssertion.pkceMethods
    await assert.rejects(
      resolveProvider({ provider: withoutAssertion as ExplicitProviderConfig, client }),
      rejectsWith('ERR_OAUTH_PROVIDER_UNSUPPORTED'),
    )
  })

  test('X7 http endpoints: refused off loopback even in local mode, allowed on loopback in local mode only', async () => {
    const insecure = { ...explicit, tokenEndpoint: 'http://login.example.test/token' }
    await assert.rejects(resolveProvider({ provider: insecure, client }), rejectsWith('ERR_CONFIG'))
    await assert.rejects(
      resolveProvider({ provider: insecure, client }, { allowInsecureLoopback: true }),
      rejectsWith('ERR_CONFIG'),
    )
    for (const host of ['127.0.0.1:8080', 'localhost:8080', '[::1]:8080']) {
      const local = { ...explicit, tokenEndpoint: `http://${host}/token`, revocationEndpoint: `http://${host}/revoke` }
      await assert.rejects(resolveProvider({ provider: local, client }), rejectsWith('ERR_CONFIG'))
      const provider = await resolveProvider({ provider: local, client }, { allowInsecureLoopback: true })
      assert.equal(provider.tokenEndpoint, `http://${host}/token`)
    }
    await assert.rejects(
      resolveProvider({ provider: { ...explicit, revocationEndpoint: 'http://login.example.test/r' }, client }),
      rejectsWith('ERR_CONFIG'),
    )
  })

  test('an incomplete client registration → ERR_CONFIG', async () => {
    await assert.rejects(
      resolveProvider({ provider: explicit, client: { clientId: 'a', tokenEndpointAuthMethod: 'client_secret_post' } }),
      rejectsWith('ERR_CONFIG'),
    )
    await assert.rejects(
      resolveProvider({ provider: explicit, client: { clientId: 'a', tokenEndpointAuthMethod: 'private_key_jwt' } }),
      rejectsWith('ERR_CONFIG'),
    )
    await assert.rejects(
      resolveProvider({ provider: explicit, client: { clientId: '', tokenEndpointAuthMethod: 'none' } }),
      rejectsWith('ERR_CONFIG'),
    )
  })
})
