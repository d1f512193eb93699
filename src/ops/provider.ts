/**
 * @module ops/provider
 * Resolves the configured OAuth provider ({@link OAuthProvider}) from a {@link BmOAuthConfig}:
 * discovery or explicit endpoints, the client registration (secret from the environment, private
 * JWK from `client.privateKeyFile`) and the local-mode switch for loopback `http:`.
 */
import { readFile } from 'node:fs/promises'
import type { FetchLike } from '../core/fetch.ts'
import type { ClientConfig } from '../oauth/config.ts'
import { resolveProvider, type OAuthProvider } from '../oauth/provider.ts'
import { ConfigError } from '../errors.ts'
import { requireClient, requireProvider, type BmOAuthConfig, type ClientSettings } from './config.ts'

export interface ConfiguredProviderOptions {
  fetch?: FetchLike
  /** Deadline per provider request (default 10 s). */
  timeoutMs?: number
}

/**
 * Discovers (or takes the explicit endpoints of) the configured provider and checks it: S256
 * support, HTTPS endpoints, a complete client registration.
 * @throws {ConfigError} / `ERR_CONFIG` when provider or client settings are missing or incomplete.
 * @throws `ERR_OAUTH_PROVIDER_UNSUPPORTED`, `ERR_OAUTH_DISCOVERY`, `ERR_NETWORK`, `ERR_HTTP_TIMEOUT`.
 */
export async function resolveConfiguredProvider(
  config: BmOAuthConfig,
  options: ConfiguredProviderOptions = {},
): Promise<OAuthProvider> {
  const provider = requireProvider(config)
  const client = await clientConfigOf(requireClient(config))
  return resolveProvider(
    { provider, client },
    {
      allowInsecureLoopback: config.local.enabled,
      ...(options.fetch === undefined ? {} : { fetch: options.fetch }),
      ...(options.timeoutMs === undefined ? {} : { timeoutMs: options.timeoutMs }),
    },
  )
}

/** The OAuth wrapper's client registration from the settings (reads the private key file if any). */
async function clientConfigOf(settings: ClientSettings): Promise<ClientConfig> {
  const client: ClientConfig = {
    clientId: settings.clientId,
    tokenEndpointAuthMethod: settings.tokenEndpointAuthMethod,
    ...(settings.clientSecret === undefined ? {} : { clientSecret: settings.clientSecret }),
  }
  if (settings.tokenEndpointAuthMethod === 'private_key_jwt' && settings.privateKeyFile !== undefined) {
    client.privateKey = await readPrivateJWK(settings.privateKeyFile)
  }
  return client
}

async function readPrivateJWK(path: string): Promise<JsonWebKey> {
  let text: string
  try {
    text = await readFile(path, 'utf8')
  } catch {
    throw new ConfigError('client.privateKeyFile', 'cannot be read', path)
  }
  try {
    const jwk = JSON.parse(text) as unknown
    if (typeof jwk === 'object' && jwk !== null && typeof (jwk as { d?: unknown }).d === 'string')
      return jwk as JsonWebKey
  } catch {
    // fall through: never quote the file (it holds key material)
  }
  throw new ConfigError('client.privateKeyFile', 'must hold a private JWK (JSON with "d")', path)
}
