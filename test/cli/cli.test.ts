/**
 * The CLI end to end: commands run in-process through `runCLI` (same code path as the binary) against
 * a real emulator on 127.0.0.1, plus a few runs of the real executable in a child process.
 */
import { after, before, describe, test } from 'node:test'
import assert from 'node:assert/strict'
import { execFile } from 'node:child_process'
import { mkdtemp, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { promisify } from 'node:util'
import { startEmulator } from '../../src/emulator/index.ts'
import type { RunningEmulator } from '../../src/emulator/index.ts'
import { run } from './ops-support.ts'

const MAIN = new URL('../../src/cli/main.ts', import.meta.url).pathname

describe('bm-oauth CLI against the emulator', () => {
  let dir: string
  let emulator: RunningEmulator
  let env: Record<string, string>

  before(async () => {
    dir = await mkdtemp(join(tmpdir(), 'bm-oauth-cli-'))
    emulator = await startEmulator({ port: 0, dataDir: join(dir, 'emulator') })
    env = { BM_OAUTH_LOCAL: '1', BM_OAUTH_GOOGLE_BASE_URL: emulator.url, BM_OAUTH_KEY_FILE: emulator.keyFilePath }
  })
  after(async () => {
    await emulator.close()
    await rm(dir, { recursive: true, force: true })
  })

  test('configure-oauth patches authorizationConfig and shows before → after; agent show reads it back', async () => {
    const endpoint = 'https://provider.example/authorize'
    const configured = await run(['configure-oauth', '--agent', emulator.agentName, '--endpoint-url', endpoint], env)
    assert.equal(configured.code, 0, configured.stderr)
    assert.match(configured.stdout, new RegExp(`endpointUrl: .* → ${endpoint}`))

    const shown = await run(['agent', 'show', emulator.agentName, '--json'], env)
    assert.equal(shown.code, 0, shown.stderr)
    const agent = JSON.parse(shown.stdout)
    assert.equal(agent.name, emulator.agentName)
    assert.equal(agent.businessMessagesAgent.authorizationConfig.endpointUrl, endpoint)

    const again = await run(['configure-oauth', '--endpoint-url', 'https://other.example/auth', '--json'], {
      ...env,
      BM_OAUTH_AGENT: emulator.agentName,
    })
    assert.equal(again.code, 0, again.stderr)
    assert.deepEqual(JSON.parse(again.stdout), {
      agent: emulator.agentName,
      before: endpoint,
      after: 'https://other.example/auth',
    })
  })

  test('agents list shows the provisioned agent', async () => {
    const listed = await run(['agents', 'list', '--brand', emulator.brandName, '--json'], env)
    assert.equal(listed.code, 0, listed.stderr)
    const names = JSON.parse(listed.stdout).agents.map((a: { name: string }) => a.name)
    assert.ok(names.includes(emulator.agentName))
  })

  test('header prints one Authorization line that the documented curl PATCH (lenient body) accepts', async () => {
    const header = await run(['header', '--json', emulator.keyFilePath, 'businesscommunications'], {})
    assert.equal(header.code, 0, header.stderr)
    assert.match(header.stdout, /^Authorization: Bearer \S+\n$/)
    const [name, value] = header.stdout.trim().split(': ')
    // docs/contract-decisions.md §1.4: the guide's body, single-quoted with trailing commas,
    // exactly as curl -d sends it.
    const body =
      "{ 'businessMessagesAgent': { 'authorizationConfig': { 'endpointUrl': 'https://curl.example/auth', }, }, }"
    const response = await fetch(
      `${emulator.url}/v1/${emulator.agentName}?updateMask=businessMessagesAgent.authorizationConfig`,
      {
        method: 'PATCH',
        headers: { 'Content-Type': 'application/json', 'User-Agent': 'curl/business-communications', [name!]: value! },
        body,
      },
    )
    assert.equal(response.status, 200)
    const agent = (await response.json()) as { businessMessagesAgent: { authorizationConfig: { endpointUrl: string } } }
    assert.equal(agent.businessMessagesAgent.authorizationConfig.endpointUrl, 'https://curl.example/auth')
  })

  test('header with the wrong scope yields a token the BC API refuses with 403', async () => {
    const header = await run(['header', '--key', emulator.keyFilePath, 'businessmessages'], {})
    assert.equal(header.code, 0, header.stderr)
    const value = header.stdout.trim().slice('Authorization: '.length)
    const response = await fetch(`${emulator.url}/v1/${emulator.agentName}`, { headers: { Authorization: value } })
    assert.equal(response.status, 403)
  })

  test("an API error prints Google's status and message and exits 1", async () => {
    const missing = emulator.agentName.replace(/agents\/.*/, 'agents/does-not-exist')
    const shown = await run(['agent', 'show', missing], env)
    assert.equal(shown.code, 1)
    assert.match(shown.stderr, /404 NOT_FOUND/)
    const json = await run(['agent', 'show', missing, '--json'], env)
    assert.equal(JSON.parse(json.stderr).error.status, 'NOT_FOUND')
  })

  test('partner set-webhook stores the URL; partner show never prints the client token', async () => {
    const set = await run(
      ['partner', 'set-webhook', '--partner', emulator.partnerName, '--url', 'http://127.0.0.1:9/hook', '--json'],
      env,
    )
    assert.equal(set.code, 0, set.stderr)
    const shown = await run(['partner', 'show', '--partner', emulator.partnerName, '--json'], env)
    assert.equal(shown.code, 0, shown.stderr)
    const partner = JSON.parse(shown.stdout)
    const capability = partner.productCapabilities[0].businessMessagesCapability
    assert.equal(capability.webhookUrl, 'http://127.0.0.1:9/hook')
    assert.ok(capability.webhookClientToken === undefined || capability.webhookClientToken === '[REDACTED]')
  })
})

describe('bm-oauth CLI input errors', () => {
  test('redirect-uris prints the four URIs, one per line, exactly', async () => {
    const out = await run(['redirect-uris'])
    assert.equal(out.code, 0)
    assert.equal(
      out.stdout,
      [
        'https://business.google.com/callback',
        'https://business.google.com/callback?',
        'https://business.google.com/message?az-intent-type=1',
        'https://business.google.com/message?az-intent-type=1&',
        '',
      ].join('\n'),
    )
  })

  test('a malformed agent name is a usage error (exit 2) naming the expected shape', async () => {
    const out = await run(['agent', 'show', 'agents/123'], { BM_OAUTH_KEY_FILE: '/nonexistent.json' })
    assert.equal(out.code, 2)
    assert.match(out.stderr, /brands\/BRAND_ID\/agents\/AGENT_ID/)
  })

  test('a missing key file is a usage error (exit 2) naming the file', async () => {
    const out = await run(['agent', 'show', 'brands/1/agents/2', '--key', '/nonexistent/key.json'])
    assert.equal(out.code, 2)
    assert.match(out.stderr, /key file not found: \/nonexistent\/key\.json/)
  })

  test('no key configured at all is a usage error that says how to configure one', async () => {
    const out = await run(['agent', 'show', 'brands/1/agents/2'])
    assert.equal(out.code, 2)
    assert.match(out.stderr, /BM_OAUTH_KEY_FILE|--key/)
  })

  test('a key file that is not a service-account key is refused without echoing its content', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'bm-oauth-key-'))
    const path = join(dir, 'key.json')
    await writeFile(path, JSON.stringify({ type: 'service_account', private_key: 'SECRET-MATERIAL' }))
    const out = await run(['header', '--json', path, 'businessmessages'])
    await rm(dir, { recursive: true, force: true })
    assert.equal(out.code, 2)
    assert.doesNotMatch(out.stderr, /SECRET-MATERIAL/)
  })

  test('--json errors follow the parsed options, not words in argv', async () => {
    const json = await run(['agent', 'show', 'brands/1/agents/2', '--json', '--key', 'header'])
    assert.equal(json.code, 2)
    assert.match(JSON.parse(json.stderr).error.message, /key file not found: header/)
    const text = await run(['agent', 'show', 'brands/1/agents/2', '--key', '--json'])
    assert.equal(text.code, 2)
    assert.match(text.stderr, /^bm-oauth: key file not found: --json/)
    const badOption = await run(['agent', 'show', 'brands/1/agents/2', '--json', '--timeout', 'soon'])
    assert.equal(badOption.code, 2)
    assert.equal(JSON.parse(badOption.stderr).error.code, 'ERR_INVALID_ARGUMENT')
  })

  test('unknown commands and missing required options exit 2 with help', async () => {
    assert.equal((await run(['no-such-command'])).code, 2)
    const missing = await run(['configure-oauth', '--agent', 'brands/1/agents/2'])
    assert.equal(missing.code, 2)
    assert.match(missing.stderr, /--endpoint-url/)
  })
})

describe('the bm-oauth executable', () => {
  const exec = promisify(execFile)

  test('--help lists the commands', async () => {
    const { stdout } = await exec(process.execPath, [MAIN, '--help'])
    for (const command of ['configure-oauth', 'agent', 'agents', 'redirect-uris', 'header', 'emulator']) {
      assert.match(stdout, new RegExp(`\\b${command}\\b`))
    }
  })

  test('a usage error exits with code 2', async () => {
    await assert.rejects(exec(process.execPath, [MAIN, 'agent', 'show', 'nope']), (err: { code: number }) => {
      assert.equal(err.code, 2)
      return true
    })
  })
})
