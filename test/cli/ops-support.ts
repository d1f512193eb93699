/**
 * @module test/cli/ops-support
 * Shared pieces of the agent-operations CLI suites: running `bm-oauth` in-process, the real webhook
 * receiver (signature checks, handshake, durable inbox on a temp SQLite file) on 127.0.0.1, a
 * signed-in user at the real strict provider, and the emulator's control API.
 */
import { createServer } from 'node:http'
import { join } from 'node:path'
import { runCLI } from '../../src/cli/program.ts'
import { closeServer, listen } from '../../src/core/http-server.ts'
import type { CLIIO } from '../../src/cli/io.ts'
import { createNodeWebhookHandler, createWebhookReceiver, openInboxStore } from '../../src/webhook/index.ts'
import { exchangeAuthorizationCode, calculateS256Challenge, generateCodeVerifier } from '../../src/oauth/index.ts'
import { openSQLiteDatabase } from '../../src/index.ts'
import type { OAuthProvider, TokenSet } from '../../src/oauth/index.ts'
import { deviceAuthorizationURL } from '../support/bm-authorization.ts'
import { controlAPI } from '../support/emulator-control.ts'
import { codeFromLocation, loginAndConsent } from '../support/oidc-login.ts'

export interface Run {
  code: number
  stdout: string
  stderr: string
}

/** Runs `bm-oauth <argv>` in-process with exactly `env` as its environment (default: an empty one). */
export async function run(argv: string[], env: Record<string, string | undefined> = {}): Promise<Run> {
  let stdout = ''
  let stderr = ''
  const io: CLIIO = {
    stdout: { write: (s: string) => (stdout += s) },
    stderr: { write: (s: string) => (stderr += s) },
    env,
  }
  const code = await runCLI(argv, io)
  return { code, stdout, stderr }
}

export interface ReceiverWebhook {
  url: string
  close(): Promise<void>
}

/** The real webhook receiver (createWebhookReceiver + node adapter) with its inbox in `dir`. */
export async function startReceiverWebhook(dir: string, keys: string[], clientToken: string): Promise<ReceiverWebhook> {
  const db = openSQLiteDatabase(join(dir, 'webhook-inbox.sqlite'))
  const inbox = await openInboxStore(db)
  const handler = createNodeWebhookHandler(createWebhookReceiver({ keys, clientToken, inbox }))
  const server = createServer((req, res) => {
    if (req.url !== '/webhook') {
      res.writeHead(404).end()
      return
    }
    handler(req, res)
  })
  const port = await listen(server)
  return {
    url: `http://127.0.0.1:${port}/webhook`,
    close: async () => {
      await closeServer(server)
      await db.close()
    },
  }
}

/**
 * A user signs in at the strict provider (device flow of docs/contract-decisions.md §4.2) and the
 * agent exchanges the code.
 */
export async function signInAtProvider(provider: OAuthProvider, scopes: string[]): Promise<TokenSet> {
  const codeVerifier = generateCodeVerifier()
  const redirectUri = 'https://business.google.com/callback'
  const location = await loginAndConsent(
    deviceAuthorizationURL(provider.authorizationEndpoint, {
      clientId: provider.clientId,
      redirectUri,
      scopes,
      codeChallenge: calculateS256Challenge(codeVerifier),
      codeChallengeMethod: 'S256',
    }),
  )
  return exchangeAuthorizationCode(provider, { code: codeFromLocation(location), codeVerifier, redirectUri })
}

/** Calls the emulator's control API (`path` from `/emulator/v1`) and returns the JSON answer, untyped. */
export function control(emulatorURL: string, method: 'GET' | 'POST', path: string, body?: unknown): Promise<any> {
  return controlAPI<any>(emulatorURL, path, body, method)
}
