/**
 * @module sandbox/agent-server
 * The demo agent's HTTP front on `node:http`: `POST /webhook` (the agent's webhook handler) and
 * `GET /agent-state?conversation=` (its token-free sign-in state, for the inspector; only with the
 * per-start bearer token the sandbox hands to the emulator's relay and the page, security case E5). It listens
 * before the agent exists, because the emulator needs the webhook URL to start and the agent needs
 * the emulator's keys; requests that arrive in between (the emulator's verification handshake,
 * deliveries left from the last run) wait for the agent instead of being refused.
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http'
import { hasBearerToken } from '../core/bearer.ts'
import { closeServer, listen } from '../core/http-server.ts'
import type { Logger } from '../index.ts'
import type { AgentStateReader } from './agent-state.ts'

type NodeHandler = (req: IncomingMessage, res: ServerResponse) => void

/** What serves the routes once the agent is up. */
export interface AgentRoutes {
  webhook: NodeHandler
  state: AgentStateReader
}

export interface AgentServer {
  /** e.g. `http://127.0.0.1:8793` */
  url: string
  webhookUrl: string
  stateUrl: string
  /** Starts serving with `routes`; waiting requests go through. */
  attach(routes: AgentRoutes): void
  close(): Promise<void>
}

/** How long a request waits for the agent to come up before it gets a 503 (Google retries). */
const WAIT_FOR_AGENT_MS = 30_000

export interface AgentServerOptions {
  port: number
  host: string
  logger: Logger
  /** The bearer token `/agent-state` requires (a fresh one per start, from `newBearerToken`). */
  stateToken: string
}

/** Listens on `port`; routes are attached later. */
export async function startAgentServer(options: AgentServerOptions): Promise<AgentServer> {
  let routes: AgentRoutes | undefined
  let markReady: () => void = () => {}
  const ready = new Promise<void>((resolve) => (markReady = resolve))
  const server: Server = createServer((req, res) => {
    const whenReady = routes !== undefined ? Promise.resolve(true) : waitFor(ready, WAIT_FOR_AGENT_MS)
    void whenReady.then((ok) => {
      if (!ok || routes === undefined)
        return sendJSON(res, 503, { error: 'the agent is starting' }, { 'retry-after': '1' })
      return route(routes, req, res, options)
    })
  })
  const port = await listen(server, options.port, options.host)
  const url = `http://${options.host}:${port}`
  return {
    url,
    webhookUrl: `${url}/webhook`,
    stateUrl: `${url}/agent-state`,
    attach(next) {
      routes = next
      markReady()
    },
    close: () => closeServer(server),
  }
}

function route(routes: AgentRoutes, req: IncomingMessage, res: ServerResponse, options: AgentServerOptions): void {
  const url = new URL(req.url ?? '/', 'http://agent.invalid')
  if (url.pathname === '/webhook') {
    routes.webhook(req, res)
    return
  }
  if (url.pathname === '/agent-state' && (req.method === 'GET' || req.method === 'HEAD')) {
    req.resume()
    // Conversation ids, subjects and scopes: not for any other process on the machine (E5).
    if (!hasBearerToken(req.headers.authorization, options.stateToken)) {
      sendJSON(res, 401, { error: 'unauthorized' }, { 'www-authenticate': 'Bearer' })
      return
    }
    const conversation = url.searchParams.get('conversation') ?? undefined
    routes.state(conversation === '' ? undefined : conversation).then(
      (view) => sendJSON(res, 200, view),
      (err: unknown) => {
        options.logger.error({ errName: err instanceof Error ? err.name : 'error' }, 'agent state unavailable')
        sendJSON(res, 500, { error: 'agent state unavailable' })
      },
    )
    return
  }
  req.resume()
  sendJSON(res, 404, { error: 'not found' })
}

function sendJSON(res: ServerResponse, status: number, body: object, headers: Record<string, string> = {}): void {
  const payload = JSON.stringify(body)
  res.writeHead(status, {
    'content-type': 'application/json; charset=utf-8',
    'cache-control': 'no-store',
    'content-length': String(Buffer.byteLength(payload)),
    ...headers,
  })
  res.end(payload)
}

/** Resolves true when `promise` settles within `ms`, else false. */
function waitFor(promise: Promise<void>, ms: number): Promise<boolean> {
  return new Promise((resolve) => {
    const timer = setTimeout(() => resolve(false), ms)
    timer.unref()
    void promise.then(() => {
      clearTimeout(timer)
      resolve(true)
    })
  })
}
