/**
 * `bm-oauth doctor` against real counterparts: the strict OIDC provider (its registered clients
 * decide which redirect URIs are accepted), the emulator's Business Communications API (the agent's
 * endpointUrl) and the real webhook receiver (handshake and signature verification).
 */
import { after, before, describe, test } from 'node:test'
import assert from 'node:assert/strict'
import { randomBytes } from 'node:crypto'
import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { startEmulator } from '../../src/emulator/index.ts'
import type { RunningEmulator } from '../../src/emulator/index.ts'
import { startStrictProvider } from '../support/strict-provider.ts'
import type { RunningProvider } from '../support/strict-provider.ts'
import { run, startReceiverWebhook, type ReceiverWebhook } from './ops-support.ts'

const SECRET = `secret-${randomBytes(12).toString('hex')}`
const HOOK_KEY = `hook-key-${randomBytes(12).toString('hex')}`
const HOOK_TOKEN = `hook-token-${randomBytes(12).toString('hex')}`
/** Registered for `bm-agent-three`, which lacks the last of the four URIs. */
const THREE_URIS = [
  'https://business.google.com/callback',
  'https://business.google.com/callback?',
  'https://business.google.com/message?az-intent-type=1',
]

let dir: string
let emulator: RunningEmulator
let idp: RunningProvider
let webhook: ReceiverWebhook
let env: Record<string, string>
let authorizationEndpoint: string

interface Check {
  id: string
  status: 'pass' | 'fail'
  detail: string
  hint?: string
}

async function doctor(
  extraEnv: Record<string, string> = {},
  args: string[] = [],
): Promise<{ code: number; checks: Check[]; raw: string }> {
  const out = await run(['doctor', '--json', ...args], { ...env, ...extraEnv })
  const raw = out.stdout + out.stderr
  return { code: out.code, checks: JSON.parse(out.stdout).checks as Check[], raw }
}

function failedIds(checks: readonly Check[]): string[] {
  return checks.filter((c) => c.status === 'fail').map((c) => c.id)
}

before(async () => {
  dir = await mkdtemp(join(tmpdir(), 'bm-oauth-doctor-'))
  emulator = await startEmulator({ port: 0, dataDir: join(dir, 'emulator') })
  idp = await startStrictProvider({ clients: [{ clientId: 'bm-agent', clientSecret: SECRET }] })
  // A second client registered (dynamically, in the provider's own store) without one of the four URIs.
  const clientAdapter = (
    idp.provider.Client as unknown as { adapter: { upsert(id: string, payload: object): Promise<void> } }
  ).adapter
  await clientAdapter.upsert('bm-agent-three', {
    client_id: 'bm-agent-three',
    client_secret: SECRET,
    token_endpoint_auth_method: 'client_secret_basic',
    redirect_uris: THREE_URIS,
    response_types: ['code'],
    grant_types: ['authorization_code', 'refresh_token'],
  })
  webhook = await startReceiverWebhook(dir, [HOOK_KEY], HOOK_TOKEN)
  const metadata = (await (await fetch(`${idp.issuer}/.well-known/openid-configuration`)).json()) as {
    authorization_endpoint: string
  }
  authorizationEndpoint = metadata.authorization_endpoint
  env = {
    BM_OAUTH_GOOGLE_BASE_URL: emulator.url,
    BM_OAUTH_KEY_FILE: emulator.keyFilePath,
    BM_OAUTH_AGENT: emulator.agentName,
    BM_OAUTH_ISSUER: idp.issuer,
    BM_OAUTH_LOCAL: '1',
    BM_OAUTH_CLIENT_ID: 'bm-agent',
    BM_OAUTH_CLIENT_SECRET: SECRET,
    BM_OAUTH_SCOPES: 'openid offline_access',
    BM_OAUTH_WEBHOOK_URL: webhook.url,
    BM_OAUTH_WEBHOOK_KEYS: HOOK_KEY,
    BM_OAUTH_WEBHOOK_CLIENT_TOKEN: HOOK_TOKEN,
  }
  const configured = await run(['configure-oauth', '--endpoint-url', authorizationEndpoint], env)
  assert.equal(configured.code, 0, configured.stderr)
})
after(async () => {
  await webhook?.close()
  await idp?.close()
  await emulator?.close()
  await rm(dir, { recursive: true, force: true })
})

describe('bm-oauth doctor', () => {
  test('all green against the strict provider, the emulator and the real webhook receiver', async () => {
    const out = await run(['doctor'], env)
    assert.equal(out.code, 0, out.stdout + out.stderr)
    const lines = out.stdout.split('\n').filter((l) => /^[✓✗] /.test(l))
    assert.equal(lines.length, 11)
    assert.ok(
      lines.every((l) => l.startsWith('✓ ')),
      out.stdout,
    )
    for (const uri of [...THREE_URIS, 'https://business.google.com/message?az-intent-type=1&']) {
      assert.ok(
        lines.some((l) => l.startsWith(`✓ redirect URI ${uri}: accepted`)),
        uri,
      )
    }
    assert.match(out.stdout, /all 11 checks passed/)
    for (const secret of [SECRET, HOOK_KEY, HOOK_TOKEN]) assert.ok(!(out.stdout + out.stderr).includes(secret))
  })

  test('a client missing one of the four redirect URIs fails exactly that check (exit 1)', async () => {
    const result = await doctor({ BM_OAUTH_CLIENT_ID: 'bm-agent-three' })
    assert.equal(result.code, 1)
    assert.deepEqual(failedIds(result.checks), ['redirect-uri.4'])
    const check = result.checks.find((c) => c.id === 'redirect-uri.4')!
    assert.match(check.detail, /rejected: HTTP 400 invalid_redirect_uri/)
    assert.match(check.hint ?? '', /register this exact string/)
    const human = await run(['doctor'], { ...env, BM_OAUTH_CLIENT_ID: 'bm-agent-three' })
    assert.match(human.stdout, /✗ redirect URI https:\/\/business\.google\.com\/message\?az-intent-type=1&: rejected/)
    assert.match(human.stdout, /1 of 11 checks failed/)
  })

  test("an agent whose endpointUrl differs from the provider's authorization endpoint fails with the fix", async () => {
    const moved = await run(['configure-oauth', '--endpoint-url', 'https://elsewhere.example/authorize'], env)
    assert.equal(moved.code, 0, moved.stderr)
    try {
      const result = await doctor()
      assert.equal(result.code, 1)
      assert.deepEqual(failedIds(result.checks), ['agent.endpoint-url'])
      const check = result.checks.find((c) => c.id === 'agent.endpoint-url')!
      assert.match(check.detail, /elsewhere\.example/)
      assert.equal(
        check.hint,
        `bm-oauth configure-oauth --agent ${emulator.agentName} --endpoint-url ${authorizationEndpoint}`,
      )
    } finally {
      await run(['configure-oauth', '--endpoint-url', authorizationEndpoint], env)
    }
  })

  test('webhook mismatches: wrong client token and wrong signing key are caught, nothing secret printed', async () => {
    const wrong = await doctor({ BM_OAUTH_WEBHOOK_CLIENT_TOKEN: 'not-the-token', BM_OAUTH_WEBHOOK_KEYS: 'not-the-key' })
    assert.equal(wrong.code, 1)
    assert.deepEqual(failedIds(wrong.checks), ['webhook.handshake', 'webhook.signed-delivery'])
    assert.match(wrong.checks.find((c) => c.id === 'webhook.signed-delivery')!.detail, /401/)
    for (const secret of ['not-the-token', 'not-the-key', HOOK_KEY, HOOK_TOKEN, SECRET])
      assert.ok(!wrong.raw.includes(secret))
  })

  test('checks are independent: no provider and an unreachable webhook still run every other check', async () => {
    const result = await doctor({ BM_OAUTH_ISSUER: '' }, ['--webhook-url', 'http://127.0.0.1:9/webhook'])
    assert.equal(result.code, 1)
    assert.equal(result.checks.length, 11)
    const discovery = result.checks.find((c) => c.id === 'provider.discovery')!
    assert.match(discovery.detail, /no provider configured/)
    assert.match(discovery.hint ?? '', /BM_OAUTH_ISSUER/)
    assert.equal(result.checks.find((c) => c.id === 'provider.auth-method')!.status, 'fail')
    for (const id of ['webhook.handshake', 'webhook.signed-delivery', 'webhook.rejects-forgery']) {
      assert.match(result.checks.find((c) => c.id === id)!.detail, /unreachable/)
    }
  })

  test('an issuer that does not answer discovery fails discovery with a hint', async () => {
    const result = await doctor({ BM_OAUTH_ISSUER: 'http://127.0.0.1:9' })
    const discovery = result.checks.find((c) => c.id === 'provider.discovery')!
    assert.equal(discovery.status, 'fail')
    assert.match(discovery.detail, /openid-configuration unreachable/)
    assert.deepEqual(
      ['webhook.handshake', 'webhook.signed-delivery', 'webhook.rejects-forgery'].map(
        (id) => result.checks.find((c) => c.id === id)!.status,
      ),
      ['pass', 'pass', 'pass'],
    )
  })
})
