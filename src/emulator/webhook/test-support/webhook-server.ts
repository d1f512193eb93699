/**
 * @module emulator/webhook/test-support/webhook-server
 * A real node:http webhook for the dispatcher tests, on 127.0.0.1 with an ephemeral port. It records
 * every request (path, headers, raw body) and answers with scripted responders (default 200 "OK").
 * Test-only; excluded from the build.
 */
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http'
import { closeServer, listen } from '../../../core/http-server.ts'
import { waitFor } from '../../../../test/support/wait.ts'

export interface ReceivedRequest {
  path: string
  headers: IncomingMessage['headers']
  body: string
}

export type Responder = (req: ReceivedRequest, res: ServerResponse) => void

export interface TestWebhook {
  url: string
  received: ReceivedRequest[]
  /** Responders used in order for the next requests; afterwards `fallback` answers. */
  script: Responder[]
  fallback: Responder
  /** Resolves once at least `count` requests have arrived (bounded by `timeoutMs`). */
  waitFor(count: number, timeoutMs?: number): Promise<void>
  close(): Promise<void>
}

export const ok: Responder = (_req, res) => {
  res.writeHead(200, { 'content-type': 'text/plain' }).end('OK')
}

export function status(code: number, headers: Record<string, string> = {}): Responder {
  return (_req, res) => {
    res.writeHead(code, headers).end()
  }
}

/** Starts a recording webhook server. */
export async function startTestWebhook(): Promise<TestWebhook> {
  const received: ReceivedRequest[] = []
  const hook: TestWebhook = {
    url: '',
    received,
    script: [],
    fallback: ok,
    async waitFor(count, timeoutMs = 5_000) {
      const enough = (): true | undefined => (received.length >= count ? true : undefined)
      await waitFor(() => `${count} requests, got ${received.length}`, enough, { timeoutMs, intervalMs: 10 })
    },
    close: async () => {},
  }
  const server = createServer((req, res) => {
    const chunks: Buffer[] = []
    req.on('data', (chunk: Buffer) => chunks.push(chunk))
    req.on('end', () => {
      const request = { path: req.url ?? '', headers: req.headers, body: Buffer.concat(chunks).toString('utf8') }
      received.push(request)
      ;(hook.script.shift() ?? hook.fallback)(request, res)
    })
  })
  hook.url = `http://127.0.0.1:${await listen(server)}/webhook`
  hook.close = () => closeServer(server)
  return hook
}
