/**
 * @module server/serve-agent
 * {@link serveAgent}: the one production host (docs/operations.md). The public listener serves the
 * agent's routes (each channel's webhook) plus `GET /healthz` (the process is alive) and
 * `GET /readyz` (200 only once the agent started and its store answers; 503 while draining). The
 * admin listener — loopback by default, so operational data stays off the internet-facing port —
 * serves `GET /metrics` (Prometheus text) and the same two probes.
 *
 * `close()` drains: readiness turns 503 at once, the public listener stops accepting, requests in
 * flight finish (a delivery still uploading gets its 200 and its row) within `shutdownGraceMs`,
 * then the agent stops (the processor finishes the deliveries it holds), then the listeners close.
 * What was acknowledged and not yet processed stays in the store for the next start.
 *
 * {@link createAgentHost} is the same host listening before its agent exists (the sandbox's case).
 */
import { createServer } from 'node:http'
import type { SignInAgent } from '../agent/types.ts'
import { closeServer, listen } from '../core/http-server.ts'
import { within } from '../core/within.ts'
import type { HTTPResponse, Route } from '../core/route.ts'
import { createNodeHandler } from './node-handler.ts'

/** Where a listener binds. */
export interface Listen {
  /** Default `127.0.0.1`. */
  readonly host?: string
  /** 0: any free port. */
  readonly port: number
}

export interface ServeOptions {
  readonly listen: Listen
  /** The admin listener (metrics and probes). Default: `127.0.0.1`, any free port. */
  readonly admin?: Listen
  /** How long requests in flight may take once `close()` was called (default 10 s). */
  readonly shutdownGraceMs?: number
}

export interface RunningServer {
  /** The public listener, e.g. `http://127.0.0.1:8080`. */
  readonly url: string
  /** The admin listener, e.g. `http://127.0.0.1:9464` (`/metrics` there). */
  readonly adminUrl: string
  /** Requests on the public listener whose answer is not written yet. */
  readonly inFlight: number
  /** Drains and stops (see the module comment); a second call waits for the first. */
  close(): Promise<void>
}

const DEFAULT_GRACE_MS = 10_000

const text = (status: number, body: string, headers: Record<string, string> = {}): HTTPResponse => ({
  status,
  headers: { 'content-type': 'text/plain; charset=utf-8', 'cache-control': 'no-store', ...headers },
  body,
})

/** Options of {@link createAgentHost}: those of {@link serveAgent} plus what a host that listens first needs. */
export interface HostOptions extends ServeOptions {
  /** More routes on the public listener (e.g. the sandbox's `/agent-state`), served once an agent is attached. */
  readonly routes?: readonly Route[]
  /** How long a request that arrives before `attach` waits for it, then gets a 503 (default 30 s). */
  readonly attachWaitMs?: number
}

/** A host listening before its agent exists (see {@link createAgentHost}). */
export interface AgentHost extends RunningServer {
  /**
   * Starts `agent` (once per host) and serves its routes; requests waiting for it go through.
   * @throws what `agent.start()` throws (the host stays up answering 503; `close()` it).
   */
  attach(agent: SignInAgent): Promise<void>
}

const DEFAULT_ATTACH_WAIT_MS = 30_000
const PROBE_PATHS = new Set(['/healthz', '/readyz', '/metrics'])

/**
 * Listens at once, before the agent exists (the sandbox: the emulator needs the webhook URL before
 * the agent can be built). Until {@link AgentHost.attach}, `/healthz` answers, `/readyz` and
 * `/metrics` answer 503, and other requests wait for the agent up to `attachWaitMs`, then get 503
 * (the platform retries). {@link serveAgent} is this plus `attach`.
 * @example
 * ```ts
 * const host = await createAgentHost({ listen: { port: 8080 } })
 * await registerWebhook(`${host.url}/business-messages`) // whatever needs the URL before the agent
 * await host.attach(createAgent(options))
 * ```
 */
export async function createAgentHost(options: HostOptions): Promise<AgentHost> {
  let draining = false
  let agent: SignInAgent | undefined
  let attached = false
  let openGate: (ok: boolean) => void = () => {}
  const gateOpen = new Promise<boolean>((resolve) => (openGate = resolve))
  const waitMs = options.attachWaitMs ?? DEFAULT_ATTACH_WAIT_MS
  const gate = (path: string): Promise<boolean> =>
    attached || PROBE_PATHS.has(path)
      ? Promise.resolve(true)
      : draining
        ? Promise.resolve(false)
        : within(gateOpen, waitMs, false)
  const probes = probeRoutes(
    () => (attached ? agent : undefined),
    () => draining,
  )
  const extra = options.routes ?? []
  const publicHandler = createNodeHandler(
    () => (attached && agent !== undefined ? [...agent.routes, ...extra, ...probes] : probes),
    { gate },
  )
  const adminHandler = createNodeHandler([...probes, metricsRoute(() => (attached ? agent : undefined))])
  const publicServer = createServer(publicHandler)
  const adminServer = createServer(adminHandler)
  const host = options.listen.host ?? '127.0.0.1'
  const adminHost = options.admin?.host ?? '127.0.0.1'
  let port: number
  let adminPort: number
  try {
    port = await listen(publicServer, options.listen.port, host)
    adminPort = await listen(adminServer, options.admin?.port ?? 0, adminHost)
  } catch (err) {
    await Promise.all([closeServer(publicServer), closeServer(adminServer)])
    throw err
  }
  const graceMs = options.shutdownGraceMs ?? DEFAULT_GRACE_MS
  let closing: Promise<void> | undefined
  const drain = async (): Promise<void> => {
    draining = true
    openGate(false) // requests still waiting for an agent get their 503 now
    const stopped = closeServer(publicServer, { graceMs }) // stops accepting; in-flight requests go on
    await Promise.race([publicHandler.idle(), delay(graceMs)])
    publicServer.closeIdleConnections() // keep-alive sockets that just answered
    await agent?.stop()
    await stopped
    await closeServer(adminServer)
  }
  return {
    url: `http://${hostForURL(host)}:${port}`,
    adminUrl: `http://${hostForURL(adminHost)}:${adminPort}`,
    get inFlight() {
      return publicHandler.inFlight
    },
    async attach(next) {
      if (agent !== undefined) throw new TypeError('createAgentHost: an agent is already attached')
      agent = next
      await next.start()
      attached = true
      openGate(true)
    },
    close() {
      closing ??= drain()
      return closing
    },
  }
}

/**
 * Listens, then starts the agent; resolves once both listeners are up and the agent has started.
 * @throws what `agent.start()` throws (the listeners are closed again first).
 * @example
 * ```ts
 * const server = await serveAgent(agent, { listen: { port: 8080 }, admin: { port: 9464 } })
 * process.once('SIGTERM', () => void server.close())
 * ```
 */
export async function serveAgent(agent: SignInAgent, options: ServeOptions): Promise<RunningServer> {
  const host = await createAgentHost(options)
  try {
    await host.attach(agent)
  } catch (err) {
    await host.close()
    throw err
  }
  return {
    url: host.url,
    adminUrl: host.adminUrl,
    get inFlight() {
      return host.inFlight
    },
    close: () => host.close(),
  }
}

function probeRoutes(agentOf: () => SignInAgent | undefined, draining: () => boolean): Route[] {
  const get = (path: string, handler: Route['handler']): Route => ({ method: 'GET', path, maxBodyBytes: 0, handler })
  return [
    get('/healthz', async () => text(200, 'ok\n')),
    get('/readyz', async () => {
      if (draining()) return text(503, 'draining\n', { 'retry-after': '5' })
      const agent = agentOf()
      if (agent === undefined) return text(503, 'agent: not attached\n', { 'retry-after': '1' })
      const readiness = await agent.ready()
      const lines = Object.entries(readiness.checks).map(([name, ok]) => `${name}: ${ok ? 'ok' : 'failing'}`)
      return text(readiness.ready ? 200 : 503, `${lines.join('\n')}\n`)
    }),
  ]
}

function metricsRoute(agentOf: () => SignInAgent | undefined): Route {
  return {
    method: 'GET',
    path: '/metrics',
    maxBodyBytes: 0,
    handler: async () => {
      const agent = agentOf()
      if (agent === undefined) return text(503, 'agent: not attached\n', { 'retry-after': '1' })
      const { contentType, text: body } = await agent.metrics()
      return { status: 200, headers: { 'content-type': contentType, 'cache-control': 'no-store' }, body }
    },
  }
}

function delay(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms).unref())
}

function hostForURL(host: string): string {
  return host.includes(':') ? `[${host}]` : host
}
