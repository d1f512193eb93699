/**
 * @module ops/google-clients
 * The Business Messages and Business Communications clients for a {@link BmOAuthConfig}: the
 * service-account key from `google.keyFile` and the API origins from `google.*Url` (the
 * configuration already merged the file, the environment and the flags).
 */
import type { FetchLike } from '../core/fetch.ts'
import { BusinessCommunicationsClient } from '../google/business-communications/client.ts'
import { BusinessMessagesClient } from '../google/business-messages/client.ts'
import { resolveGoogleEndpoints, resolveKeyFile, type GoogleEndpoints } from '../google/endpoints.ts'
import { SCOPES } from '../google/scopes.ts'
import { readServiceAccountKey } from '../google/service-account-key.ts'
import { ServiceAccountCredentials } from '../google/service-account.ts'
import type { BmOAuthConfig, GoogleSettings } from './config.ts'

export interface GoogleClientsOptions {
  fetch?: FetchLike
  /** Deadline per request in ms (default 30 s). */
  timeoutMs?: number
}

/**
 * Both API origins of `google` settings: a per-API URL wins over `baseUrl`, else Google's production
 * origins. The environment is not read again: the configuration already merged it.
 */
export function googleEndpointsOf(google: GoogleSettings): GoogleEndpoints {
  const { baseUrl, businessCommunicationsUrl, businessMessagesUrl } = google
  return resolveGoogleEndpoints(
    {},
    {
      ...(baseUrl === undefined ? {} : { baseUrl }),
      ...(businessCommunicationsUrl === undefined ? {} : { businessCommunicationsUrl }),
      ...(businessMessagesUrl === undefined ? {} : { businessMessagesUrl }),
    },
  )
}

async function credentialsFor(
  google: GoogleSettings,
  scope: string,
  options: GoogleClientsOptions,
): Promise<ServiceAccountCredentials> {
  const key = await readServiceAccountKey(resolveKeyFile({}, google.keyFile))
  return new ServiceAccountCredentials(key, {
    scopes: [scope],
    ...(options.fetch === undefined ? {} : { fetch: options.fetch }),
    ...(options.timeoutMs === undefined ? {} : { timeoutMs: options.timeoutMs }),
  })
}

function transport(options: GoogleClientsOptions): { fetch?: FetchLike; timeoutMs?: number } {
  return {
    ...(options.fetch === undefined ? {} : { fetch: options.fetch }),
    ...(options.timeoutMs === undefined ? {} : { timeoutMs: options.timeoutMs }),
  }
}

/** A Business Messages client authorised with the service-account key of `google` settings. */
export async function businessMessagesClientFromSettings(
  google: GoogleSettings,
  options: GoogleClientsOptions = {},
): Promise<BusinessMessagesClient> {
  return new BusinessMessagesClient({
    credentials: await credentialsFor(google, SCOPES.businessmessages, options),
    baseUrl: googleEndpointsOf(google).businessMessagesUrl,
    ...transport(options),
  })
}

/** A Business Communications client authorised with the service-account key of `google` settings. */
export async function businessCommunicationsClientFromSettings(
  google: GoogleSettings,
  options: GoogleClientsOptions = {},
): Promise<BusinessCommunicationsClient> {
  return new BusinessCommunicationsClient({
    credentials: await credentialsFor(google, SCOPES.businesscommunications, options),
    baseUrl: googleEndpointsOf(google).businessCommunicationsUrl,
    ...transport(options),
  })
}

/** A Business Messages client authorised with the configured service-account key. */
export function businessMessagesClientFor(
  config: BmOAuthConfig,
  options: GoogleClientsOptions = {},
): Promise<BusinessMessagesClient> {
  return businessMessagesClientFromSettings(config.google, options)
}

/** A Business Communications client authorised with the configured service-account key. */
export function businessCommunicationsClientFor(
  config: BmOAuthConfig,
  options: GoogleClientsOptions = {},
): Promise<BusinessCommunicationsClient> {
  return businessCommunicationsClientFromSettings(config.google, options)
}
