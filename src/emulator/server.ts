/**
 * @module emulator/server
 * The node:http front of the emulator: matches each request on the {@link Router}, hands the
 * handler a {@link RequestContext}, writes its {@link Reply}, and turns any thrown error into
 * Google's error envelope. Request logs carry method, path and status only: no query strings (they
 * can hold `code`/`state`), no headers (they hold bearer tokens), no bodies.
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http'
import type { Logger } from '../core/logger.ts'
import { errorReply } from './errors.ts'
import { readRequestText, writeReply, type Reply } from './http-io.ts'
import type { RequestContext, Router } from './router.ts'

/** Creates the HTTP server for `router` (not yet listening); `serveStatic` gets first pick (the web page). */
export function createEmulatorServer(
  router: Router,
  logger: Logger,
  serveStatic?: (req: IncomingMessage, res: ServerResponse) => boolean,
): Server {
  return createServer((req, res) => {
    if (serveStatic?.(req, res) === true) return
    handleRequest(router, logger, req, res).catch((err: unknown) => {
      logger.error({ err: err instanceof Error ? err.message : String(err) }, 'failed to write a response')
      res.destroy()
    })
  })
}

async function handleRequest(router: Router, logger: Logger, req: IncomingMessage, res: ServerResponse): Promise<void> {
  const method = req.method ?? 'GET'
  const target = req.url ?? '/'
  // Prefixing the origin keeps a request target such as `//x/y` a path instead of a host.
  const url = new URL(target.startsWith('/') ? `http://emulator.invalid${target}` : target, 'http://emulator.invalid')
  let reply: Reply
  try {
    const match = router.match(method, url)
    let text: Promise<string> | undefined
    const ctx: RequestContext = {
      method,
      url,
      params: match.params,
      headers: req.headers,
      readText: () => (text ??= readRequestText(req)),
    }
    reply = await match.handler(ctx)
  } catch (err) {
    reply = errorReply(err, logger)
  }
  logger.debug({ method, path: url.pathname, status: reply.status }, 'request')
  writeReply(res, reply)
}

/** Starts listening; resolves with the bound port. */
export function listen(server: Server, port: number, host: string): Promise<number> {
  return new Promise((resolve, reject) => {
    server.once('error', reject)
    server.listen(port, host, () => {
      server.off('error', reject)
      const address = server.address()
      resolve(typeof address === 'object' && address !== null ? address.port : port)
    })
  })
}

/** Stops accepting, lets in-flight requests finish (forcing idle keep-alive sockets shut). */
export async function closeServer(server: Server): Promise<void> {
  const closed = new Promise<void>((resolve) => server.close(() => resolve()))
  server.closeIdleConnections()
  const force = setTimeout(() => server.closeAllConnections(), 2_000)
  force.unref()
  await closed
  clearTimeout(force)
}
