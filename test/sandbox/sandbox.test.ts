/**
 * The sandbox behind `npm start` (src/sandbox): emulator, strict demo provider, bank API and the
 * Growing Tree Bank agent, started on ephemeral ports in a temporary data directory. The test plays
 * the user through the emulator's control API and the provider's real login and consent pages, and
 * checks the agent's answers against the bank's demo data. Then it restarts the sandbox on the same
 * data directory (the user stays signed in), signs out, and resets.
 */
import { after, before, describe, test } from 'node:test'
import assert from 'node:assert/strict'
import { mkdtemp, readdir, rm, stat } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join, relative } from 'node:path'
import { DatabaseSync } from 'node:sqlite'
import { formatAmount } from '../../src/demo/bank-agent/index.ts'
import { balanceOf } from '../../src/demo/bank/index.ts'
import { SECRETS_FILE } from '../../src/sandbox/secrets.ts'
import { startSandbox, type RunningSandbox, type SandboxOptions } from '../../src/sandbox/index.ts'
import { loginAndConsent } from '../support/oidc-login.ts'
import {
  agentState,
  agentStateToken,
  agentTexts,
  control,
  getWithBearer,
  waitForAgentText,
  type SandboxAgentMessage,
} from './support.ts'

const EPHEMERAL = { emulator: 0, provider: 0, bank: 0, agent: 0 }
const ALICE_BALANCE = formatAmount(balanceOf('user-alice', 'acc-alice-checking', Date.now())!.current)

describe('sandbox', () => {
  let dataDir: string
  let sandbox: RunningSandbox | undefined
  let conversationId: string

  const start = async (options: SandboxOptions = {}): Promise<RunningSandbox> => {
    sandbox = await startSandbox({ dataDir, ports: EPHEMERAL, webhookBaseDelayMs: 100, ...options })
    return sandbox
  }

  let umask: number
  before(async () => {
    // The usual default: files SQLite or writeFile create on their own would come out 0644.
    umask = process.umask(0o022)
    dataDir = await mkdtemp(join(tmpdir(), 'bm-oauth-sandbox-'))
  })
  after(async () => {
    process.umask(umask)
    await sandbox?.close()
    await rm(dataDir, { recursive: true, force: true })
  })

  test('first start generates secrets (0600), reports progress and prints one URL', async () => {
    const steps: string[] = []
    const s = await start({ onProgress: (e) => steps.push(`${e.step}:${e.phase}`) })
    assert.equal(s.createdKeys, true)
    assert.equal(((await stat(join(dataDir, SECRETS_FILE))).mode & 0o777).toString(8), '600')
    assert.deepEqual(steps.slice(0, 2), ['keys:begin', 'keys:end'])
    assert.ok(steps.includes('agent:end'))
    assert.match(
      s.url,
      /^http:\/\/127\.0\.0\.1:\d+\/\?agentState=\/emulator\/v1\/agent-state#agentStateToken=[\w-]{43}$/,
    )
    const page = await fetch(s.url)
    assert.equal(page.status, 200)
    assert.match(await page.text(), /<title>bm-oauth/)
    assert.deepEqual(
      s.demoUsers.map((u) => `${u.username}/${u.password}`),
      ['alice/wonderland', 'bob/builder'],
    )
  })

  test("the agent runs on the production host: /readyz on its webhook's listener, /metrics on loopback admin", async () => {
    const s = sandbox!
    const { url, webhookUrl, metricsUrl } = s.services.agent
    assert.match(metricsUrl, /^http:\/\/127\.0\.0\.1:\d+\/metrics$/)
    assert.notEqual(new URL(metricsUrl).port, new URL(url).port, 'metrics are not on the public listener')
    const ready = await fetch(`${url}/readyz`)
    assert.equal(ready.status, 200)
    assert.match(await ready.text(), /^started: ok$/m)
    assert.equal((await fetch(`${url}/metrics`)).status, 404)
    const rejected = async (): Promise<number> => {
      const res = await fetch(metricsUrl)
      assert.equal(res.status, 200)
      assert.match(res.headers.get('content-type') ?? '', /^text\/plain/)
      const line = /^bm_oauth_webhook_requests_total\{[^}]*outcome="rejected-signature"[^}]*\} (\d+)$/m.exec(
        await res.text(),
      )
      return Number(line?.[1] ?? 0)
    }
    const before = await rejected()
    // A real event the counter must see: a delivery without a signature.
    const unsigned = await fetch(webhookUrl, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: '{}',
    })
    assert.equal(unsigned.status, 401)
    assert.equal(await rejected(), before + 1)
  })

  test('S14 every data file (databases with their WAL and SHM, key files, secrets) is 0600', async () => {
    const s = sandbox!
    // The first start has written through every store; list what it left in the data directory.
    await control(s, 'conversations', { displayName: 'Files' })
    const files = await listFiles(dataDir)
    for (const expected of ['sandbox.sqlite', 'agent.sqlite', join('emulator', 'emulator.sqlite'), SECRETS_FILE]) {
      assert.ok(files.includes(expected), `${expected} exists`)
      for (const suffix of expected.endsWith('.sqlite') ? ['-wal', '-shm'] : []) {
        assert.ok(files.includes(`${expected}${suffix}`), `${expected}${suffix} exists`)
      }
    }
    const modes = await Promise.all(
      files.map(async (file) => `${file} ${((await stat(join(dataDir, file))).mode & 0o777).toString(8)}`),
    )
    assert.deepEqual(
      modes.filter((line) => !line.endsWith(' 600')),
      [],
      `umask ${process.umask().toString(8)}`,
    )
  })

  test('public questions are answered without sign-in', async () => {
    const s = sandbox!
    conversationId = (await control<{ conversationId: string }>(s, 'conversations', { displayName: 'Alice' }))
      .conversationId
    await control(s, `conversations/${conversationId}/messages`, { text: 'What are your opening hours?' })
    await waitForAgentText(s, conversationId, /Monday to Friday 9:00/)
    const texts = await agentTexts(s, conversationId)
    assert.match(texts[0]!.content.text ?? '', /^Welcome to Growing Tree Bank, Alice!/)
    assert.ok(!texts.some(hasSignInChip), 'no sign-in prompt for a public question')
  })

  test('balance: sign-in prompt, login as alice, then her real balance without asking again', async () => {
    const s = sandbox!
    const before = (await agentTexts(s, conversationId)).length
    await control(s, `conversations/${conversationId}/messages`, { text: 'What is my balance?' })
    const prompt = await waitForAgentText(s, conversationId, /please sign in/, before)
    assert.ok(hasSignInChip(prompt))
    const state = await agentState<{ conversations: Array<{ signIn: { kind: string } }> }>(
      s,
      `conversation=${conversationId}`,
    )
    assert.equal(state.conversations[0]?.signIn.kind, 'awaiting-sign-in')

    const started = await control<{ authorizationUrl: string }>(s, `conversations/${conversationId}/signin/start`, {
      surface: 'web',
    })
    const authorization = new URL(started.authorizationUrl)
    assert.equal(authorization.searchParams.get('code_challenge_method'), 'S256')
    const location = await loginAndConsent(started.authorizationUrl, { username: 'alice', password: 'wonderland' })
    await control(s, `conversations/${conversationId}/signin/complete`, { location })
    const answer = await waitForAgentText(s, conversationId, /Your Everyday Checking balance is/, before)
    assert.ok(answer.content.text!.includes(ALICE_BALANCE), `${answer.content.text} mentions ${ALICE_BALANCE}`)
    assert.equal(ALICE_BALANCE, '$2,543.10')

    await control(s, `conversations/${conversationId}/messages`, { text: 'who am I?' })
    await waitForAgentText(s, conversationId, /signed in as Alice Liddell/, before)
    const view = await agentState<{
      conversations: Array<{ signIn: Record<string, unknown>; grant: Record<string, unknown> }>
    }>(s, `conversation=${conversationId}`)
    assert.equal(view.conversations[0]?.signIn['kind'], 'signed-in')
    assert.equal(view.conversations[0]?.grant['subject'], 'user-alice')
    assert.doesNotMatch(JSON.stringify(view), /token"|verifier|code"/i)
  })

  test('E5 the agent state (relay and agent) answers only the per-start token from the page URL', async () => {
    const s = sandbox!
    const relay = `${s.services.emulator.url}/emulator/v1/agent-state?conversation=${conversationId}`
    const direct = `${s.services.agent.stateUrl}?conversation=${conversationId}`
    const token = agentStateToken(s)
    for (const url of [relay, direct]) {
      for (const wrong of [undefined, 'not-the-token', `${token}x`]) {
        const res = await getWithBearer(url, wrong)
        assert.equal(res.status, 401, `${url} with ${wrong ?? 'no token'}`)
        assert.doesNotMatch(await res.text(), new RegExp(`${conversationId}|user-alice`))
      }
      const res = await getWithBearer(url, token)
      assert.equal(res.status, 200, url)
      assert.match(await res.text(), /user-alice/)
    }
    // The page itself never sends the token to the server: it travels in the fragment only.
    assert.equal(new URL(s.url).search, '?agentState=/emulator/v1/agent-state')
  })

  test('a restart on the same data directory keeps alice signed in', async () => {
    const ports = sandbox!.ports
    await sandbox!.close()
    const previousToken = agentStateToken(sandbox!)
    const s = await start({ ports })
    assert.equal(s.createdKeys, false)
    assert.notEqual(agentStateToken(s), previousToken, 'E5 a new agent-state token per start')
    const before = (await agentTexts(s, conversationId)).length
    await control(s, `conversations/${conversationId}/messages`, { text: 'Show my recent transactions' })
    const answer = await waitForAgentText(s, conversationId, /Recent transactions on your Everyday Checking/, before)
    assert.match(answer.content.text ?? '', /Cheshire Coffee Co\., -\$4\.50/)
    const after = (await agentTexts(s, conversationId)).slice(before)
    assert.ok(!after.some(hasSignInChip), 'no new sign-in prompt after the restart')
  })

  test("the inspector's clock fast-forward moves the agent too: +1 day refreshes the grant; an old prompt expires", async () => {
    const s = sandbox!
    const before = (await agentTexts(s, conversationId)).length
    await control(s, 'clock/advance', { ms: 24 * 60 * 60_000 })
    // the access token (1 h) has expired on the shared clock: the agent refreshes and answers
    await control(s, `conversations/${conversationId}/messages`, { text: 'balance please' })
    const answer = await waitForAgentText(s, conversationId, /Your Everyday Checking balance is/, before)
    assert.ok(!hasSignInChip(answer))

    const other = (await control<{ conversationId: string }>(s, 'conversations', { displayName: 'Bob' })).conversationId
    await control(s, `conversations/${other}/messages`, { text: 'What is my balance?' })
    await waitForAgentText(s, other, /please sign in/)
    const started = await control<{ authorizationUrl: string }>(s, `conversations/${other}/signin/start`, {
      surface: 'web',
    })
    await control(s, 'clock/advance', { ms: 11 * 60_000 }) // past the 10-minute pending sign-in
    const location = await loginAndConsent(started.authorizationUrl, { username: 'bob', password: 'builder' })
    const count = (await agentTexts(s, other)).length
    await control(s, `conversations/${other}/signin/complete`, { location })
    const fresh = await waitForAgentText(s, other, /timed out/, count)
    assert.ok(hasSignInChip(fresh), 'a fresh chip replaces the expired prompt')
    assert.ok(
      !(await agentTexts(s, other)).some((m) => /balance is/.test(m.content.text ?? '')),
      'no answer from an expired prompt',
    )
  })

  test('sign out revokes; the next personal question prompts again; cancel gets a kind reply', async () => {
    const s = sandbox!
    const before = (await agentTexts(s, conversationId)).length
    assert.ok(providerRows('RefreshToken') > 0, 'the provider stores alice’s refresh token')
    await control(s, `conversations/${conversationId}/messages`, { text: 'sign out' })
    await waitForAgentText(s, conversationId, /signed out of Growing Tree Bank/, before)
    assert.equal(providerRows('RefreshToken'), 0, 'sign-out revoked the grant at the provider (RFC 7009)')
    assert.equal(providerRows('AccessToken'), 0)
    await control(s, `conversations/${conversationId}/messages`, { text: 'balance please' })
    assert.ok(hasSignInChip(await waitForAgentText(s, conversationId, /please sign in/, before)))

    await control(s, `conversations/${conversationId}/signin/start`, { surface: 'web' })
    await control(s, `conversations/${conversationId}/signin/cancel`, {})
    const kind = await waitForAgentText(s, conversationId, /sign-in was cancelled/, before)
    assert.ok(hasSignInChip(kind), 'a fresh Sign in chip comes with the kind reply')
  })

  test('repeated failures offer a live agent; tapping it gets a human hand-off reply', async () => {
    const s = sandbox!
    const before = (await agentTexts(s, conversationId)).length
    for (let i = 0; i < 2; i++) {
      const count = (await agentTexts(s, conversationId)).length
      await control(s, `conversations/${conversationId}/signin/start`, { surface: 'web' })
      await control(s, `conversations/${conversationId}/signin/cancel`, {})
      await waitForAgentText(s, conversationId, /./, count)
    }
    const offer = await waitForAgentText(s, conversationId, /talk to someone from our team/, before)
    assert.ok((offer.content.suggestions ?? []).some((chip) => 'liveAgentRequest' in chip))
    await control(s, `conversations/${conversationId}/suggestions`, { index: 0 })
    await waitForAgentText(s, conversationId, /Someone from our team will join/, before)
  })

  test('reset wipes the data directory: new keys, no conversations', async () => {
    const ports = sandbox!.ports
    await sandbox!.close()
    const s = await start({ ports, reset: true })
    assert.equal(s.createdKeys, true)
    const list = await control<{ conversations: unknown[] }>(s, 'conversations')
    assert.deepEqual(list.conversations, [])
  })

  /** Rows of one oidc-provider model in the sandbox's provider store (read-only peek). */
  function providerRows(model: string): number {
    const db = new DatabaseSync(join(dataDir, 'sandbox.sqlite'), { readOnly: true })
    try {
      const row = db.prepare('SELECT COUNT(*) AS n FROM sandbox_provider_entries WHERE model = ?').get(model) as {
        n: number
      }
      return Number(row.n)
    } finally {
      db.close()
    }
  }
})

/** Every regular file under `dir`, relative to it. */
async function listFiles(dir: string): Promise<string[]> {
  const entries = await readdir(dir, { recursive: true, withFileTypes: true })
  return entries.filter((e) => e.isFile()).map((e) => relative(dir, join(e.parentPath, e.name)))
}

function hasSignInChip(message: SandboxAgentMessage): boolean {
  return (message.content.suggestions ?? []).some((s) => 'authenticationRequest' in s)
}
