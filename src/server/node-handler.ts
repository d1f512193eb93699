/**
 * @module server/node-handler
 * Mounts plain-data {@link Route}s on `node:http`: match the path (404), the method (405 with
 * `allow`), read the body under the route's cap (413 before any handler work), call the handler,
 * write its answer. Counts the requests in flight so a drain can wait for them.
 */
import type { IncomingMessage, ServerResponse } from 'node:http'
import type { HTTPRequest, Route } from '../core/route.ts'
import { readBody, rejectOversize, write } from '../webhook/node-adapter.ts'

export interface NodeHandlerOptions {
  /**
   * Called before the path is matched: resolves false to answer 503 (`retry-after: 1`) instead, e.g.
   * while the agent a host waits for is not attached yet. The request counts as in flight meanwhile.
   */
  readonly gate?: (path: string) => Promise<boolean>
}

export interface NodeHandler {
  (req: IncomingMessage, res: ServerResponse): void
  /** Requests whose answer is not yet written. */
  readonly inFlight: number
  /** Resolves when no request is in flight (at once if none is). */
  idle(): Promise<void>
}

const NOT_FOUND = { status: 404, headers: { 'content-type': 'text/plain' }, body: 'not found\n' }
const STARTING = {
  status: 503,
  headers: { 'content-type': 'text/plain', 'cache-control': 'no-store', 'retry-after': '1' },
  body: 'the agent is starting\n',
}

/** A `(req, res)` handler for `http.createServer` over `routes` (a function: read per request). */
export function createNodeHandler(
  routes: readonly Route[] | (() => readonly Route[]),
  options: NodeHandlerOptions = {},
): NodeHandler {
  const current = typeof routes === 'function' ? routes : () => routes
  let inFlight = 0
  let waiters: Array<() => void> = []
  const settle = (): void => {
    inFlight -= 1
    if (inFlight > 0) return
    for (const wake of waiters) wake()
    waiters = []
  }
  const handler = (req: IncomingMessage, res: ServerResponse): void => {
    inFlight += 1
    res.once('close', settle)
    void serve(current, options, req, res)
  }
  // defineProperty, not Object.assign: assign would copy the getter's value once.
  Object.defineProperty(handler, 'inFlight', { get: () => inFlight })
  const idle = (): Promise<void> =>
    inFlight === 0 ? Promise.resolve() : new Promise<void>((resolve) => waiters.push(resolve))
  return Object.assign(handler as NodeHandler, { idle })
}

async function serve(
  routes: () => readonly Route[],
  options: NodeHandlerOptions,
  req: IncomingMessage,
  res: ServerResponse,
): Promise<void> {
  const url = new URL(req.url ?? '/', 'http://localhost')
  if (options.gate !== undefined && !(await options.gate(url.pathname))) {
    req.resume()
    return write(res, STARTING)
  }
  const candidates = routes().filter((route) => route.path === url.pathname)
  const route = candidates.find((r) => r.method === (req.method ?? '').toUpperCase())
  if (route === undefined) {
    req.resume()
    if (candidates.length === 0) return write(res, NOT_FOUND)
    const allow = candidates.map((r) => r.method).join(', ')
    return write(res, { status: 405, headers: { allow }, body: '' })
  }
  const rawBody = route.method === 'GET' ? drain(req) : await readBody(req, route.maxBodyBytes)
  if (rawBody === 'too-large') return rejectOversize(req, res)
  if (rawBody === 'aborted') return
  const request: HTTPRequest = {
    method: route.method,
    path: url.pathname,
    query: url.searchParams,
    headers: req.headers,
    rawBody,
  }
  write(res, await route.handler(request))
}

/** A GET's body is never read. */
function drain(req: IncomingMessage): Uint8Array {
  req.resume()
  return new Uint8Array(0)
}
