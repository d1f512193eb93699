/**
 * @module sandbox/provider-server
 * Runs the strict demo OIDC provider for the sandbox on `node:http`: the agent's confidential
 * client (the four Google redirect URIs plus the emulator's stand-ins, which the browser demo
 * uses), the bank API's introspection-only registration, the bank scopes, persistent storage and
 * the stored cookie and signing keys, so sign-ins survive a restart.
 */
import { createServer, type Server } from 'node:http'
import type { AddressInfo } from 'node:net'
import type { AdapterFactory, JWK } from 'oidc-provider'
import { BANK_SCOPE_LIST } from '../demo/bank/index.ts'
import { createStrictProvider, GOOGLE_REDIRECT_URIS } from '../demo/oidc-provider.ts'

export interface DemoProviderOptions {
  port: number
  host: string
  agentClientId: string
  agentClientSecret: string
  bankClientId: string
  bankClientSecret: string
  /** The emulator's origin: its `/callback` and `/message` stand in for business.google.com. */
  standInOrigin: string
  cookieKeys: readonly string[]
  jwks: { readonly keys: readonly JWK[] }
  adapter: AdapterFactory
}

export interface RunningDemoProvider {
  /** The issuer, e.g. `http://127.0.0.1:8791`. */
  issuer: string
  close(): Promise<void>
}

/** The emulator's stand-ins for the four Google redirect URIs (same path and query, other origin). */
export function standInRedirectUris(standInOrigin: string): string[] {
  const origin = new URL(standInOrigin).origin
  return GOOGLE_REDIRECT_URIS.map((uri) => origin + uri.slice('https://business.google.com'.length))
}

/** Listens first (the issuer needs the bound port), then mounts the provider. */
export async function startDemoProvider(options: DemoProviderOptions): Promise<RunningDemoProvider> {
  const server = createServer()
  await listen(server, options.port, options.host)
  const { port } = server.address() as AddressInfo
  const issuer = `http://${options.host}:${port}`
  try {
    const provider = await createStrictProvider({
      issuer,
      clients: [
        {
          clientId: options.agentClientId,
          clientSecret: options.agentClientSecret,
          tokenEndpointAuthMethod: 'client_secret_basic',
          extraRedirectUris: standInRedirectUris(options.standInOrigin),
        },
      ],
      resourceServers: [{ clientId: options.bankClientId, clientSecret: options.bankClientSecret }],
      extraScopes: BANK_SCOPE_LIST,
      // The agent shares the emulator's clock, which the inspector fast-forwards; ID tokens from a
      // refresh are checked against that clock, so they must outlive the largest jump (+1 day).
      ttl: { idToken: 30 * 24 * 3600 },
      jwks: { keys: [...options.jwks.keys] },
      cookieKeys: [...options.cookieKeys],
      adapter: options.adapter,
    })
    server.on('request', provider.callback())
  } catch (err) {
    await closeServer(server)
    throw err
  }
  return { issuer, close: () => closeServer(server) }
}

/** Listens on `port` (0: any free port); rejects with the listen error (e.g. EADDRINUSE). */
export function listen(server: Server, port: number, host: string): Promise<void> {
  return new Promise((resolve, reject) => {
    server.once('error', reject)
    server.listen(port, host, () => {
      server.off('error', reject)
      resolve()
    })
  })
}

/** Stops accepting and drops open connections (keep-alive sockets of the browser). */
export function closeServer(server: Server): Promise<void> {
  return new Promise((resolve, reject) => {
    server.close((err) => (err === undefined ? resolve() : reject(err)))
    server.closeAllConnections()
  })
}
