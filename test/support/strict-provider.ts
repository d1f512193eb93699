/**
 * @module test/support/strict-provider
 * Starts the strict demo OIDC provider on 127.0.0.1 with an ephemeral port, for integration tests,
 * with fault switches for what the strict provider never does by itself. The switches live here,
 * not in `src/demo`, so the provider the sandbox serves stays strict.
 */
import type { IncomingMessage, RequestListener, ServerResponse } from 'node:http'
import { serveStrictProvider } from '../../src/demo/oidc-provider.ts'
import type { ServedStrictProvider, StrictProviderOptions } from '../../src/demo/oidc-provider.ts'

/** Faults a test can switch on and off while the provider runs; all off by default. */
export interface StrictProviderFaults {
  /**
   * Rewrites the token endpoint's `Content-Type` (success and error answers alike): a string
   * replaces it (`text/plain`), `null` removes the header; `undefined` leaves it alone (X11).
   */
  tokenContentType?: string | null | undefined
}

/** A strict provider on 127.0.0.1; `issuer` is `http://127.0.0.1:<port>`. */
export interface RunningProvider extends ServedStrictProvider {
  /** Switch faults on by assigning, off by deleting or assigning `undefined`. */
  readonly faults: StrictProviderFaults
  /** How many token-endpoint answers a fault rewrote, so a test can assert that its fault fired. */
  readonly faultsFired: { tokenContentType: number }
}

/**
 * Starts a strict provider; `issuer` is filled in from the bound port. Always `close()` it (t.after).
 * When the provider cannot be built, the server is closed before the error is rethrown.
 */
export async function startStrictProvider(options: Omit<StrictProviderOptions, 'issuer'>): Promise<RunningProvider> {
  const served = await serveStrictProvider({ ...options, port: 0, host: '127.0.0.1' })
  const faults: StrictProviderFaults = {}
  const faultsFired = { tokenContentType: 0 }
  const tokenPath = new URL(`${served.issuer}/token`).pathname
  // The provider's Koa callback is composed once it is mounted, so the fault sits in front of it, on
  // the node:http response: the header is rewritten as the finished answer's head is written.
  const handlers = served.server.listeners('request') as RequestListener[]
  served.server.removeAllListeners('request')
  served.server.on('request', (req: IncomingMessage, res: ServerResponse) => {
    const contentType = faults.tokenContentType
    if (contentType !== undefined && new URL(req.url ?? '/', served.issuer).pathname === tokenPath) {
      const writeHead = res.writeHead.bind(res) as (...args: unknown[]) => ServerResponse
      res.writeHead = ((...args: unknown[]) => {
        faultsFired.tokenContentType += 1
        if (contentType === null) res.removeHeader('Content-Type')
        else res.setHeader('Content-Type', contentType)
        return writeHead(...args)
      }) as ServerResponse['writeHead']
    }
    for (const handler of handlers) handler(req, res)
  })
  return Object.assign(served, { faults, faultsFired })
}
