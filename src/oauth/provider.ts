/**
 * @module oauth/provider
 * Resolves a provider configuration into an {@link OAuthProvider}: discovery when needed, then the
 * start-up checks (S256 support, HTTPS endpoints, complete client registration). Credentials and
 * library objects are kept in a module-private WeakMap, as openid-client does, so printing an
 * OAuthProvider shows endpoints and the client id only.
 */
import * as oauth from 'oauth4webapi'
import { systemClock } from '../core/clock.ts'
import type { Clock } from '../core/clock.ts'
import { createClientAuth } from './client-auth.ts'
import {
  DEFAULT_OAUTH_TIMEOUT_MS,
  assertClientConfig,
  assertEndpointURL,
  assertS256Supported,
  isExplicitProviderConfig,
} from './config.ts'
import type {
  DiscoveredProviderConfig,
  ExplicitProviderConfig,
  OAuthConfig,
  OAuthOptions,
  TokenEndpointAuthMethod,
} from './config.ts'
import { toOAuthError } from './errors.ts'
import { createBoundedFetch } from './http.ts'
import { createIdTokenSignatureCheck } from './id-token-signature.ts'
import type { IdTokenSignatureCheck } from './id-token-signature.ts'
import type { LibraryFetchOptions } from './http.ts'

/** What the operations need and nobody should print. */
export interface ProviderInternals {
  as: oauth.AuthorizationServer
  clientId: string
  clientAuth: oauth.ClientAuth
  fetch: (url: string, options: LibraryFetchOptions) => Promise<Response>
  clock: Clock
  timeoutMs: number
  allowInsecure: boolean
  /** Verifies an ID token's signature against the provider's JWK Set (X14). */
  checkIdTokenSignature: IdTokenSignatureCheck
}

const internalsOf = new WeakMap<OAuthProvider, ProviderInternals>()

/** A checked, ready-to-use provider plus the agent's client registration. Create with {@link resolveProvider}. */
export class OAuthProvider {
  /** Issuer identifier; `undefined` for an explicit configuration without one (no ID-token validation). */
  readonly issuer: string | undefined
  readonly clientId: string
  readonly tokenEndpointAuthMethod: TokenEndpointAuthMethod
  readonly authorizationEndpoint: string
  readonly tokenEndpoint: string
  readonly revocationEndpoint: string | undefined
  readonly userinfoEndpoint: string | undefined
  /** PKCE methods the provider declares (always includes `S256`). */
  readonly codeChallengeMethods: readonly string[]

  private constructor(internals: ProviderInternals, issuer: string | undefined, method: TokenEndpointAuthMethod) {
    const { as } = internals
    this.issuer = issuer
    this.clientId = internals.clientId
    this.tokenEndpointAuthMethod = method
    this.authorizationEndpoint = as.authorization_endpoint ?? ''
    this.tokenEndpoint = as.token_endpoint ?? ''
    this.revocationEndpoint = as.revocation_endpoint
    this.userinfoEndpoint = as.userinfo_endpoint
    this.codeChallengeMethods = Object.freeze([...(as.code_challenge_methods_supported ?? [])])
    internalsOf.set(this, internals)
    Object.freeze(this)
  }

  /** @internal Used by {@link resolveProvider} only. */
  static create(
    internals: ProviderInternals,
    issuer: string | undefined,
    method: TokenEndpointAuthMethod,
  ): OAuthProvider {
    return new OAuthProvider(internals, issuer, method)
  }
}

/** @internal The hidden half of a provider, for the operations in this folder. */
export function providerInternals(provider: OAuthProvider): ProviderInternals {
  const internals = internalsOf.get(provider)
  if (internals === undefined) throw new TypeError('not an OAuthProvider created by resolveProvider()')
  return internals
}

/**
 * Discovers (when given an issuer) and checks a provider. Fails closed:
 * - `ERR_OAUTH_PROVIDER_UNSUPPORTED` when S256 is not in `code_challenge_methods_supported`, or, for
 *   an explicit configuration, not in the asserted `pkceMethods` (security case P4);
 * - `ERR_CONFIG` for a non-HTTPS endpoint (loopback `http:` allowed only with
 *   `allowInsecureLoopback`, security case X7) or an incomplete client registration;
 * - `ERR_OAUTH_DISCOVERY` / `ERR_NETWORK` / `ERR_HTTP_TIMEOUT` when discovery fails.
 * @example
 * ```ts
 * const provider = await resolveProvider({
 *   provider: { issuer: 'https://login.example.com' },
 *   client: { clientId: 'bm-agent', clientSecret: secret, tokenEndpointAuthMethod: 'client_secret_basic' },
 * })
 * ```
 */
export async function resolveProvider(config: OAuthConfig, options: OAuthOptions = {}): Promise<OAuthProvider> {
  assertClientConfig(config.client)
  const allowInsecure = options.allowInsecureLoopback === true
  const partial = {
    fetch: createBoundedFetch(options.fetch ?? globalThis.fetch),
    clock: options.clock ?? systemClock,
    timeoutMs: options.timeoutMs ?? DEFAULT_OAUTH_TIMEOUT_MS,
    allowInsecure,
  }
  const as = isExplicitProviderConfig(config.provider)
    ? explicitMetadata(config.provider, allowInsecure)
    : await discoverMetadata(config.provider, partial)
  const clientAuth = await createClientAuth(config.client)
  const issuer = isExplicitProviderConfig(config.provider) ? config.provider.issuer : as.issuer
  const checkIdTokenSignature = createIdTokenSignatureCheck({
    jwksUri: as.jwks_uri,
    algorithms: as.id_token_signing_alg_values_supported,
    fetch: partial.fetch,
    timeoutMs: partial.timeoutMs,
  })
  const internals: ProviderInternals = {
    ...partial,
    as,
    clientId: config.client.clientId,
    clientAuth,
    checkIdTokenSignature,
  }
  return OAuthProvider.create(internals, issuer, config.client.tokenEndpointAuthMethod)
}

function explicitMetadata(config: ExplicitProviderConfig, allowInsecure: boolean): oauth.AuthorizationServer {
  assertS256Supported(config.pkceMethods, 'provider.pkceMethods')
  assertEndpointURL('provider.tokenEndpoint', config.tokenEndpoint, allowInsecure)
  assertEndpointURL('provider.authorizationEndpoint', config.authorizationEndpoint, allowInsecure)
  if (config.issuer !== undefined) assertEndpointURL('provider.issuer', config.issuer, allowInsecure)
  if (config.revocationEndpoint !== undefined) {
    assertEndpointURL('provider.revocationEndpoint', config.revocationEndpoint, allowInsecure)
  }
  if (config.userinfoEndpoint !== undefined) {
    assertEndpointURL('provider.userinfoEndpoint', config.userinfoEndpoint, allowInsecure)
  }
  if (config.jwksUri !== undefined) assertEndpointURL('provider.jwksUri', config.jwksUri, allowInsecure)
  const as: oauth.AuthorizationServer = {
    // Without a configured issuer the token endpoint stands in: it is the RFC 7523 audience for
    // private_key_jwt, and an ID token can never match it, so ID tokens are rejected (fail closed).
    issuer: config.issuer ?? config.tokenEndpoint,
    authorization_endpoint: config.authorizationEndpoint,
    token_endpoint: config.tokenEndpoint,
    code_challenge_methods_supported: [...config.pkceMethods],
    ...(config.revocationEndpoint === undefined ? {} : { revocation_endpoint: config.revocationEndpoint }),
    ...(config.userinfoEndpoint === undefined ? {} : { userinfo_endpoint: config.userinfoEndpoint }),
    ...(config.jwksUri === undefined ? {} : { jwks_uri: config.jwksUri }),
  }
  return as
}

type RequestSettings = Pick<ProviderInternals, 'fetch' | 'timeoutMs' | 'allowInsecure'>

async function discoverMetadata(
  config: DiscoveredProviderConfig,
  settings: RequestSettings,
): Promise<oauth.AuthorizationServer> {
  const issuerURL = assertEndpointURL('provider.issuer', config.issuer, settings.allowInsecure)
  let as: oauth.AuthorizationServer
  try {
    const response = await oauth.discoveryRequest(issuerURL, {
      algorithm: config.discovery ?? 'oidc',
      ...libraryRequestOptions(settings),
    })
    as = await oauth.processDiscoveryResponse(issuerURL, response)
  } catch (err) {
    throw await toOAuthError('discovery', err)
  }
  assertS256Supported(as.code_challenge_methods_supported, 'discovery metadata code_challenge_methods_supported')
  const source = 'discovery metadata'
  assertEndpointURL(`${source} authorization_endpoint`, as.authorization_endpoint, settings.allowInsecure)
  assertEndpointURL(`${source} token_endpoint`, as.token_endpoint, settings.allowInsecure)
  // jwks_uri too: ID-token keys fetched over plain http could be swapped in transit (X13).
  for (const key of ['revocation_endpoint', 'userinfo_endpoint', 'jwks_uri'] as const) {
    if (as[key] !== undefined) assertEndpointURL(`${source} ${key}`, as[key], settings.allowInsecure)
  }
  return as
}

/** Transport options accepted by every oauth4webapi request function. */
export interface LibraryRequestOptions {
  [oauth.customFetch]: (url: string, options: oauth.CustomFetchOptions<string, unknown>) => Promise<Response>
  signal: (url: string) => AbortSignal
  [oauth.allowInsecureRequests]: boolean
}

/** The transport options every library call gets: our fetch, a fresh deadline, and the http switch. */
export function libraryRequestOptions(settings: RequestSettings): LibraryRequestOptions {
  return {
    [oauth.customFetch]: settings.fetch,
    signal: () => AbortSignal.timeout(settings.timeoutMs),
    // Endpoints were checked at start-up: http: is only possible on loopback in local mode.
    [oauth.allowInsecureRequests]: settings.allowInsecure,
  }
}
