/**
 * `bm-oauth sandbox` in-process (runCLI): progress lines, the one URL, what runs where, the demo
 * users, and one line per service on shutdown. Ports are ephemeral (`--port-base 0`).
 */
import { test } from 'node:test'
import assert from 'node:assert/strict'
import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { runCLI } from '../../src/cli/program.ts'
import { portsFromBase } from '../../src/cli/commands/sandbox.ts'

test('--port-base N gives four consecutive ports; the default is 8790..8793', () => {
  assert.deepEqual(portsFromBase(undefined), { emulator: 8790, provider: 8791, bank: 8792, agent: 8793 })
  assert.deepEqual(portsFromBase(9000), { emulator: 9000, provider: 9001, bank: 9002, agent: 9003 })
})

test('bm-oauth sandbox prints progress, one URL, the services and demo users; stops cleanly', async (t) => {
  const dir = await mkdtemp(join(tmpdir(), 'bm-oauth-sandbox-cli-'))
  t.after(() => rm(dir, { recursive: true, force: true }))
  let out = ''
  let err = ''
  let pageStatus = 0
  const untilStopped = async (): Promise<void> => {
    const url = /Open (\S+) in your browser/.exec(out)?.[1]
    pageStatus = url === undefined ? 0 : (await fetch(url)).status
  }
  const code = await runCLI(['sandbox', '--port-base', '0', '--data-dir', join(dir, 'data')], {
    stdout: { write: (s: string) => (out += s) },
    stderr: { write: (s: string) => (err += s) },
    env: {},
    untilStopped,
  })
  assert.equal(code, 0, err)
  assert.match(out, /Preparing keys and secrets… generated\n/)
  assert.match(out, /Starting emulator… ok\n/)
  assert.match(out, /Starting Growing Tree Bank agent… ok\n/)
  assert.equal(out.match(/^Open /gm)?.length, 1, 'exactly one URL to open')
  assert.match(
    out,
    /Open http:\/\/127\.0\.0\.1:\d+\/\?agentState=\/emulator\/v1\/agent-state#agentStateToken=[\w-]{43} in your browser/,
  )
  assert.match(out, /demo OIDC provider\s+http:\/\/127\.0\.0\.1:\d+/)
  assert.match(out, /alice \/ wonderland/)
  assert.match(out, /stopped emulator\n/)
  assert.match(out, /Sandbox stopped\.\n$/)
  assert.equal(pageStatus, 200)
  assert.equal(err, '', 'no warnings on a clean start')
})
