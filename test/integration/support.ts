/**
 * @module test/integration/support
 * Shared helpers for the Google-client integration suites: a real emulator on 127.0.0.1:0 in a
 * temporary data directory, service-account credentials read from the emulator's own key file, a
 * recording `fetch` wrapper (to count requests and inject faults around the real fetch), the control
 * API calls the suites need, and a tiny webhook server that answers the verification handshake.
 * Nothing here re-implements the code under test; it only drives and observes it.
 */
import { mkdtemp, rm } from 'node:fs/promises'
import { createServer, type Server } from 'node:http'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import type { Clock, OffsetClock } from '../../src/core/clock.ts'
import type { FetchLike } from '../../src/core/fetch.ts'
import { closeServer, listen } from '../../src/core/http-server.ts'
import { startEmulator, type RunningEmulator } from '../../src/emulator/index.ts'
import { readServiceAccountKey, ServiceAccountCredentials } from '../../src/google/index.ts'
import { controlAPI } from '../support/emulator-control.ts'

/** Scopes by their oauth2l short names, as an agent would configure them. */
const BOTH_SCOPES = ['businessmessages', 'businesscommunications'] as const

/** A running emulator plus the temporary directory it lives in; `stop()` closes and removes both. */
export interface TestEmulator {
  emulator: RunningEmulator
  stop(): Promise<void>
}

/**
 * Starts an emulator with a fresh temporary data directory. Pass an {@link OffsetClock} over a
 * `ManualClock` to make the emulator's time stand still except when a test moves it.
 */
export async function startTestEmulator(options: { clock?: OffsetClock } = {}): Promise<TestEmulator> {
  const dataDir = await mkdtemp(join(tmpdir(), 'bm-oauth-google-it-'))
  const clock = options.clock === undefined ? {} : { clock: options.clock }
  let emulator: RunningEmulator
  try {
    emulator = await startEmulator({ port: 0, dataDir, webhookTimeoutMs: 2_000, ...clock })
  } catch (err) {
    await rm(dataDir, { recursive: true, force: true })
    throw err
  }
  return {
    emulator,
    stop: async () => {
      await emulator.close()
      await rm(dataDir, { recursive: true, force: true })
    },
  }
}

/** Credentials from the emulator's key file (its `token_uri` points at the emulator). */
export async function emulatorCredentials(
  emulator: RunningEmulator,
  options: { scopes?: readonly string[]; fetch?: FetchLike; clock?: Clock } = {},
): Promise<ServiceAccountCredentials> {
  const key = await readServiceAccountKey(emulator.keyFilePath)
  return new ServiceAccountCredentials(key, {
    scopes: options.scopes ?? BOTH_SCOPES,
    ...(options.fetch === undefined ? {} : { fetch: options.fetch }),
    ...(options.clock === undefined ? {} : { clock: options.clock }),
  })
}

/** One request seen by a {@link RecordingFetch}. */
export interface SeenRequest {
  method: string
  url: URL
  body: string | undefined
  /** Status answered to the client, or `undefined` when the wrapper threw. */
  status: number | undefined
}

/**
 * Decides, per request, whether to answer with a fault: return `undefined` to pass through, or a
 * promise of a synthesised response. `forward()` sends the original request with the real fetch
 * (e.g. to let the emulator apply it and then lose the answer).
 */
export type FaultHook = (request: SeenRequest, forward: () => Promise<Response>) => Promise<Response> | undefined

/** A `fetch` that records every request and lets a test inject faults around the real fetch. */
export interface RecordingFetch {
  fetch: FetchLike
  requests: SeenRequest[]
  /** Requests whose path starts with `prefix` (e.g. `/v1/conversations/`). */
  to(prefix: string): SeenRequest[]
}

/** Wraps the global fetch; `hook` may replace or wrap individual exchanges. */
export function recordingFetch(hook?: FaultHook): RecordingFetch {
  const requests: SeenRequest[] = []
  const fetch: FetchLike = async (input, init) => {
    const url = new URL(input instanceof Request ? input.url : String(input))
    const body = typeof init?.body === 'string' ? init.body : undefined
    const seen: SeenRequest = { method: init?.method ?? 'GET', url, body, status: undefined }
    requests.push(seen)
    const forward = (): Promise<Response> => globalThis.fetch(input, init)
    const response = await (hook?.(seen, forward) ?? forward())
    seen.status = response.status
    return response
  }
  return { fetch, requests, to: (prefix) => requests.filter((r) => r.url.pathname.startsWith(prefix)) }
}

/** A Google-style error answer synthesised by a test (the emulator never saw the request). */
export function googleErrorResponse(status: number, rpcStatus: string, headers: Record<string, string> = {}): Response {
  const body = JSON.stringify({ error: { code: status, message: `injected ${rpcStatus}`, status: rpcStatus } })
  return new Response(body, { status, headers: { 'content-type': 'application/json', ...headers } })
}

/** Calls a control API route (`/emulator/v1/…`): GET without a body, POST with one; the parsed JSON answer. */
export function control<T = Record<string, unknown>>(
  emulator: RunningEmulator,
  path: string,
  body?: unknown,
): Promise<T> {
  return controlAPI<T>(emulator.url, path, body)
}

/** Opens a conversation with the provisioned agent, as a user would; returns its id. */
export async function openConversation(emulator: RunningEmulator): Promise<string> {
  const opened = await control<{ conversationId: string }>(emulator, 'conversations', {})
  return opened.conversationId
}

/** One entry of the emulator's transcript (`GET /emulator/v1/conversations/:id`). */
export interface TranscriptEntry {
  direction: 'agent' | 'user'
  kind: string
  name?: string
  id?: string
  content: Record<string, unknown>
}

/** The conversation's transcript, oldest first. */
export async function transcript(emulator: RunningEmulator, conversationId: string): Promise<TranscriptEntry[]> {
  const view = await control<{ transcript: TranscriptEntry[] }>(emulator, `conversations/${conversationId}`)
  return view.transcript
}

/** The agent messages the emulator accepted in a conversation (from its raw message log). */
export async function loggedAgentMessages(
  emulator: RunningEmulator,
  conversationId: string,
): Promise<Array<{ itemId?: string; name?: string; body: Record<string, unknown> }>> {
  const log = await control<{
    entries: Array<{ direction: string; kind: string; itemId?: string; name?: string; body: Record<string, unknown> }>
  }>(emulator, `messages?conversation=${encodeURIComponent(conversationId)}`)
  return log.entries.filter((e) => e.direction === 'agent' && e.kind === 'message')
}

/** The simulated user sends a text; returns the user message's id (for receipts). */
export async function userSays(emulator: RunningEmulator, conversationId: string, text: string): Promise<string> {
  const sent = await control<{ messageId: string }>(emulator, `conversations/${conversationId}/messages`, { text })
  return sent.messageId
}

/** Records the sleeps the client asks for and never waits (optionally doing `onSleep` instead). */
export function recordingSleep(onSleep?: (ms: number) => void): {
  sleep: (ms: number) => Promise<void>
  delays: number[]
} {
  const delays: number[] = []
  return {
    delays,
    sleep: (ms) => {
      delays.push(ms)
      onSleep?.(ms)
      return Promise.resolve()
    },
  }
}

/**
 * A webhook endpoint that answers Google's verification handshake
 * (docs/contract-decisions.md §3.6).
 */
export interface HandshakeServer {
  url: string
  /** Bodies of the handshake POSTs received, parsed. */
  handshakes: Array<{ clientToken: string; secret: string }>
  close(): Promise<void>
}

/** Starts a node:http server on 127.0.0.1:0 that echoes `secret` as text/plain (or answers 500 when told). */
export async function startHandshakeServer(options: { echoSecret?: boolean } = {}): Promise<HandshakeServer> {
  const handshakes: HandshakeServer['handshakes'] = []
  const server: Server = createServer((req, res) => {
    const chunks: Buffer[] = []
    req.on('data', (chunk: Buffer) => chunks.push(chunk))
    req.on('end', () => {
      let body: Record<string, unknown> = {}
      try {
        body = JSON.parse(Buffer.concat(chunks).toString('utf8')) as Record<string, unknown>
      } catch {
        // not the handshake: answered 200 below
      }
      if (typeof body['clientToken'] === 'string' && typeof body['secret'] === 'string') {
        handshakes.push({ clientToken: body['clientToken'], secret: body['secret'] })
        if (options.echoSecret === false) return void res.writeHead(500).end('no')
        return void res.writeHead(200, { 'content-type': 'text/plain' }).end(body['secret'])
      }
      res.writeHead(200).end()
    })
  })
  const port = await listen(server)
  return { url: `http://127.0.0.1:${port}/webhook`, handshakes, close: () => closeServer(server) }
}
