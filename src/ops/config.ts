/**
 * @module ops/config
 * The one typed configuration of a bm-oauth agent ({@link BmOAuthConfig}), loaded from an optional
 * JSON file (`--config FILE` / `BM_OAUTH_CONFIG`) and the environment, which overrides the file;
 * command-line flags override both. Secrets that must never sit in a file (vault keys, webhook
 * signing keys and client token) come from the environment only. Every failure is a
 * {@link ConfigError} (`ERR_CONFIG`) naming the field and where its value came from, never the value.
 * The schema is documented in docs/configuration.md.
 */
import { readFile } from 'node:fs/promises'
import { dirname, isAbsolute, resolve } from 'node:path'
import { inspect } from 'node:util'
import type { ProviderConfig, TokenEndpointAuthMethod } from '../oauth/config.ts'
import { environmentLayer, environmentSecrets, envValue, setPath, type ConfigLayer, type Env } from './config-env.ts'
import { redactConfig } from './config-redact.ts'
import { ConfigError } from '../errors.ts'
import { configSchema, selectProviderSchema, toConfigError, type ParsedConfig, type SourceOf } from './config-schema.ts'

export { redactConfig }
export {
  allowedRedirectURIs,
  providerIdOf,
  requireAgent,
  requireClient,
  requireProvider,
  webhookURLOf,
} from './config-access.ts'

/** The Google side: service-account key and API origins (e.g. the emulator's). */
export interface GoogleSettings {
  readonly keyFile?: string
  readonly baseUrl?: string
  readonly businessCommunicationsUrl?: string
  readonly businessMessagesUrl?: string
}

/** The agent's client registration at the OAuth provider. */
export interface ClientSettings {
  readonly clientId: string
  /** Prefer `BM_OAUTH_CLIENT_SECRET` to the file. */
  readonly clientSecret?: string
  readonly tokenEndpointAuthMethod: TokenEndpointAuthMethod
  /** Private JWK file for `private_key_jwt`. */
  readonly privateKeyFile?: string
}

/** Where tokens, pending sign-ins and the webhook inbox live. */
export type StoreSettings = { readonly sqlite: string } | { readonly postgres: string }

export interface WebhookSettings {
  readonly host: string
  readonly port: number
  readonly path: string
  /** Public URL Google posts to (default: `http://host:port/path`); used by `doctor`. */
  readonly url?: string
  /** From `BM_OAUTH_WEBHOOK_KEYS`: current key first, then optionally the previous one. */
  readonly signingKeys: readonly string[]
  /** From `BM_OAUTH_WEBHOOK_CLIENT_TOKEN`: answers the verification handshake. */
  readonly clientToken?: string
}

/**
 * Local development (the emulator, a provider on this machine): one explicit mode, off by default
 * (security case X13). Outside it every Google, provider and webhook URL must be `https:` and the
 * other local settings are refused; inside it `http:` is allowed on 127.0.0.1, localhost and ::1.
 */
export interface LocalSettings {
  /** Local mode: `local.enabled` in the file, `BM_OAUTH_LOCAL=1` in the environment. */
  readonly enabled: boolean
  /**
   * Redirect URIs accepted besides the four Google ones: only these, only when listed
   * (docs/contract-decisions.md §10 Q3). Local mode only.
   */
  readonly standInRedirectUris: readonly string[]
  /** Accept unsigned webhook deliveries (Google's test payloads). Local mode only; loud warning at start. */
  readonly unsafeDisableSignatureVerification: boolean
}

/** The validated configuration. `JSON.stringify` / `util.inspect` of it show secrets as `[REDACTED]`. */
export interface BmOAuthConfig {
  /** The config file read, if any. */
  readonly configFile: string | undefined
  /** `brands/{b}/agents/{a}`. */
  readonly agent: string | undefined
  readonly google: GoogleSettings
  readonly provider: ProviderConfig | undefined
  readonly client: ClientSettings | undefined
  readonly scopes: readonly string[]
  readonly store: StoreSettings
  /** Raw `BM_OAUTH_VAULT_KEYS` (parse with `keyringFromConfig`); never read from the file. */
  readonly vaultKeys: string | undefined
  readonly webhook: WebhookSettings
  /** Where `serve` answers `/metrics` and the probes for operators (loopback by default). */
  readonly admin: { readonly host: string; readonly port: number }
  /** How long `serve` lets requests in flight finish after SIGTERM. */
  readonly shutdownGraceMs: number
  readonly local: LocalSettings
}

/** Values given on the command line; they override the environment and the file. */
export interface ConfigOverrides {
  agent?: string | undefined
  google?: {
    keyFile?: string | undefined
    baseUrl?: string | undefined
    businessCommunicationsUrl?: string | undefined
    businessMessagesUrl?: string | undefined
  }
}

export interface LoadConfigOptions {
  /** Config file; default `env.BM_OAUTH_CONFIG`; none at all is fine (environment and defaults only). */
  file?: string | undefined
  env: Env
  overrides?: ConfigOverrides
}

/** Settings that hold secrets and must come from the environment, by the file key that would hold them. */
const ENV_ONLY_SECRETS: ReadonlyArray<[path: string, variable: string]> = [
  ['vaultKeys', 'BM_OAUTH_VAULT_KEYS'],
  ['vault', 'BM_OAUTH_VAULT_KEYS'],
  ['webhook.signingKeys', 'BM_OAUTH_WEBHOOK_KEYS'],
  ['webhook.keys', 'BM_OAUTH_WEBHOOK_KEYS'],
  ['webhook.clientToken', 'BM_OAUTH_WEBHOOK_CLIENT_TOKEN'],
]

/**
 * Loads and validates the configuration: file (if any) < environment < `overrides`.
 * @throws {ConfigError} `ERR_CONFIG` naming the field, e.g. `configuration webhook.port (from BM_OAUTH_WEBHOOK_PORT): …`.
 * @example
 * ```ts
 * const config = await loadConfig({ file: 'bm-oauth.json', env: process.env })
 * ```
 */
export async function loadConfig(options: LoadConfigOptions): Promise<BmOAuthConfig> {
  const file = options.file?.trim() || envValue(options.env, 'BM_OAUTH_CONFIG')
  const fileLayer = file === undefined ? { value: {}, sources: new Map<string, string>() } : await readConfigFile(file)
  const layers = [fileLayer, environmentLayer(options.env), flagLayer(options.overrides ?? {})]
  const merged: Record<string, unknown> = {}
  const sources = new Map<string, string>()
  for (const layer of layers) {
    mergeInto(merged, layer.value)
    for (const [path, source] of layer.sources) sources.set(path, source)
  }
  const sourceOf: SourceOf = (path) => sourceFor(sources, path) ?? file
  const parsed = configSchema.safeParse(merged)
  if (!parsed.success) throw toConfigError(parsed.error, sourceOf)
  const provider = parseProvider(parsed.data.provider, sourceOf)
  const secrets = environmentSecrets(options.env)
  const keyFile = parsed.data.google.keyFile ?? envValue(options.env, 'GOOGLE_APPLICATION_CREDENTIALS')
  const config: BmOAuthConfig = {
    configFile: file,
    agent: parsed.data.agent,
    google: compact({ ...parsed.data.google, keyFile }) as GoogleSettings,
    provider,
    client: parsed.data.client === undefined ? undefined : (compact(parsed.data.client) as ClientSettings),
    scopes: parsed.data.scopes,
    store: parsed.data.store,
    vaultKeys: secrets.vaultKeys,
    webhook: compact({
      ...parsed.data.webhook,
      signingKeys: secrets.webhookSigningKeys,
      clientToken: secrets.webhookClientToken,
    }) as WebhookSettings,
    admin: parsed.data.admin,
    shutdownGraceMs: parsed.data.shutdownGraceMs,
    local: localSettingsOf(parsed.data.local, sourceOf),
  }
  checkTransport(config, sourceOf)
  const keyFileSource =
    parsed.data.google.keyFile === undefined ? 'GOOGLE_APPLICATION_CREDENTIALS' : sourceOf('google.keyFile')
  await checkKeyFileTokenURI(config, keyFileSource)
  return withRedactedViews(config)
}

async function readConfigFile(file: string): Promise<ConfigLayer> {
  let text: string
  try {
    text = await readFile(file, 'utf8')
  } catch (err) {
    const code = (err as { code?: string }).code
    throw new ConfigError('config file', code === 'ENOENT' ? 'not found' : `cannot be read (${code ?? 'error'})`, file)
  }
  let value: unknown
  try {
    value = JSON.parse(text)
  } catch (err) {
    // V8's message quotes a slice of the text, which may be a secret: keep only the position.
    const where = /position \d+(?: \(line \d+ column \d+\))?/.exec(err instanceof Error ? err.message : '')?.[0]
    throw new ConfigError('config file', `is not valid JSON${where === undefined ? '' : ` (at ${where})`}`, file)
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw new ConfigError('config file', 'must hold a JSON object', file)
  }
  const object = value as Record<string, unknown>
  for (const [path, variable] of ENV_ONLY_SECRETS) {
    if (valueAt(object, path) !== undefined) {
      throw new ConfigError(path, `must not be in the config file: set ${variable} in the environment`, file)
    }
  }
  resolveRelativePaths(object, dirname(resolve(file)))
  return { value: object, sources: new Map() }
}

/** Paths in the file are relative to the file's folder (environment paths to the working directory). */
function resolveRelativePaths(object: Record<string, unknown>, base: string): void {
  for (const path of ['google.keyFile', 'client.privateKeyFile', 'store.sqlite']) {
    const value = valueAt(object, path)
    if (typeof value === 'string' && value !== ':memory:' && value.trim() !== '' && !isAbsolute(value)) {
      setPath(object, path, resolve(base, value))
    }
  }
}

function flagLayer(overrides: ConfigOverrides): ConfigLayer {
  const layer: ConfigLayer = { value: {}, sources: new Map() }
  const flags: Array<[string, string | undefined, string]> = [
    ['agent', overrides.agent, '--agent'],
    ['google.keyFile', overrides.google?.keyFile, '--key'],
    ['google.baseUrl', overrides.google?.baseUrl, '--base-url'],
    ['google.businessCommunicationsUrl', overrides.google?.businessCommunicationsUrl, '--bc-url'],
    ['google.businessMessagesUrl', overrides.google?.businessMessagesUrl, '--bm-url'],
  ]
  for (const [path, value, flag] of flags) {
    if (value === undefined) continue
    setPath(layer.value, path, value)
    layer.sources.set(path, flag)
  }
  return layer
}

/** Deep merge of plain objects; arrays and scalars replace. `provider` and `store` replace whole. */
function mergeInto(target: Record<string, unknown>, source: Record<string, unknown>): void {
  for (const [key, value] of Object.entries(source)) {
    const current = target[key]
    const bothObjects = isPlainObject(value) && isPlainObject(current)
    if (bothObjects && key !== 'provider' && key !== 'store') mergeInto(current, value)
    else target[key] = isPlainObject(value) ? structuredClone(value) : value
  }
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value)
}

function valueAt(object: Record<string, unknown>, path: string): unknown {
  let node: unknown = object
  for (const part of path.split('.')) {
    if (!isPlainObject(node)) return undefined
    node = node[part]
  }
  return node
}

function sourceFor(sources: ReadonlyMap<string, string>, path: string): string | undefined {
  for (let p = path; p !== ''; p = p.includes('.') ? p.slice(0, p.lastIndexOf('.')) : '') {
    const source = sources.get(p)
    if (source !== undefined) return source
  }
  return undefined
}

function parseProvider(value: unknown, sourceOf: SourceOf): ProviderConfig | undefined {
  if (value === undefined) return undefined
  const result = selectProviderSchema(value).safeParse(value)
  if (!result.success) throw toConfigError(result.error, (p) => sourceOf(p), 'provider')
  return compact(result.data) as ProviderConfig
}

/** A copy without `undefined`-valued keys (zod's optional outputs vs exactOptionalPropertyTypes). */
function compact<T extends object>(value: T): T {
  return Object.fromEntries(Object.entries(value).filter(([, v]) => v !== undefined)) as T
}

const LOOPBACK_HOSTS: ReadonlySet<string> = new Set(['127.0.0.1', 'localhost', '[::1]'])

/** The rule a non-https URL breaks, in local mode or outside it (X13). */
function transportRule(local: boolean): string {
  return local
    ? 'must use https: (http: only on 127.0.0.1, localhost or ::1)'
    : 'must use https: (http: on 127.0.0.1, localhost or ::1 only in local mode: local.enabled or BM_OAUTH_LOCAL=1)'
}

/** Whether `url` may be used: https:, or http: on a loopback host in local mode. */
function allowedTransport(url: URL, local: boolean): boolean {
  return url.protocol === 'https:' || (local && url.protocol === 'http:' && LOOPBACK_HOSTS.has(url.hostname))
}

function localSettingsOf(local: ParsedConfig['local'], sourceOf: SourceOf): LocalSettings {
  // One explicit local mode replaced the per-feature switch: refusing the old key (rather than
  // honouring it) makes the change impossible to miss and never widens a production config (X13).
  if (local.allowInsecureLoopback !== undefined) {
    throw new ConfigError(
      'local.allowInsecureLoopback',
      'was replaced by local.enabled (BM_OAUTH_LOCAL=1 in the environment)',
      sourceOf('local.allowInsecureLoopback'),
    )
  }
  const settings: LocalSettings = {
    enabled: local.enabled,
    standInRedirectUris: local.standInRedirectUris,
    unsafeDisableSignatureVerification: local.unsafeDisableSignatureVerification,
  }
  if (settings.enabled) return settings
  const localOnly: ReadonlyArray<[field: string, set: boolean]> = [
    ['local.standInRedirectUris', settings.standInRedirectUris.length > 0],
    ['local.unsafeDisableSignatureVerification', settings.unsafeDisableSignatureVerification],
  ]
  for (const [field, set] of localOnly) {
    if (set) throw new ConfigError(field, 'needs local mode (local.enabled or BM_OAUTH_LOCAL=1)', sourceOf(field))
  }
  return settings
}

/**
 * Every configured URL the agent talks to or is reached at must be https:, or http: on loopback
 * in local mode (X7, X13): the Google API origins, the provider's endpoints, the public webhook
 * URL and the stand-in redirect URIs. Endpoints found by discovery are checked when the provider
 * is resolved (`src/oauth/provider.ts`).
 */
function checkTransport(config: BmOAuthConfig, sourceOf: SourceOf): void {
  const provider = (config.provider ?? {}) as Record<string, unknown>
  const google = config.google as unknown as Record<string, unknown>
  const urls: Array<[field: string, value: unknown]> = [
    ...['baseUrl', 'businessCommunicationsUrl', 'businessMessagesUrl'].map((k): [string, unknown] => [
      `google.${k}`,
      google[k],
    ]),
    ...['issuer', 'authorizationEndpoint', 'tokenEndpoint', 'revocationEndpoint', 'userinfoEndpoint', 'jwksUri'].map(
      (k): [string, unknown] => [`provider.${k}`, provider[k]],
    ),
    ['webhook.url', config.webhook.url],
    ...config.local.standInRedirectUris.map((uri, i): [string, unknown] => [`local.standInRedirectUris.${i}`, uri]),
  ]
  for (const [field, value] of urls) {
    if (typeof value !== 'string' || allowedTransport(new URL(value), config.local.enabled)) continue
    throw new ConfigError(field, transportRule(config.local.enabled), sourceOf(field))
  }
}

/**
 * The service-account key's `token_uri` is where the agent sends its signed assertion: outside
 * local mode it must be https: (the emulator's key files point at http://127.0.0.1, X13). A file
 * that cannot be read or parsed is left to the key reader, which reports it precisely.
 */
async function checkKeyFileTokenURI(config: BmOAuthConfig, source: string | undefined): Promise<void> {
  const keyFile = config.google.keyFile
  if (keyFile === undefined) return
  let tokenURI: unknown
  try {
    tokenURI = (JSON.parse(await readFile(keyFile, 'utf8')) as { token_uri?: unknown }).token_uri
  } catch {
    return
  }
  if (typeof tokenURI !== 'string') return
  const url = URL.parse(tokenURI)
  if (url !== null && allowedTransport(url, config.local.enabled)) return
  throw new ConfigError('google.keyFile', `token_uri ${transportRule(config.local.enabled)}`, source)
}

function withRedactedViews(config: BmOAuthConfig): BmOAuthConfig {
  Object.defineProperty(config, 'toJSON', { value: () => redactConfig(config), enumerable: false })
  Object.defineProperty(config, inspect.custom, {
    value: (_depth: number, options: object) => `BmOAuthConfig ${inspect(redactConfig(config), options)}`,
    enumerable: false,
  })
  return Object.freeze(config)
}
