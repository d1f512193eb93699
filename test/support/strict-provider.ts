/**
 * @module test/support/strict-provider
 * Starts the strict demo OIDC provider on 127.0.0.1 with an ephemeral port, for integration tests,
 * with fault switches for what the strict provider never does by itself. The switches live here,
 * not in `src/demo`, so the provider the sandbox serves stays strict.
 */
import { sign } from 'node:crypto'
import type { KeyObject } from 'node:crypto'
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
  /**
   * An RSA private key not in the provider's JWK Set: the token endpoint's ID token is re-signed
   * with it (RS256, header and claims kept, so its `kid` names a provider key) (X14).
   */
  foreignIdTokenKey?: KeyObject | undefined
}

/** A strict provider on 127.0.0.1; `issuer` is `http://127.0.0.1:<port>`. */
export interface RunningProvider extends ServedStrictProvider {
  /** Switch faults on by assigning, off by deleting or assigning `undefined`. */
  readonly faults: StrictProviderFaults
  /** How many token-endpoint answers a fault rewrote, so a test can assert that its fault fired. */
  readonly faultsFired: { tokenContentType: number; foreignIdTokenKey: number }
}

/**
 * Starts a strict provider; `issuer` is filled in from the bound port. Always `close()` it (t.after).
 * When the provider cannot be built, the server is closed before the error is rethrown.
 */
export async function startStrictProvider(options: Omit<StrictProviderOptions, 'issuer'>): Promise<RunningProvider> {
  const served = await serveStrictProvider({ ...options, port: 0, host: '127.0.0.1' })
  const faults: StrictProviderFaults = {}
  const faultsFired = { tokenContentType: 0, foreignIdTokenKey: 0 }
  const tokenPath = new URL(`${served.issuer}/token`).pathname
  // The provider's Koa callback is composed once it is mounted, so the fault sits in front of it, on
  // the node:http response: the header is rewritten as the finished answer's head is written.
  const handlers = served.server.listeners('request') as RequestListener[]
  served.server.removeAllListeners('request')
  served.server.on('request', (req: IncomingMessage, res: ServerResponse) => {
    const isToken = new URL(req.url ?? '/', served.issuer).pathname === tokenPath
    const foreignKey = faults.foreignIdTokenKey
    if (foreignKey !== undefined && isToken) {
      // Koa sends a JSON body in one end() call, before the head is written, so the body (and its
      // length) can still be replaced there.
      const end = res.end.bind(res) as (...args: unknown[]) => ServerResponse
      res.end = ((chunk: unknown, ...rest: unknown[]) => {
        const resigned =
          typeof chunk === 'string' || Buffer.isBuffer(chunk) ? resignIdToken(chunk, foreignKey) : undefined
        if (resigned === undefined) return end(chunk, ...rest)
        faultsFired.foreignIdTokenKey += 1
        res.setHeader('Content-Length', Buffer.byteLength(resigned))
        return end(resigned, ...rest)
      }) as ServerResponse['end']
    }
    const contentType = faults.tokenContentType
    if (contentType !== undefined && isToken) {
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

/** The token response `body` with its `id_token` re-signed by `key`; `undefined` when it has none. */
function resignIdToken(body: string | Buffer, key: KeyObject): string | undefined {
  let parsed: { id_token?: unknown }
  try {
    parsed = JSON.parse(body.toString()) as { id_token?: unknown }
  } catch {
    return undefined
  }
  if (typeof parsed.id_token !== 'string') return undefined
  const input = parsed.id_token.split('.').slice(0, 2).join('.')
  const signature = sign('sha256', Buffer.from(input), key).toString('base64url')
  return JSON.stringify({ ...parsed, id_token: `${input}.${signature}` })
}
