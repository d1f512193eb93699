/**
 * @module emulator/test-support/harness
 * Test-only helpers for the emulator suites: a running emulator on 127.0.0.1:0 in a temporary data
 * directory, access tokens minted by signing our own RS256 assertion with the provisioned key file
 * (independent of any client code), a recording webhook server that answers the handshake, and a
 * small JSON `fetch` wrapper. Everything registers its cleanup on the test context.
 */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs'
import { createServer, type IncomingHttpHeaders } from 'node:http'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import type { TestContext } from 'node:test'
import { importPKCS8, SignJWT, type JWTPayload } from 'jose'
import { closeServer, listen } from '../../core/http-server.ts'
import type { Logger } from '../../core/logger.ts'
import { waitFor as pollUntil } from '../../../test/support/wait.ts'
import { startEmulator, type EmulatorOptions, type RunningEmulator } from '../index.ts'

export const BM_SCOPE = 'https://www.googleapis.com/auth/businessmessages'
export const BC_SCOPE = 'https://www.googleapis.com/auth/businesscommunications'

type After = Pick<TestContext, 'after'>

/** A fresh temporary data directory, removed after the test. */
export function tempDataDir(t: After): string {
  const dir = mkdtempSync(join(tmpdir(), 'bm-emulator-test-'))
  t.after(() => rmSync(dir, { recursive: true, force: true }))
  return dir
}

/** Starts an emulator (own temp dir unless given) and closes it after the test. */
export async function startTestEmulator(t: After, options: Partial<EmulatorOptions> = {}): Promise<RunningEmulator> {
  const emu = await startEmulator({ dataDir: options.dataDir ?? tempDataDir(t), webhookTimeoutMs: 2_000, ...options })
  let closed = false
  const close = emu.close
  emu.close = async () => {
    if (closed) return
    closed = true
    await close()
  }
  t.after(() => emu.close())
  return emu
}

/** Signs a JWT-bearer assertion with the key file's private key; `claims` override the defaults. */
export async function signAssertion(
  keyFilePath: string,
  claims: JWTPayload = {},
  header: { alg?: string } = {},
): Promise<string> {
  const key = JSON.parse(readFileSync(keyFilePath, 'utf8')) as {
    private_key: string
    client_email: string
    token_uri: string
  }
  const now = Math.floor(Date.now() / 1000)
  const payload: JWTPayload = {
    iss: key.client_email,
    aud: key.token_uri,
    iat: now,
    exp: now + 3600,
    scope: BM_SCOPE,
    ...claims,
  }
  return new SignJWT(payload)
    .setProtectedHeader({ alg: header.alg ?? 'RS256' })
    .sign(await importPKCS8(key.private_key, 'RS256'))
}

/** POSTs an assertion to the emulator's /token and returns status and JSON. */
export async function requestToken(
  emu: RunningEmulator,
  assertion: string,
): Promise<{ status: number; body: Record<string, unknown> }> {
  const res = await fetch(`${emu.url}/token`, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams({ grant_type: 'urn:ietf:params:oauth:grant-type:jwt-bearer', assertion }).toString(),
  })
  return { status: res.status, body: (await res.json()) as Record<string, unknown> }
}

/** Mints an access token for `scopes` (default: BM and BC). */
export async function mintAccessToken(emu: RunningEmulator, scopes: string[] = [BM_SCOPE, BC_SCOPE]): Promise<string> {
  const { status, body } = await requestToken(emu, await signAssertion(emu.keyFilePath, { scope: scopes.join(' ') }))
  if (status !== 200) throw new Error(`token request failed: ${status}`)
  return body['access_token'] as string
}

export interface JSONResponse {
  status: number
  headers: Headers
  // eslint-disable-next-line @typescript-eslint/no-explicit-any -- parsed JSON, asserted field by field
  body: any
}

/** `fetch` with an optional bearer token and a JSON (or raw string) body; parses JSON answers. */
export async function call(
  url: string,
  init: { method?: string; token?: string; body?: unknown; raw?: string; contentType?: string } = {},
): Promise<JSONResponse> {
  const headers: Record<string, string> = {}
  if (init.token !== undefined) headers['authorization'] = `Bearer ${init.token}`
  let body: string | undefined
  if (init.raw !== undefined) body = init.raw
  else if (init.body !== undefined) body = JSON.stringify(init.body)
  if (body !== undefined || init.contentType !== undefined)
    headers['content-type'] = init.contentType ?? 'application/json'
  const res = await fetch(url, {
    method: init.method ?? (body === undefined ? 'GET' : 'POST'),
    headers,
    ...(body === undefined ? {} : { body }),
  })
  const text = await res.text()
  let parsed: unknown = text
  try {
    parsed = text === '' ? undefined : JSON.parse(text)
  } catch {
    // not JSON: keep the text
  }
  return { status: res.status, headers: res.headers, body: parsed }
}

export interface RecordedRequest {
  headers: IncomingHttpHeaders
  rawBody: string
}

export interface TestWebhookServer {
  url: string
  requests: RecordedRequest[]
  /** Client tokens seen in handshakes. */
  handshakes: string[]
}

/** A webhook that records every POST, echoes the handshake secret and answers 200 otherwise. */
export async function startWebhookServer(t: After): Promise<TestWebhookServer> {
  const state: TestWebhookServer = { url: '', requests: [], handshakes: [] }
  const server = createServer((req, res) => {
    const chunks: Buffer[] = []
    req.on('data', (c: Buffer) => chunks.push(c))
    req.on('end', () => {
      const rawBody = Buffer.concat(chunks).toString('utf8')
      let parsed: Record<string, unknown> = {}
      try {
        parsed = JSON.parse(rawBody) as Record<string, unknown>
      } catch {
        // ignore
      }
      if (
        typeof parsed['clientToken'] === 'string' &&
        typeof parsed['secret'] === 'string' &&
        Object.keys(parsed).length === 2
      ) {
        state.handshakes.push(parsed['clientToken'])
        res.writeHead(200, { 'content-type': 'text/plain' }).end(parsed['secret'])
        return
      }
      state.requests.push({ headers: req.headers, rawBody })
      res.writeHead(200).end('OK')
    })
  })
  state.url = `http://127.0.0.1:${await listen(server)}/webhook`
  t.after(() => closeServer(server))
  return state
}

/** Polls `check` every 20 ms until it returns a value, for at most `timeoutMs`. */
export function waitFor<T>(check: () => T | undefined, timeoutMs = 5_000): Promise<T> {
  return pollUntil('a condition', check, { timeoutMs, intervalMs: 20 })
}

/** A logger that keeps every logged object (to check that no secret reaches logs). */
export function recordingLogger(lines: unknown[]): Logger {
  const logger: Logger = {
    debug: (obj, msg) => lines.push({ ...obj, msg }),
    info: (obj, msg) => lines.push({ ...obj, msg }),
    warn: (obj, msg) => lines.push({ ...obj, msg }),
    error: (obj, msg) => lines.push({ ...obj, msg }),
    child: () => logger,
  }
  return logger
}
