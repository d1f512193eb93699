/**
 * @module ops/config-env
 * The environment layer of the configuration: which variable sets which field, typed conversion
 * (ports, booleans, lists), and the secrets that may ONLY come from the environment (vault keys,
 * webhook signing keys and client token). Pure: the caller passes the environment map in.
 */
import { ConfigError } from '../errors.ts'

export type Env = Readonly<Record<string, string | undefined>>

/** A partial configuration object plus, for each dotted path it sets, the variable it came from. */
export interface ConfigLayer {
  value: Record<string, unknown>
  sources: Map<string, string>
}

/** Variables holding plain strings, by the field path they set. */
const STRING_VARIABLES: ReadonlyArray<[variable: string, path: string]> = [
  ['BM_OAUTH_AGENT', 'agent'],
  ['BM_OAUTH_GOOGLE_BASE_URL', 'google.baseUrl'],
  ['BM_OAUTH_BUSINESS_COMMUNICATIONS_URL', 'google.businessCommunicationsUrl'],
  ['BM_OAUTH_BUSINESS_MESSAGES_URL', 'google.businessMessagesUrl'],
  ['BM_OAUTH_CLIENT_ID', 'client.clientId'],
  ['BM_OAUTH_CLIENT_SECRET', 'client.clientSecret'],
  ['BM_OAUTH_TOKEN_ENDPOINT_AUTH_METHOD', 'client.tokenEndpointAuthMethod'],
  ['BM_OAUTH_CLIENT_PRIVATE_KEY_FILE', 'client.privateKeyFile'],
  ['BM_OAUTH_WEBHOOK_HOST', 'webhook.host'],
  ['BM_OAUTH_WEBHOOK_PATH', 'webhook.path'],
  ['BM_OAUTH_WEBHOOK_URL', 'webhook.url'],
  ['BM_OAUTH_ADMIN_HOST', 'admin.host'],
]

const PORT_VARIABLES: ReadonlyArray<[variable: string, path: string]> = [
  ['BM_OAUTH_WEBHOOK_PORT', 'webhook.port'],
  ['BM_OAUTH_ADMIN_PORT', 'admin.port'],
]

const BOOLEAN_VARIABLES: ReadonlyArray<[variable: string, path: string]> = [
  ['BM_OAUTH_LOCAL', 'local.enabled'],
  ['BM_OAUTH_ALLOW_INSECURE_LOOPBACK', 'local.allowInsecureLoopback'],
  ['BM_OAUTH_UNSAFE_DISABLE_SIGNATURE_VERIFICATION', 'local.unsafeDisableSignatureVerification'],
]

/** Reads a variable; empty or blank counts as unset. */
export function envValue(env: Env, name: string): string | undefined {
  const value = env[name]?.trim()
  return value === undefined || value === '' ? undefined : value
}

/** Sets `value` at a dotted `path` inside `target`, creating objects on the way. */
export function setPath(target: Record<string, unknown>, path: string, value: unknown): void {
  const parts = path.split('.')
  let node = target
  for (const part of parts.slice(0, -1)) {
    const next = node[part]
    if (typeof next !== 'object' || next === null || Array.isArray(next)) node[part] = {}
    node = node[part] as Record<string, unknown>
  }
  node[parts.at(-1) as string] = value
}

/** Builds the environment layer. Values are converted, never echoed in errors. */
export function environmentLayer(env: Env): ConfigLayer {
  const layer: ConfigLayer = { value: {}, sources: new Map() }
  const set = (variable: string, path: string, value: unknown): void => {
    setPath(layer.value, path, value)
    layer.sources.set(path, variable)
  }
  for (const [variable, path] of STRING_VARIABLES) {
    const value = envValue(env, variable)
    if (value !== undefined) set(variable, path, value)
  }
  for (const [variable, path] of BOOLEAN_VARIABLES) {
    const value = envValue(env, variable)
    if (value !== undefined) set(variable, path, parseBoolean(variable, value))
  }
  for (const [variable, path] of PORT_VARIABLES) {
    const port = envValue(env, variable)
    if (port !== undefined) set(variable, path, parsePort(variable, path, port))
  }
  // Key file: bm-oauth's own variable wins over the file; GOOGLE_APPLICATION_CREDENTIALS is the last resort.
  const keyFile = envValue(env, 'BM_OAUTH_KEY_FILE')
  if (keyFile !== undefined) set('BM_OAUTH_KEY_FILE', 'google.keyFile', keyFile)
  const scopes = envValue(env, 'BM_OAUTH_SCOPES')
  if (scopes !== undefined) set('BM_OAUTH_SCOPES', 'scopes', splitList(scopes, /[\s,]+/))
  const standIns = envValue(env, 'BM_OAUTH_STAND_IN_REDIRECT_URIS')
  if (standIns !== undefined) {
    set('BM_OAUTH_STAND_IN_REDIRECT_URIS', 'local.standInRedirectUris', splitList(standIns, /\s+/))
  }
  const issuer = envValue(env, 'BM_OAUTH_ISSUER')
  if (issuer !== undefined) set('BM_OAUTH_ISSUER', 'provider', { issuer })
  const databaseURL = envValue(env, 'BM_OAUTH_DATABASE_URL')
  const sqlitePath = envValue(env, 'BM_OAUTH_SQLITE_PATH')
  if (databaseURL !== undefined && sqlitePath !== undefined) {
    throw new ConfigError('store', 'set only one of BM_OAUTH_DATABASE_URL and BM_OAUTH_SQLITE_PATH', 'environment')
  }
  if (databaseURL !== undefined) set('BM_OAUTH_DATABASE_URL', 'store', { postgres: databaseURL })
  if (sqlitePath !== undefined) set('BM_OAUTH_SQLITE_PATH', 'store', { sqlite: sqlitePath })
  return layer
}

/** The secrets that come from the environment only. */
export interface EnvironmentSecrets {
  vaultKeys: string | undefined
  webhookSigningKeys: readonly string[]
  webhookClientToken: string | undefined
}

/** Reads the env-only secrets; malformed webhook keys fail closed without echoing them. */
export function environmentSecrets(env: Env): EnvironmentSecrets {
  const raw = envValue(env, 'BM_OAUTH_WEBHOOK_KEYS')
  const keys = raw === undefined ? [] : raw.split(',').map((k) => k.trim())
  if (keys.some((k) => k === '')) {
    throw new ConfigError('BM_OAUTH_WEBHOOK_KEYS', 'entries must not be empty (format: current[,previous])')
  }
  if (keys.length > 2) {
    throw new ConfigError('BM_OAUTH_WEBHOOK_KEYS', `holds ${keys.length} keys; at most two: current[,previous]`)
  }
  return {
    vaultKeys: envValue(env, 'BM_OAUTH_VAULT_KEYS'),
    webhookSigningKeys: Object.freeze(keys),
    webhookClientToken: envValue(env, 'BM_OAUTH_WEBHOOK_CLIENT_TOKEN'),
  }
}

function parseBoolean(variable: string, value: string): boolean {
  const lower = value.toLowerCase()
  if (['1', 'true', 'yes', 'on'].includes(lower)) return true
  if (['0', 'false', 'no', 'off'].includes(lower)) return false
  throw new ConfigError(variable, 'must be true or false')
}

function parsePort(variable: string, path: string, value: string): number {
  const port = Number(value)
  if (!/^\d+$/.test(value) || port > 65535) {
    throw new ConfigError(path, 'must be an integer from 0 to 65535', variable)
  }
  return port
}

function splitList(value: string, separator: RegExp): string[] {
  return value.split(separator).filter((v) => v !== '')
}
