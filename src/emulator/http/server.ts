/**
 * @module emulator/http/server
 * The node:http front of the emulator: matches each request on the {@link Router}, hands the
 * handler a {@link RequestContext}, writes its {@link Reply}, and turns any thrown error into
 * Google's error envelope. Request logs carry method, path and status only: no query strings (they
 * can hold `code`/`state`), no headers (they hold bearer tokens), no bodies.
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http'
import { closeServer as closeHTTPServer } from '../../core/http-server.ts'
import type { Logger } from '../../core/logger.ts'
import { errorReply } from './errors.ts'
import { readRequestText, writeReply, type Reply } from './http-io.ts'
import type { RequestContext, Router } from './router.ts'

export { listen } from '../../core/http-server.ts'

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

/** Stops accepting, lets requests in flight finish for up to 2 s (idle keep-alive sockets close at once). */
export function closeServer(server: Server): Promise<void> {
  return closeHTTPServer(server, { graceMs: 2_000 })
}
