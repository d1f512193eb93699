/**
 * @module sandbox/provider-server
 * Runs the strict demo OIDC provider for the sandbox on `node:http`: the agent's confidential
 * client (the four Google redirect URIs plus the emulator's stand-ins, which the browser demo
 * uses), the bank API's introspection-only registration, the bank scopes, persistent storage and
 * the stored cookie and signing keys, so sign-ins survive a restart.
 */
import type { AdapterFactory, JWK } from 'oidc-provider'
import { BANK_SCOPE_LIST } from '../demo/bank/index.ts'
import { serveStrictProvider } from '../demo/oidc-provider.ts'
import { redirectURIForSurface, SURFACES } from '../emulator/device/signin.ts'

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

/** The emulator's stand-ins for the four Google redirect URIs, as its surfaces send them. */
export function standInRedirectUris(standInOrigin: string): string[] {
  return SURFACES.map((surface) => redirectURIForSurface(surface, standInOrigin))
}

/** Listens first (the issuer needs the bound port), then mounts the provider. */
export async function startDemoProvider(options: DemoProviderOptions): Promise<RunningDemoProvider> {
  const served = await serveStrictProvider({
    port: options.port,
    host: options.host,
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
  return { issuer: served.issuer, close: served.close }
}
