/**
 * @module ops/config-access
 * Accessors over a loaded {@link BmOAuthConfig}: the settings a command needs, or a
 * {@link ConfigError} saying how to set them, and values derived from the settings.
 */
import { grantProviderId } from '../agent/runtime.ts'
import { BUSINESS_MESSAGES_REDIRECT_URIS } from '../oauth/redirect-uris.ts'
import type { ProviderConfig } from '../oauth/config.ts'
import { ConfigError } from '../errors.ts'
import type { BmOAuthConfig, ClientSettings } from './config.ts'

/** The four Google redirect URIs plus the configured local stand-ins: the only ones the agent accepts. */
export function allowedRedirectURIs(config: BmOAuthConfig): readonly string[] {
  return Object.freeze([...BUSINESS_MESSAGES_REDIRECT_URIS, ...config.local.standInRedirectUris])
}

/**
 * The id under which tokens and pending sign-ins are stored for the configured provider (the
 * `provider` column): its issuer, or, for an explicit configuration without one, its token endpoint.
 * @throws {ConfigError} when no provider is configured.
 */
export function providerIdOf(config: BmOAuthConfig): string {
  return grantProviderId(requireProvider(config))
}

/** The provider settings, or a {@link ConfigError} saying how to set them. */
export function requireProvider(config: BmOAuthConfig): ProviderConfig {
  if (config.provider === undefined) {
    throw new ConfigError('provider', 'is required: set "provider" in the config file or BM_OAUTH_ISSUER')
  }
  return config.provider
}

/** The agent name, or a {@link ConfigError} saying how to set it. */
export function requireAgent(config: BmOAuthConfig): string {
  if (config.agent === undefined) {
    throw new ConfigError(
      'agent',
      'is required: pass --agent brands/BRAND_ID/agents/AGENT_ID, set BM_OAUTH_AGENT or "agent"',
    )
  }
  return config.agent
}

/** The client registration, or a {@link ConfigError} saying how to set it. */
export function requireClient(config: BmOAuthConfig): ClientSettings {
  if (config.client === undefined) {
    throw new ConfigError('client.clientId', 'is required: set "client" in the config file or BM_OAUTH_CLIENT_ID')
  }
  return config.client
}

/** The URL Google posts webhooks to: `webhook.url`, else built from host, port and path. */
export function webhookURLOf(config: BmOAuthConfig): string {
  if (config.webhook.url !== undefined) return config.webhook.url
  const host = ['0.0.0.0', '::', ''].includes(config.webhook.host) ? '127.0.0.1' : config.webhook.host
  return `http://${host.includes(':') ? `[${host}]` : host}:${config.webhook.port}${config.webhook.path}`
}
