/**
 * @module core/http-server
 * The two `node:http` chores every server in the project repeats: listening (with the listen error,
 * e.g. EADDRINUSE, as a rejection and the bound port as the result, so port 0 works) and closing
 * without hanging on keep-alive sockets.
 */
import type { Server } from 'node:http'

/**
 * Starts listening on `host:port` (port 0: any free port); resolves with the bound port and rejects
 * with the listen error.
 */
export function listen(server: Server, port = 0, host = '127.0.0.1'): Promise<number> {
  return new Promise((resolve, reject) => {
    server.once('error', reject)
    server.listen(port, host, () => {
      server.off('error', reject)
      const address = server.address()
      resolve(typeof address === 'object' && address !== null ? address.port : port)
    })
  })
}

export interface CloseServerOptions {
  /**
   * How long requests in flight may take to finish before their connections are cut (default 0:
   * cut at once). Idle keep-alive connections are always closed at once.
   */
  graceMs?: number
}

/**
 * Stops accepting connections and resolves once the server is closed. Closing a server that is not
 * listening resolves too.
 */
export async function closeServer(server: Server, options: CloseServerOptions = {}): Promise<void> {
  const graceMs = options.graceMs ?? 0
  const closed = new Promise<void>((resolve) => server.close(() => resolve()))
  server.closeIdleConnections()
  if (graceMs <= 0) {
    server.closeAllConnections()
    return closed
  }
  const force = setTimeout(() => server.closeAllConnections(), graceMs)
  force.unref()
  await closed
  clearTimeout(force)
}
