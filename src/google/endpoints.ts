/**
 * @module google/endpoints
 * Where the Google clients send requests and which key file they use, resolved from an environment
 * map the caller passes in (pure: the CLI and server read `process.env`, this module never does).
 * One variable, `BM_OAUTH_GOOGLE_BASE_URL`, points both APIs at one origin, as the emulator serves both.
 *
 * Precedence, per API: explicit override → `overrides.baseUrl` → the API's own variable →
 * `BM_OAUTH_GOOGLE_BASE_URL` → Google's production origin.
 */
import { ConfigError } from '../errors.ts'
import { BUSINESS_COMMUNICATIONS_BASE_URL } from './business-communications/client.ts'
import { BUSINESS_MESSAGES_BASE_URL } from './business-messages/client.ts'
import { isHttpURL } from './url.ts'

export type Env = Readonly<Record<string, string | undefined>>

export interface GoogleEndpoints {
  businessCommunicationsUrl: string
  businessMessagesUrl: string
}

export interface GoogleEndpointOverrides {
  /** One origin for both APIs (e.g. the emulator's). */
  baseUrl?: string
  businessCommunicationsUrl?: string
  businessMessagesUrl?: string
}

type Candidate = [source: string, value: string | undefined]

function pick(candidates: readonly Candidate[], fallback: string): string {
  for (const [source, raw] of candidates) {
    const value = raw?.trim()
    if (value === undefined || value === '') continue
    if (!isHttpURL(value)) {
      throw new ConfigError(source, 'must be an absolute http(s) URL')
    }
    return value.endsWith('/') ? value : `${value}/`
  }
  return fallback
}

/**
 * Resolves the base URLs of both APIs.
 * @throws {ConfigError} `ERR_CONFIG` naming the variable or option whose value is not an http(s) URL.
 * @example
 * ```ts
 * resolveGoogleEndpoints({ BM_OAUTH_GOOGLE_BASE_URL: 'http://127.0.0.1:8787' })
 * // { businessCommunicationsUrl: 'http://127.0.0.1:8787/', businessMessagesUrl: 'http://127.0.0.1:8787/' }
 * ```
 */
export function resolveGoogleEndpoints(env: Env, overrides: GoogleEndpointOverrides = {}): GoogleEndpoints {
  const shared: Candidate[] = [['BM_OAUTH_GOOGLE_BASE_URL', env.BM_OAUTH_GOOGLE_BASE_URL]]
  const sharedOverride: Candidate = ['baseUrl', overrides.baseUrl]
  return {
    businessCommunicationsUrl: pick(
      [
        ['businessCommunicationsUrl', overrides.businessCommunicationsUrl],
        sharedOverride,
        ['BM_OAUTH_BUSINESS_COMMUNICATIONS_URL', env.BM_OAUTH_BUSINESS_COMMUNICATIONS_URL],
        ...shared,
      ],
      BUSINESS_COMMUNICATIONS_BASE_URL,
    ),
    businessMessagesUrl: pick(
      [
        ['businessMessagesUrl', overrides.businessMessagesUrl],
        sharedOverride,
        ['BM_OAUTH_BUSINESS_MESSAGES_URL', env.BM_OAUTH_BUSINESS_MESSAGES_URL],
        ...shared,
      ],
      BUSINESS_MESSAGES_BASE_URL,
    ),
  }
}

/**
 * The service-account key file to use: the override, else `BM_OAUTH_KEY_FILE`, else
 * `GOOGLE_APPLICATION_CREDENTIALS` (empty values count as unset).
 * @throws {ConfigError} `ERR_CONFIG` when none is set.
 */
export function resolveKeyFile(env: Env, override?: string): string {
  for (const value of [override, env.BM_OAUTH_KEY_FILE, env.GOOGLE_APPLICATION_CREDENTIALS]) {
    const path = value?.trim()
    if (path !== undefined && path !== '') return path
  }
  throw new ConfigError(
    'service-account key file',
    'is not configured: set BM_OAUTH_KEY_FILE or GOOGLE_APPLICATION_CREDENTIALS',
  )
}
