/**
 * @module demo/oidc-provider
 * A real, strict OpenID Connect provider (oidc-provider) for the sandbox and for tests: the
 * counterpart the agent's OAuth code is proven against (security case E3). It enforces PKCE with
 * S256 only, exact redirect URIs (the four Business Messages strings plus any explicitly passed
 * stand-ins), single-use authorization codes with a TTL of at most 10 minutes and revocation of
 * everything issued from a code that is presented twice, refresh-token rotation with reuse
 * detection, and RFC 7009 revocation. The caller mounts `provider.callback()` on `node:http`, or
 * lets {@link serveStrictProvider} listen and mount it.
 *
 * Refresh tokens: oidc-provider drops `offline_access` from a request without `prompt=consent`
 * (OIDC Core §11), and the Business Messages device never sends `prompt`
 * (docs/contract-decisions.md §10 "refresh tokens without prompt=consent"). So refresh tokens are
 * governed by the client registration instead: a client registered for the `refresh_token` grant
 * (the default here) gets one with every code exchange.
 */
import { generateKeyPair, randomBytes } from 'node:crypto'
import { createServer, type Server } from 'node:http'
import { promisify } from 'node:util'
import Provider from 'oidc-provider'
import type { AdapterFactory, ClientMetadata, Configuration, JWK } from 'oidc-provider'
import { closeServer, listen } from '../core/http-server.ts'
import { DEMO_USERS, createAccountStore } from './provider/accounts.ts'
import type { DemoUser } from './provider/accounts.ts'
import { createInteractionRoutes, escapeHTML } from './provider/interactions.ts'
import { createMemoryAdapterFactory } from './provider/memory-adapter.ts'

/**
 * The redirect URIs Business Messages uses (docs/contract-decisions.md §4.1), written out here
 * rather than shared with the agent's code, so the provider stays an independent counterpart.
 */
const GOOGLE_REDIRECT_URIS: readonly string[] = Object.freeze([
  'https://business.google.com/callback',
  'https://business.google.com/callback?',
  'https://business.google.com/message?az-intent-type=1',
  'https://business.google.com/message?az-intent-type=1&',
])

/** One registered client of the strict provider. */
export interface StrictClientConfig {
  clientId: string
  /** Required unless the method is `private_key_jwt` or `none`. */
  clientSecret?: string
  /** Default `client_secret_basic`. */
  tokenEndpointAuthMethod?: 'client_secret_basic' | 'client_secret_post' | 'private_key_jwt' | 'none'
  /** Public keys for `private_key_jwt`. */
  jwks?: { keys: JWK[] }
  /** Local stand-in redirect URIs, registered in addition to the four Google ones. */
  extraRedirectUris?: readonly string[]
  /** Register the `refresh_token` grant (default true). */
  refreshTokens?: boolean
}

/**
 * A resource server (e.g. the demo bank API) registered only to call the introspection endpoint
 * (RFC 7662 §2.1): no grants, no redirect URIs. It may introspect access tokens issued to any
 * client, never refresh tokens; a client still introspects only its own tokens.
 */
export interface StrictResourceServerConfig {
  clientId: string
  /** Authenticates with `client_secret_basic`. */
  clientSecret: string
}

/** Lifetimes in seconds. */
export interface StrictProviderTTL {
  /** At most 600 (OAuth 2.1 §4.1.2); default 60. */
  authorizationCode?: number
  /** Default 3600. */
  accessToken?: number
  /** Default 14 days. */
  refreshToken?: number
  /** Default 3600. */
  idToken?: number
}

export interface StrictProviderOptions {
  /** Issuer identifier, e.g. `http://127.0.0.1:4000` locally (loopback http is fine). */
  issuer: string
  clients: readonly StrictClientConfig[]
  /** Demo accounts (default {@link DEMO_USERS}: alice / wonderland, bob / builder). */
  users?: readonly DemoUser[]
  /** Scopes besides `openid`, `offline_access`, `profile` and `email`, e.g. the demo bank API's. */
  extraScopes?: readonly string[]
  /** Introspection-only registrations for resource servers (default none). */
  resourceServers?: readonly StrictResourceServerConfig[]
  ttl?: StrictProviderTTL
  /** Signing keys (private JWKs). Default: a fresh RS256 key per instance. */
  jwks?: { keys: JWK[] }
  /** Cookie signing keys. Default: random per instance. */
  cookieKeys?: string[]
  /**
   * Storage for codes, tokens, grants and sessions. Default: a private in-memory store (lost on
   * restart). The sandbox passes a persistent one so sign-ins survive a restart.
   */
  adapter?: AdapterFactory
}

/** Longest authorization-code lifetime the provider accepts (10 minutes, OAuth 2.1 §4.1.2). */
const MAX_AUTHORIZATION_CODE_TTL = 600

/**
 * Builds the strict provider. Mount it with `http.createServer(provider.callback())`.
 * @example
 * ```ts
 * const provider = await createStrictProvider({
 *   issuer: 'http://127.0.0.1:4000',
 *   clients: [{ clientId: 'bm-agent', clientSecret: 'dev-secret' }],
 * })
 * http.createServer(provider.callback()).listen(4000, '127.0.0.1')
 * ```
 */
export async function createStrictProvider(options: StrictProviderOptions): Promise<Provider> {
  const accounts = createAccountStore(options.users ?? DEMO_USERS)
  const provider = new Provider(options.issuer, {
    ...(await baseConfiguration(options)),
    clients: [
      ...options.clients.map(toClientMetadata),
      ...(options.resourceServers ?? []).map(toResourceServerMetadata),
    ],
    findAccount: accounts.findAccount,
  })
  provider.use(createInteractionRoutes(provider, accounts))
  return provider
}

export interface ServeStrictProviderOptions extends Omit<StrictProviderOptions, 'issuer'> {
  /** Default 0: any free port. */
  port?: number
  /** Default `127.0.0.1`. */
  host?: string
}

/** A strict provider listening on `node:http`. */
export interface ServedStrictProvider {
  /** `http://<host>:<bound port>` */
  issuer: string
  provider: Provider
  server: Server
  /** Stops the server, dropping open connections (browser keep-alive sockets). */
  close(): Promise<void>
}

/**
 * Listens first (the issuer needs the bound port), then builds the strict provider for that issuer
 * and mounts it. If building fails, the server is closed again before the error is rethrown.
 */
export async function serveStrictProvider(options: ServeStrictProviderOptions): Promise<ServedStrictProvider> {
  const { port = 0, host = '127.0.0.1', ...providerOptions } = options
  const server = createServer()
  const issuer = `http://${host.includes(':') ? `[${host}]` : host}:${await listen(server, port, host)}`
  try {
    const provider = await createStrictProvider({ ...providerOptions, issuer })
    server.on('request', provider.callback())
    return { issuer, provider, server, close: () => closeServer(server) }
  } catch (err) {
    await closeServer(server)
    throw err
  }
}

async function baseConfiguration(options: StrictProviderOptions): Promise<Configuration> {
  const codeTTL = options.ttl?.authorizationCode ?? 60
  if (!(codeTTL > 0 && codeTTL <= MAX_AUTHORIZATION_CODE_TTL)) {
    throw new RangeError(`ttl.authorizationCode must be in 1..${MAX_AUTHORIZATION_CODE_TTL} seconds`)
  }
  const resourceServerIds = new Set((options.resourceServers ?? []).map((rs) => rs.clientId))
  return {
    adapter: options.adapter ?? createMemoryAdapterFactory(),
    jwks: options.jwks ?? { keys: [await generateSigningKey()] },
    cookies: { keys: options.cookieKeys ?? [randomBytes(32).toString('base64url')] },
    scopes: ['openid', 'offline_access', 'profile', 'email', ...(options.extraScopes ?? [])],
    claims: { openid: ['sub'], profile: ['name', 'preferred_username'], email: ['email', 'email_verified'] },
    responseTypes: ['code'],
    // v9 implements S256 only; require it for every client, confidential ones included.
    pkce: { required: () => true },
    allowOmittingSingleRegisteredRedirectUri: false,
    rotateRefreshToken: true,
    issueRefreshToken: async (_ctx, client) => client.grantTypeAllowed('refresh_token'),
    // Tokens outlive the sign-in page's browser session: the user signed in for the chat.
    expiresWithSession: async () => false,
    features: {
      devInteractions: { enabled: false },
      revocation: { enabled: true, allowedPolicy: async (_ctx, client, token) => token.clientId === client.clientId },
      introspection: {
        enabled: true,
        allowedPolicy: async (_ctx, client, token) =>
          token.clientId === client.clientId ||
          (resourceServerIds.has(client.clientId) && token.kind === 'AccessToken'),
      },
      userinfo: { enabled: true },
    },
    clientBasedCORS: () => false,
    ttl: {
      AuthorizationCode: codeTTL,
      AccessToken: options.ttl?.accessToken ?? 3600,
      IdToken: options.ttl?.idToken ?? 3600,
      RefreshToken: options.ttl?.refreshToken ?? 14 * 24 * 3600,
      Interaction: 600,
      Session: 24 * 3600,
      Grant: 14 * 24 * 3600,
    },
    interactions: { url: async (_ctx, interaction) => `/interaction/${interaction.uid}` },
    renderError: async (ctx, out) => {
      ctx.type = 'text/html; charset=utf-8'
      ctx.body = `<!doctype html><html lang="en"><head><meta charset="utf-8"><title>Error</title></head><body><h1>Sign-in error</h1><p>${escapeHTML(String(out.error))}: ${escapeHTML(String(out.error_description ?? ''))}</p></body></html>`
    },
  }
}

function toClientMetadata(client: StrictClientConfig): ClientMetadata {
  const method = client.tokenEndpointAuthMethod ?? 'client_secret_basic'
  return {
    client_id: client.clientId,
    ...(client.clientSecret === undefined ? {} : { client_secret: client.clientSecret }),
    ...(client.jwks === undefined ? {} : { jwks: client.jwks }),
    token_endpoint_auth_method: method,
    redirect_uris: [...GOOGLE_REDIRECT_URIS, ...(client.extraRedirectUris ?? [])],
    response_types: ['code'],
    grant_types: client.refreshTokens === false ? ['authorization_code'] : ['authorization_code', 'refresh_token'],
  }
}

function toResourceServerMetadata(rs: StrictResourceServerConfig): ClientMetadata {
  return {
    client_id: rs.clientId,
    client_secret: rs.clientSecret,
    token_endpoint_auth_method: 'client_secret_basic',
    redirect_uris: [],
    response_types: [],
    grant_types: [],
  }
}

/** A fresh private RS256 signing JWK with a random `kid`. */
export async function generateSigningKey(): Promise<JWK> {
  const { privateKey } = await promisify(generateKeyPair)('rsa', { modulusLength: 2048 })
  return {
    ...(privateKey.export({ format: 'jwk' }) as JWK),
    alg: 'RS256',
    use: 'sig',
    kid: randomBytes(8).toString('hex'),
  }
}
