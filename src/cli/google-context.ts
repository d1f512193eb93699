/**
 * @module cli/google-context
 * Builds the Google API clients a command needs from its options and the environment:
 * `--key` / `BM_OAUTH_KEY_FILE` / `GOOGLE_APPLICATION_CREDENTIALS` for the service-account key and
 * `--base-url` / `BM_OAUTH_GOOGLE_BASE_URL` (plus per-API overrides) for where the APIs live.
 */
import {
  BusinessCommunicationsClient,
  BusinessMessagesClient,
  readServiceAccountKey,
  resolveGoogleEndpoints,
  resolveKeyFile,
  ServiceAccountCredentials,
  SCOPES,
} from '../index.ts'
import type { CLIIO } from './io.ts'

/** Options every Google-facing command accepts (global options). */
export interface GoogleCLIOptions {
  key?: string
  baseUrl?: string
  bcUrl?: string
  bmUrl?: string
  timeout?: number
}

function endpointOverrides(options: GoogleCLIOptions): Parameters<typeof resolveGoogleEndpoints>[1] {
  const overrides: NonNullable<Parameters<typeof resolveGoogleEndpoints>[1]> = {}
  if (options.baseUrl !== undefined) overrides.baseUrl = options.baseUrl
  if (options.bcUrl !== undefined) overrides.businessCommunicationsUrl = options.bcUrl
  if (options.bmUrl !== undefined) overrides.businessMessagesUrl = options.bmUrl
  return overrides
}

async function loadKey(io: CLIIO, options: GoogleCLIOptions): ReturnType<typeof readServiceAccountKey> {
  return readServiceAccountKey(resolveKeyFile(io.env, options.key))
}

/** A Business Communications client authorised with the service-account key. */
export async function businessCommunicationsClient(
  io: CLIIO,
  options: GoogleCLIOptions,
): Promise<BusinessCommunicationsClient> {
  const endpoints = resolveGoogleEndpoints(io.env, endpointOverrides(options))
  const key = await loadKey(io, options)
  const credentials = new ServiceAccountCredentials(key, { scopes: [SCOPES.businesscommunications] })
  return new BusinessCommunicationsClient({
    credentials,
    baseUrl: endpoints.businessCommunicationsUrl,
    ...(options.timeout === undefined ? {} : { timeoutMs: options.timeout }),
  })
}

/** A Business Messages client authorised with the service-account key. */
export async function businessMessagesClient(io: CLIIO, options: GoogleCLIOptions): Promise<BusinessMessagesClient> {
  const endpoints = resolveGoogleEndpoints(io.env, endpointOverrides(options))
  const key = await loadKey(io, options)
  const credentials = new ServiceAccountCredentials(key, { scopes: [SCOPES.businessmessages] })
  return new BusinessMessagesClient({
    credentials,
    baseUrl: endpoints.businessMessagesUrl,
    ...(options.timeout === undefined ? {} : { timeoutMs: options.timeout }),
  })
}
