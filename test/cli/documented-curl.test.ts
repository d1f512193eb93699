/**
 * docs/contract-decisions.md §1.4 / §10 "lenient JSON": Google's documented curl PATCH
 * (single-quoted body, trailing commas, header from `oauth2l header`) works against the emulator
 * with the host changed and `oauth2l` replaced by `bm-oauth`. The command is taken verbatim from
 * README.md, so the README stays true.
 */
import { after, before, test } from 'node:test'
import assert from 'node:assert/strict'
import { execFile } from 'node:child_process'
import { mkdtemp, readFile, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { promisify } from 'node:util'
import { startEmulator } from '../../src/emulator/index.ts'
import type { RunningEmulator } from '../../src/emulator/index.ts'

const exec = promisify(execFile)
const ROOT = new URL('../../', import.meta.url)
const MAIN = new URL('src/cli/main.ts', ROOT).pathname

/** The README's curl block that PATCHes authorizationConfig. */
async function documentedCurlCommand(): Promise<string> {
  const readme = await readFile(new URL('README.md', ROOT), 'utf8')
  const blocks = [...readme.matchAll(/```sh\n([\s\S]*?)```/g)].map((m) => m[1]!)
  const curl = blocks.find((b) => b.startsWith('curl -X PATCH'))
  assert.ok(curl, 'README.md documents the curl PATCH')
  return curl
}

let dir: string
let emulator: RunningEmulator

before(async () => {
  dir = await mkdtemp(join(tmpdir(), 'bm-oauth-curl-'))
  emulator = await startEmulator({ port: 0, dataDir: join(dir, 'emulator') })
})
after(async () => {
  await emulator.close()
  await rm(dir, { recursive: true, force: true })
})

test("docs/contract-decisions.md §1.4 the documented curl PATCH with `bm-oauth header` changes the agent's endpointUrl", async () => {
  const command = (await documentedCurlCommand())
    // `npx bm-oauth` resolves to the built CLI; run the same program from source so the test needs no build.
    .replaceAll('npx bm-oauth', `"${process.execPath}" "${MAIN}"`)
  assert.match(
    command,
    /'endpointUrl': 'https:\/\/provider\.example\/authorize',/,
    'single quotes + trailing comma kept',
  )
  const { stdout } = await exec('bash', ['-c', `${command.trimEnd()} --silent --show-error --fail-with-body`], {
    env: {
      ...process.env,
      BM_OAUTH_LOCAL: '1',
      BM_OAUTH_GOOGLE_BASE_URL: emulator.url,
      BM_OAUTH_KEY_FILE: emulator.keyFilePath,
      BM_OAUTH_AGENT: emulator.agentName,
    },
  })
  const agent = JSON.parse(stdout) as {
    name: string
    businessMessagesAgent: { authorizationConfig: { endpointUrl: string } }
  }
  assert.equal(agent.name, emulator.agentName)
  assert.equal(agent.businessMessagesAgent.authorizationConfig.endpointUrl, 'https://provider.example/authorize')
})
