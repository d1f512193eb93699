import { after, describe, test } from 'node:test'
import assert from 'node:assert/strict'
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { inspect } from 'node:util'
import { ConfigError } from '../errors.ts'
import { loadConfig, providerIdOf, allowedRedirectURIs, webhookURLOf } from './config.ts'

const dir = mkdtempSync(join(tmpdir(), 'bm-oauth-config-'))
after(() => rmSync(dir, { recursive: true, force: true }))

let n = 0
function configFile(content: unknown): string {
  const path = join(dir, `config-${n++}.json`)
  writeFileSync(path, typeof content === 'string' ? content : JSON.stringify(content))
  return path
}

async function configError(promise: Promise<unknown>): Promise<ConfigError> {
  try {
    await promise
  } catch (err) {
    assert.ok(err instanceof ConfigError, `expected ConfigError, got ${String(err)}`)
    assert.equal(err.code, 'ERR_CONFIG')
    return err
  }
  assert.fail('expected a ConfigError')
}

describe('loadConfig', () => {
  test('defaults with no file and an empty environment', async () => {
    const config = await loadConfig({ env: {} })
    assert.equal(config.configFile, undefined)
    assert.deepEqual(config.store, { sqlite: '.bm-oauth/agent.sqlite' })
    assert.deepEqual(
      { host: config.webhook.host, port: config.webhook.port, path: config.webhook.path },
      { host: '127.0.0.1', port: 8080, path: '/webhook' },
    )
    assert.deepEqual(config.local, {
      enabled: false,
      standInRedirectUris: [],
      unsafeDisableSignatureVerification: false,
    })
    assert.deepEqual(config.scopes, [])
    assert.equal(config.provider, undefined)
    assert.equal(webhookURLOf(config), 'http://127.0.0.1:8080/webhook')
  })

  test('the environment overrides the file; flags override both; file paths are relative to the file', async () => {
    const file = configFile({
      agent: 'brands/1/agents/2',
      google: { keyFile: 'keys/sa.json' },
      provider: { issuer: 'https://login.example.com' },
      client: { clientId: 'from-file', clientSecret: 'file-secret' },
      scopes: ['openid'],
      store: { sqlite: 'data/agent.sqlite' },
      webhook: { port: 9000 },
      local: { enabled: true, standInRedirectUris: ['http://127.0.0.1:8790/callback'] },
    })
    const config = await loadConfig({
      file,
      env: {
        BM_OAUTH_WEBHOOK_PORT: '9100',
        BM_OAUTH_CLIENT_SECRET: 'env-secret',
        BM_OAUTH_SCOPES: 'openid offline_access',
        BM_OAUTH_VAULT_KEYS: 'k1:abc',
        BM_OAUTH_WEBHOOK_KEYS: 'current,previous',
        BM_OAUTH_WEBHOOK_CLIENT_TOKEN: 'token',
      },
      overrides: { agent: 'brands/9/agents/9' },
    })
    assert.equal(config.agent, 'brands/9/agents/9')
    assert.equal(config.google.keyFile, join(dir, 'keys/sa.json'))
    assert.deepEqual(config.store, { sqlite: join(dir, 'data/agent.sqlite') })
    assert.equal(config.webhook.port, 9100)
    assert.equal(config.client?.clientSecret, 'env-secret')
    assert.equal(config.client?.clientId, 'from-file')
    assert.equal(config.client?.tokenEndpointAuthMethod, 'client_secret_basic')
    assert.deepEqual(config.scopes, ['openid', 'offline_access'])
    assert.deepEqual(config.webhook.signingKeys, ['current', 'previous'])
    assert.equal(config.webhook.clientToken, 'token')
    assert.equal(config.vaultKeys, 'k1:abc')
    assert.equal(providerIdOf(config), 'https://login.example.com')
    assert.ok(allowedRedirectURIs(config).includes('http://127.0.0.1:8790/callback'))
    assert.equal(allowedRedirectURIs(config).length, 5)
  })

  test('printing the config shows no secret', async () => {
    const config = await loadConfig({
      env: {
        BM_OAUTH_CLIENT_ID: 'agent',
        BM_OAUTH_CLIENT_SECRET: 'SECRET-client',
        BM_OAUTH_VAULT_KEYS: 'SECRET-vault',
        BM_OAUTH_WEBHOOK_KEYS: 'SECRET-hook',
        BM_OAUTH_WEBHOOK_CLIENT_TOKEN: 'SECRET-token',
        BM_OAUTH_DATABASE_URL: 'postgres://bm:SECRET-pw@127.0.0.1/db',
      },
    })
    for (const printed of [JSON.stringify(config), inspect(config, { depth: 10 })]) {
      assert.doesNotMatch(printed, /SECRET/)
      assert.match(printed, /REDACTED/)
    }
  })

  test('printing the config hides a PostgreSQL password given as a query parameter (password, sslpassword)', async () => {
    const url =
      'postgres://bm@127.0.0.1/db?sslmode=require&password=SECRET-pw&sslpassword=SECRET-ssl&sslkey=/etc/bm/key.pem'
    const config = await loadConfig({ env: { BM_OAUTH_DATABASE_URL: url } })
    assert.deepEqual(config.store, { postgres: url }, 'the store still gets the real URL')
    for (const printed of [JSON.stringify(config), inspect(config, { depth: 10 })]) {
      assert.doesNotMatch(printed, /SECRET/)
      assert.match(printed, /sslmode=require/)
      assert.match(printed, /sslkey=%2Fetc%2Fbm%2Fkey\.pem|sslkey=\/etc\/bm\/key\.pem/, 'a key path is not a secret')
    }
  })

  test('BM_OAUTH_DATABASE_URL selects PostgreSQL; the explicit provider form is accepted', async () => {
    const file = configFile({
      provider: {
        authorizationEndpoint: 'https://p.example/auth',
        tokenEndpoint: 'https://p.example/token',
        pkceMethods: ['S256'],
      },
    })
    const config = await loadConfig({ file, env: { BM_OAUTH_DATABASE_URL: 'postgres://127.0.0.1/x' } })
    assert.deepEqual(config.store, { postgres: 'postgres://127.0.0.1/x' })
    assert.equal(providerIdOf(config), 'https://p.example/token')
  })
})

describe('loadConfig errors name the field and its source, never the value', () => {
  test('a bad value from the environment names the variable', async () => {
    const err = await configError(loadConfig({ env: { BM_OAUTH_WEBHOOK_PORT: 'SECRET-not-a-port' } }))
    assert.equal(err.field, 'webhook.port')
    assert.match(err.message, /BM_OAUTH_WEBHOOK_PORT/)
    assert.doesNotMatch(err.message, /SECRET/)
  })

  test('a bad value in the file names the field and the file', async () => {
    const file = configFile({
      client: { clientId: 'a', clientSecret: 'SECRET-x', tokenEndpointAuthMethod: 'SECRET-y' },
    })
    const err = await configError(loadConfig({ file, env: {} }))
    assert.equal(err.field, 'client.tokenEndpointAuthMethod')
    assert.equal(err.source, file)
    assert.match(err.message, /client_secret_basic/)
    assert.doesNotMatch(err.message, /SECRET/)
  })

  test('unknown keys are refused by name', async () => {
    const err = await configError(loadConfig({ file: configFile({ webhook: { prot: 1 } }), env: {} }))
    assert.equal(err.field, 'webhook.prot')
  })

  test('secrets that belong in the environment are refused in the file', async () => {
    const err = await configError(loadConfig({ file: configFile({ vaultKeys: 'SECRET-k:1' }), env: {} }))
    assert.match(err.message, /BM_OAUTH_VAULT_KEYS/)
    assert.doesNotMatch(err.message, /SECRET/)
    const hook = await configError(loadConfig({ file: configFile({ webhook: { clientToken: 'SECRET' } }), env: {} }))
    assert.match(hook.message, /BM_OAUTH_WEBHOOK_CLIENT_TOKEN/)
  })

  test('a file that is not JSON is reported by position only', async () => {
    const err = await configError(loadConfig({ file: configFile('{"client": {"clientSecret": SECRET-raw}}'), env: {} }))
    assert.match(err.message, /not valid JSON/)
    assert.doesNotMatch(err.message, /SECRET/)
    const missing = await configError(loadConfig({ file: join(dir, 'nope.json'), env: {} }))
    assert.match(missing.message, /not found/)
  })

  test('X13 an explicit provider must declare S256; http needs local mode and loopback', async () => {
    const noS256 = configFile({
      provider: { authorizationEndpoint: 'https://p/a', tokenEndpoint: 'https://p/t', pkceMethods: ['plain'] },
    })
    assert.equal((await configError(loadConfig({ file: noS256, env: {} }))).field, 'provider.pkceMethods')
    const http = await configError(loadConfig({ env: { BM_OAUTH_ISSUER: 'http://127.0.0.1:4000' } }))
    assert.equal(http.field, 'provider.issuer')
    assert.match(http.message, /BM_OAUTH_ISSUER/)
    await loadConfig({ env: { BM_OAUTH_ISSUER: 'http://127.0.0.1:4000', BM_OAUTH_LOCAL: '1' } })
    const remote = await configError(
      loadConfig({ env: { BM_OAUTH_ISSUER: 'http://login.example', BM_OAUTH_LOCAL: '1' } }),
    )
    assert.equal(remote.field, 'provider.issuer')
  })

  test('X14 an explicit provider may give jwksUri; it must be https outside local mode (X13)', async () => {
    const explicit = (jwksUri: string) =>
      configFile({
        provider: {
          authorizationEndpoint: 'https://p.example/a',
          tokenEndpoint: 'https://p.example/t',
          jwksUri,
          pkceMethods: ['S256'],
        },
      })
    const loaded = await loadConfig({ file: explicit('https://p.example/jwks'), env: {} })
    assert.equal((loaded.provider as { jwksUri?: string }).jwksUri, 'https://p.example/jwks')
    const http = await configError(loadConfig({ file: explicit('http://p.example/jwks'), env: {} }))
    assert.equal(http.field, 'provider.jwksUri')
  })

  test('X13 outside local mode every Google, provider and webhook URL must be https; the old switch names its replacement', async () => {
    const cases: Array<[env: Record<string, string>, field: string]> = [
      [{ BM_OAUTH_GOOGLE_BASE_URL: 'http://127.0.0.1:8790' }, 'google.baseUrl'],
      [{ BM_OAUTH_BUSINESS_MESSAGES_URL: 'http://10.1.2.3:8790' }, 'google.businessMessagesUrl'],
      [{ BM_OAUTH_BUSINESS_COMMUNICATIONS_URL: 'http://[::1]:8790' }, 'google.businessCommunicationsUrl'],
      [{ BM_OAUTH_WEBHOOK_URL: 'http://agent.example/webhook' }, 'webhook.url'],
      [{ BM_OAUTH_STAND_IN_REDIRECT_URIS: 'https://stand-in.example/callback' }, 'local.standInRedirectUris'],
      [{ BM_OAUTH_UNSAFE_DISABLE_SIGNATURE_VERIFICATION: 'true' }, 'local.unsafeDisableSignatureVerification'],
      [{ BM_OAUTH_ALLOW_INSECURE_LOOPBACK: 'true' }, 'local.allowInsecureLoopback'],
      [{ BM_OAUTH_ALLOW_INSECURE_LOOPBACK: 'true', BM_OAUTH_LOCAL: '1' }, 'local.allowInsecureLoopback'],
    ]
    for (const [env, field] of cases) {
      const err = await configError(loadConfig({ env }))
      assert.equal(err.field, field, JSON.stringify(env))
    }
    const replaced = await configError(loadConfig({ env: { BM_OAUTH_ALLOW_INSECURE_LOOPBACK: 'true' } }))
    assert.match(replaced.message, /replaced by local\.enabled \(BM_OAUTH_LOCAL=1/)
    const local = await loadConfig({
      env: {
        BM_OAUTH_LOCAL: '1',
        BM_OAUTH_GOOGLE_BASE_URL: 'http://127.0.0.1:8790',
        BM_OAUTH_WEBHOOK_URL: 'http://localhost:8080/webhook',
        BM_OAUTH_STAND_IN_REDIRECT_URIS: 'http://127.0.0.1:8790/callback',
      },
    })
    assert.equal(local.local.enabled, true)
    const offLoopback = await configError(
      loadConfig({ env: { BM_OAUTH_LOCAL: '1', BM_OAUTH_GOOGLE_BASE_URL: 'http://10.1.2.3' } }),
    )
    assert.equal(offLoopback.field, 'google.baseUrl')
    await loadConfig({ env: { BM_OAUTH_GOOGLE_BASE_URL: 'https://businessmessages.googleapis.com' } })
  })

  test('X13 a key file whose token_uri is not https is refused outside local mode, naming google.keyFile', async () => {
    const key = (tokenURI: string): string =>
      configFile({ type: 'service_account', client_email: 'a@b.example', private_key: 'x', token_uri: tokenURI })
    const emulatorKey = key('http://127.0.0.1:8790/token')
    const err = await configError(loadConfig({ env: { BM_OAUTH_KEY_FILE: emulatorKey } }))
    assert.equal(err.field, 'google.keyFile')
    assert.match(err.message, /BM_OAUTH_KEY_FILE\): token_uri must use https:/)
    const fromGoogleVariable = await configError(loadConfig({ env: { GOOGLE_APPLICATION_CREDENTIALS: emulatorKey } }))
    assert.match(fromGoogleVariable.message, /GOOGLE_APPLICATION_CREDENTIALS/)
    await loadConfig({ env: { BM_OAUTH_KEY_FILE: emulatorKey, BM_OAUTH_LOCAL: '1' } })
    await loadConfig({ env: { BM_OAUTH_KEY_FILE: key('https://oauth2.googleapis.com/token') } })
    const remote = await configError(
      loadConfig({ env: { BM_OAUTH_KEY_FILE: key('http://10.1.2.3/token'), BM_OAUTH_LOCAL: '1' } }),
    )
    assert.equal(remote.field, 'google.keyFile')
  })

  test('webhook keys: at most current and previous, no empty entry, never echoed', async () => {
    const three = await configError(loadConfig({ env: { BM_OAUTH_WEBHOOK_KEYS: 'SECRET-a,SECRET-b,SECRET-c' } }))
    assert.equal(three.field, 'BM_OAUTH_WEBHOOK_KEYS')
    assert.doesNotMatch(three.message, /SECRET/)
    await configError(loadConfig({ env: { BM_OAUTH_WEBHOOK_KEYS: 'SECRET-a,,' } }))
  })

  test('a malformed agent name and a missing required field', async () => {
    const agent = await configError(loadConfig({ env: { BM_OAUTH_AGENT: 'agents/1' } }))
    assert.equal(agent.field, 'agent')
    assert.match(agent.message, /brands\/BRAND_ID\/agents\/AGENT_ID/)
    const noId = await configError(loadConfig({ file: configFile({ client: { clientSecret: 'SECRET' } }), env: {} }))
    assert.equal(noId.field, 'client.clientId')
    assert.match(noId.message, /is required/)
  })
})
