import { test } from 'node:test'
import assert from 'node:assert/strict'
import { mkdtempSync, readdirSync, readlinkSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { systemClock } from '../core/clock.ts'
import { silentLogger } from '../core/logger.ts'
import type { RunningEmulator } from '../emulator/index.ts'
import { startSandboxAgent } from './demo-agent.ts'

/** Paths under `dir` this process holds open (Linux: /proc/self/fd). */
function openFilesUnder(dir: string): string[] {
  return readdirSync('/proc/self/fd')
    .map((fd) => {
      try {
        return readlinkSync(`/proc/self/fd/${fd}`)
      } catch {
        return ''
      }
    })
    .filter((target) => target.startsWith(dir))
}

test('a sandbox agent that cannot be created (bad vault keys) leaves its database closed', {
  skip: process.platform === 'linux' ? false : 'reads /proc/self/fd',
}, async (t) => {
  const dataDir = mkdtempSync(join(tmpdir(), 'bm-sandbox-agent-'))
  t.after(() => rmSync(dataDir, { recursive: true, force: true }))
  // Never contacted: createAgent rejects the vault keys before any I/O.
  const emulator = {
    agentName: 'brands/1/agents/2',
    keyFilePath: join(dataDir, 'none.json'),
    url: 'http://127.0.0.1:9',
  }
  await assert.rejects(
    startSandboxAgent({
      dataDir,
      emulator: emulator as RunningEmulator,
      issuer: 'http://127.0.0.1:9',
      clientId: 'bank-agent',
      clientSecret: 'unused',
      clientToken: 'unused',
      vaultKeys: 'not-a-vault-key',
      bankApiUrl: 'http://127.0.0.1:9',
      logger: silentLogger,
      clock: systemClock,
    }),
    { code: 'ERR_TOKEN_VAULT_KEY' },
  )
  assert.deepEqual(openFilesUnder(dataDir), [])
})
