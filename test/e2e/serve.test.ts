/**
 * `bm-oauth serve` end to end: the CLI runs an agent from environment configuration with the
 * built-in demo handler; the emulator's user asks "who am I", signs in at the strict provider and
 * gets the answer.
 */
import { spawn } from 'node:child_process'
import { after, before, test } from 'node:test'
import assert from 'node:assert/strict'
import { mkdtemp, readFile, rm } from 'node:fs/promises'
import { createServer } from 'node:net'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { runCLI } from '../../src/cli/program.ts'
import { startEmulator, type RunningEmulator } from '../../src/emulator/index.ts'
import {
  BusinessCommunicationsClient,
  readServiceAccountKey,
  ServiceAccountCredentials,
} from '../../src/google/index.ts'
import { generateVaultKey } from '../../src/stores/index.ts'
import { loginAndConsent } from '../support/oidc-login.ts'
import { startStrictProvider, type RunningProvider } from '../support/strict-provider.ts'
import { waitFor } from '../support/wait.ts'
import { CLIENT_ID, CLIENT_SECRET } from './support.ts'

let dir: string
let provider: RunningProvider
let emulator: RunningEmulator
let port: number

async function freePort(): Promise<number> {
  const server = createServer()
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  const { port: free } = server.address() as { port: number }
  await new Promise<void>((resolve) => server.close(() => resolve()))
  return free
}

async function control<T>(path: string, body?: unknown): Promise<T> {
  const init =
    body === undefined
      ? {}
      : { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) }
  const res = await fetch(`${emulator.url}/emulator/v1/${path}`, init)
  assert.ok(res.ok, `control ${path}: ${res.status}`)
  return (await res.json()) as T
}

async function agentTexts(conversationId: string): Promise<Array<{ text?: string; chip: boolean }>> {
  const view = await control<{
    transcript: Array<{ direction: string; kind: string; content: { text?: string; suggestions?: unknown[] } }>
  }>(`conversations/${conversationId}`)
  return view.transcript
    .filter((e) => e.direction === 'agent' && e.kind === 'message')
    .map((e) => ({
      ...(e.content.text === undefined ? {} : { text: e.content.text }),
      chip: (e.content.suggestions ?? []).length > 0,
    }))
}

function waitForTexts(conversationId: string, count: number): Promise<Array<{ text?: string; chip: boolean }>> {
  return waitFor(`${count} agent messages`, async () => {
    const texts = await agentTexts(conversationId)
    return texts.length >= count ? texts : undefined
  })
}

before(async () => {
  dir = await mkdtemp(join(tmpdir(), 'bm-oauth-serve-'))
  provider = await startStrictProvider({ clients: [{ clientId: CLIENT_ID, clientSecret: CLIENT_SECRET }] })
  port = await freePort()
  emulator = await startEmulator({
    port: 0,
    dataDir: join(dir, 'emulator'),
    webhookUrl: `http://127.0.0.1:${port}/webhook`,
    webhookBaseDelayMs: 100,
  })
  const credentials = new ServiceAccountCredentials(await readServiceAccountKey(emulator.keyFilePath), {
    scopes: ['businesscommunications'],
  })
  await new BusinessCommunicationsClient({ credentials, baseUrl: emulator.url }).setAuthorizationEndpoint(
    emulator.agentName,
    `${provider.issuer}/auth`,
  )
})
after(async () => {
  await emulator?.close()
  await provider?.close()
  await rm(dir, { recursive: true, force: true })
})

function serveEnv(clientToken: string): Record<string, string> {
  return {
    BM_OAUTH_AGENT: emulator.agentName,
    BM_OAUTH_KEY_FILE: emulator.keyFilePath,
    BM_OAUTH_GOOGLE_BASE_URL: emulator.url,
    BM_OAUTH_ISSUER: provider.issuer,
    BM_OAUTH_CLIENT_ID: CLIENT_ID,
    BM_OAUTH_CLIENT_SECRET: CLIENT_SECRET,
    BM_OAUTH_LOCAL: '1',
    BM_OAUTH_SCOPES: 'openid profile',
    BM_OAUTH_SQLITE_PATH: join(dir, 'agent.sqlite'),
    BM_OAUTH_VAULT_KEYS: generateVaultKey({ keyId: 'serve-k1' }),
    BM_OAUTH_WEBHOOK_KEYS: clientToken,
    BM_OAUTH_WEBHOOK_CLIENT_TOKEN: clientToken,
    BM_OAUTH_WEBHOOK_HOST: '127.0.0.1',
    BM_OAUTH_WEBHOOK_PORT: String(port),
    BM_OAUTH_WEBHOOK_PATH: '/webhook',
    BM_OAUTH_ADMIN_PORT: '0',
  }
}

/** Runs `bm-oauth serve` with `env` around `body`, then stops it and checks it exited 0. */
async function whileServing(env: Record<string, string>, body: () => Promise<void>): Promise<void> {
  let stop!: () => void
  const stopped = new Promise<void>((resolve) => (stop = resolve))
  const out: string[] = []
  const io = {
    stdout: { write: (s: string) => out.push(s) },
    stderr: { write: () => true },
    untilStopped: () => stopped,
    env,
  }
  const exit = runCLI(['serve'], io)
  try {
    await waitFor('serve to print its webhook URL', () => (out.join('').includes('webhook on') ? true : undefined))
    assert.match(out.join(''), /webhook on http:\/\/127\.0\.0\.1:\d+\/webhook/)
    await body()
  } finally {
    stop()
  }
  assert.equal(await exit, 0)
}

test('serve runs the demo bank agent: "who am I" → sign-in → answered from UserInfo', async () => {
  const clientToken = (await readFile(emulator.webhookClientTokenPath, 'utf8')).trim()
  await whileServing(serveEnv(clientToken), async () => {
    const { conversationId } = await control<{ conversationId: string }>('conversations', {})
    await control(`conversations/${conversationId}/messages`, { text: 'who am I?' })
    const prompted = await waitForTexts(conversationId, 2)
    assert.match(prompted[0]?.text ?? '', /^Welcome to Growing Tree Bank/)
    assert.equal(prompted[1]?.chip, true)
    const { authorizationUrl } = await control<{ authorizationUrl: string }>(
      `conversations/${conversationId}/signin/start`,
      { surface: 'android' },
    )
    await control(`conversations/${conversationId}/signin/complete`, {
      location: await loginAndConsent(authorizationUrl),
    })
    const texts = await waitForTexts(conversationId, 4)
    assert.deepEqual(
      texts.slice(2).map((t) => t.text),
      [
        "Thanks, you're signed in.",
        "You're signed in as Alice Liddell (user id user-alice). I may read: openid, profile.",
      ],
    )
  })
})

test('serve sends replies to BM_OAUTH_BUSINESS_MESSAGES_URL when it overrides the shared Google base URL', async () => {
  const clientToken = (await readFile(emulator.webhookClientTokenPath, 'utf8')).trim()
  const env = {
    ...serveEnv(clientToken),
    BM_OAUTH_GOOGLE_BASE_URL: 'http://127.0.0.1:9/', // discard port: nothing listens
    BM_OAUTH_BUSINESS_MESSAGES_URL: emulator.url,
  }
  await whileServing(env, async () => {
    const { conversationId } = await control<{ conversationId: string }>('conversations', {})
    await control(`conversations/${conversationId}/messages`, { text: 'hello' })
    const texts = await waitForTexts(conversationId, 1)
    assert.match(texts[0]?.text ?? '', /^Welcome to Growing Tree Bank/)
  })
})

/** Runs `bm-oauth serve` with `env`; it must exit before it listens. Returns its exit code and stderr. */
async function serveRefusing(env: Record<string, string>): Promise<{ code: number; stderr: string; stdout: string }> {
  const out: string[] = []
  const err: string[] = []
  const io = {
    stdout: { write: (s: string) => out.push(s) },
    stderr: { write: (s: string) => err.push(s) > 0 },
    untilStopped: () => new Promise<void>(() => {}),
    env,
  }
  const code = await runCLI(['serve'], io)
  return { code, stderr: err.join(''), stdout: out.join('') }
}

function withoutLocalMode(clientToken: string, extra: Record<string, string>): Record<string, string> {
  const { BM_OAUTH_LOCAL: _local, ...env } = serveEnv(clientToken)
  return { ...env, ...extra }
}

for (const baseUrl of ['http://127.0.0.1:8790', 'http://10.1.2.3:8790']) {
  test(`X13 serve without local mode refuses google.baseUrl ${baseUrl}, naming the setting`, async () => {
    const clientToken = (await readFile(emulator.webhookClientTokenPath, 'utf8')).trim()
    const refused = await serveRefusing(withoutLocalMode(clientToken, { BM_OAUTH_GOOGLE_BASE_URL: baseUrl }))
    assert.notEqual(refused.code, 0)
    assert.doesNotMatch(refused.stdout, /webhook on/, 'it never listened')
    assert.match(refused.stderr, /google\.baseUrl \(from BM_OAUTH_GOOGLE_BASE_URL\): must use https:.*local mode/)
  })
}

test('X13 local mode still refuses plain http off loopback (http://10.1.2.3)', async () => {
  const clientToken = (await readFile(emulator.webhookClientTokenPath, 'utf8')).trim()
  const env = { ...serveEnv(clientToken), BM_OAUTH_GOOGLE_BASE_URL: 'http://10.1.2.3:8790' }
  const refused = await serveRefusing(env)
  assert.notEqual(refused.code, 0)
  assert.match(refused.stderr, /google\.baseUrl \(from BM_OAUTH_GOOGLE_BASE_URL\): must use https: \(http: only on 127/)
})

test("X13 serve without local mode refuses the emulator's key file (http token_uri) and an http provider", async () => {
  const clientToken = (await readFile(emulator.webhookClientTokenPath, 'utf8')).trim()
  const https = { BM_OAUTH_GOOGLE_BASE_URL: 'https://businessmessages.example' }
  const keyFile = await serveRefusing(
    withoutLocalMode(clientToken, { ...https, BM_OAUTH_ISSUER: 'https://login.example' }),
  )
  assert.notEqual(keyFile.code, 0)
  assert.match(keyFile.stderr, /google\.keyFile \(from BM_OAUTH_KEY_FILE\): token_uri must use https:/)
  const issuer = await serveRefusing(withoutLocalMode(clientToken, https))
  assert.notEqual(issuer.code, 0)
  assert.match(issuer.stderr, /provider\.issuer \(from BM_OAUTH_ISSUER\): must use https:/)
})

test('the serve process drains on SIGTERM: readiness was 200, it says it drains, and exits 0', async () => {
  const clientToken = (await readFile(emulator.webhookClientTokenPath, 'utf8')).trim()
  const child = spawn(process.execPath, [fileURLToPath(new URL('../../src/cli/main.ts', import.meta.url)), 'serve'], {
    env: { PATH: process.env['PATH'] ?? '', HOME: dir, ...serveEnv(clientToken) },
    stdio: ['ignore', 'pipe', 'pipe'],
    detached: true, // its own process group, killed as a group if the test fails
  })
  let out = ''
  child.stdout.on('data', (chunk: Buffer) => (out += chunk.toString('utf8')))
  child.stderr.resume()
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)))
  try {
    await waitFor('serve to print its URLs', () => (out.includes('readiness on') ? true : undefined))
    const readyz = /readiness on (\S+)/.exec(out)?.[1] ?? ''
    assert.equal((await fetch(readyz)).status, 200)
    child.kill('SIGTERM')
    assert.equal(await exited, 0)
    assert.match(out, /draining/)
  } finally {
    if (child.exitCode === null && child.pid !== undefined) process.kill(-child.pid, 'SIGKILL')
  }
})
