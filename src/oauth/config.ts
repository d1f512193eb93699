/**
 * @module oauth/config
 * The configuration types of the OAuth wrapper and the pure start-up checks on them: S256 support
 * (security case P4, fail closed) and HTTPS endpoints with a loopback-only exception for local
 * mode (security case X7). No I/O here.
 */
import type { Clock } from '../core/clock.ts'
import type { FetchLike } from '../core/fetch.ts'
import { BmOAuthError, ConfigError } from '../errors.ts'

/** A provider found by OIDC / RFC 8414 discovery from its issuer identifier. */
export interface DiscoveredProviderConfig {
  issuer: string
  /** Well-known document to fetch: `oidc` (`/.well-known/openid-configuration`, default) or `oauth2` (RFC 8414). */
  discovery?: 'oidc' | 'oauth2'
}

/** A provider configured by hand (no metadata document). */
export interface ExplicitProviderConfig {
  authorizationEndpoint: string
  tokenEndpoint: string
  revocationEndpoint?: string
  userinfoEndpoint?: string
  /**
   * The provider's JWK Set, to verify ID-token signatures (security case X14); without it an ID
   * token in a token response is rejected (fail closed).
   */
  jwksUri?: string
  /** Needed to validate ID tokens; without it an ID token in a token response is rejected (fail closed). */
  issuer?: string
  /**
   * The PKCE methods the operator asserts the provider supports. There is no metadata to check, so
   * this must be stated and must include `S256` (security case P4).
   */
  pkceMethods: readonly string[]
}

export type ProviderConfig = DiscoveredProviderConfig | ExplicitProviderConfig

export type TokenEndpointAuthMethod = 'client_secret_basic' | 'client_secret_post' | 'private_key_jwt' | 'none'

/** The agent's client registration at the provider. */
export interface ClientConfig {
  clientId: string
  /** For `client_secret_basic` / `client_secret_post`. Kept out of every public field and message. */
  clientSecret?: string
  /** For `private_key_jwt`: a private JWK (`kid` taken from it) or a private `CryptoKey`. */
  privateKey?: JsonWebKey | CryptoKey
  /** Key id for the assertion header when `privateKey` is a `CryptoKey`. */
  privateKeyId?: string
  tokenEndpointAuthMethod: TokenEndpointAuthMethod
}

/** Everything {@link resolveProvider} needs. */
export interface OAuthConfig {
  provider: ProviderConfig
  client: ClientConfig
}

/** Seams and local-mode switches. */
export interface OAuthOptions {
  /** Default: the global `fetch`. */
  fetch?: FetchLike
  /** Default: the system clock. Drives `expiresAt` and the ID-token time checks. */
  clock?: Clock
  /** Deadline per provider request, body included (default 10 s, security case X8). */
  timeoutMs?: number
  /** Local mode: allow `http:` for 127.0.0.1, localhost and ::1 only. Everything else must be `https:`. */
  allowInsecureLoopback?: boolean
}

/** Default deadline for one provider request. */
export const DEFAULT_OAUTH_TIMEOUT_MS = 10_000

const LOOPBACK_HOSTS: ReadonlySet<string> = new Set(['127.0.0.1', 'localhost', '[::1]'])

/** Whether `config` is the explicit (metadata-less) form. */
export function isExplicitProviderConfig(config: ProviderConfig): config is ExplicitProviderConfig {
  return 'tokenEndpoint' in config
}

/**
 * Throws `ERR_CONFIG` unless `url` is an absolute `https:` URL, or, when `allowInsecureLoopback`,
 * an `http:` URL on a loopback host. The message names the setting, not the URL's query.
 */
export function assertEndpointURL(name: string, url: unknown, allowInsecureLoopback: boolean): URL {
  const parsed = typeof url === 'string' ? URL.parse(url) : null
  if (parsed === null) {
    throw new ConfigError(name, 'must be an absolute URL')
  }
  if (parsed.protocol === 'https:') return parsed
  if (parsed.protocol === 'http:' && allowInsecureLoopback && LOOPBACK_HOSTS.has(parsed.hostname)) return parsed
  const rule = allowInsecureLoopback ? 'https: (http: only on 127.0.0.1, localhost or ::1)' : 'https:'
  throw new ConfigError(name, `must use ${rule}, got ${parsed.protocol}//${parsed.host}`)
}

/**
 * Fails closed unless S256 is among `methods` (security case P4): without PKCE support the agent
 * has no CSRF or code-injection defence, since Business Messages carries no state.
 */
export function assertS256Supported(methods: unknown, source: string): void {
  if (!Array.isArray(methods) || !methods.includes('S256')) {
    throw new BmOAuthError(
      'ERR_OAUTH_PROVIDER_UNSUPPORTED',
      `provider does not declare PKCE S256 support (${source} lacks "S256")`,
      { status: 500 },
    )
  }
}

/** Throws `ERR_CONFIG` when the client registration is incomplete for its auth method. */
export function assertClientConfig(client: ClientConfig): void {
  if (typeof client.clientId !== 'string' || client.clientId === '') {
    throw new ConfigError('client.clientId', 'is required')
  }
  const method = client.tokenEndpointAuthMethod
  if (method === 'client_secret_basic' || method === 'client_secret_post') {
    if (typeof client.clientSecret !== 'string' || client.clientSecret === '') {
      throw new ConfigError('client.clientSecret', `is required for ${method}`)
    }
  } else if (method === 'private_key_jwt') {
    if (client.privateKey === undefined) {
      throw new ConfigError('client.privateKey', 'is required for private_key_jwt')
    }
  } else if (method !== 'none') {
    throw new ConfigError('client.tokenEndpointAuthMethod', 'is not supported')
  }
}
