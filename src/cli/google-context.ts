/**
 * @module cli/google-context
 * Builds the Google API clients a command needs from its flags and the environment:
 * `--key` / `BM_OAUTH_KEY_FILE` / `GOOGLE_APPLICATION_CREDENTIALS` for the service-account key and
 * `--base-url` / `BM_OAUTH_GOOGLE_BASE_URL` (plus per-API overrides) for where the APIs live. The
 * clients themselves come from the server's factory, shared with config-driven commands.
 */
import { resolveGoogleEndpoints, resolveKeyFile } from '../google/index.ts'
import type { BusinessCommunicationsClient } from '../google/index.ts'
import { businessCommunicationsClientFromSettings } from '../ops/google-clients.ts'
import type { GoogleClientsOptions } from '../ops/google-clients.ts'
import type { GoogleSettings } from '../ops/config.ts'
import type { CLIIO } from './io.ts'

/** Options every Google-facing command accepts. */
export interface GoogleCLIOptions {
  key?: string
  baseUrl?: string
  bcUrl?: string
  bmUrl?: string
  timeout?: number
}

/** Flags win over the environment; both are validated here so errors name the flag or variable. */
function googleSettings(io: CLIIO, options: GoogleCLIOptions): GoogleSettings {
  const endpoints = resolveGoogleEndpoints(io.env, {
    ...(options.baseUrl === undefined ? {} : { baseUrl: options.baseUrl }),
    ...(options.bcUrl === undefined ? {} : { businessCommunicationsUrl: options.bcUrl }),
    ...(options.bmUrl === undefined ? {} : { businessMessagesUrl: options.bmUrl }),
  })
  return { keyFile: resolveKeyFile(io.env, options.key), ...endpoints }
}

function clientOptions(options: GoogleCLIOptions): GoogleClientsOptions {
  return options.timeout === undefined ? {} : { timeoutMs: options.timeout }
}

/** A Business Communications client authorised with the service-account key. */
export function businessCommunicationsClient(
  io: CLIIO,
  options: GoogleCLIOptions,
): Promise<BusinessCommunicationsClient> {
  return businessCommunicationsClientFromSettings(googleSettings(io, options), clientOptions(options))
}
