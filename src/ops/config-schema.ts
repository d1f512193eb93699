/**
 * @module ops/config-schema
 * The zod schemas behind `BmOAuthConfig` and the one function that turns zod issues into a
 * {@link ConfigError} naming the field (and where its value came from) and the rule, never the value.
 * Pure: no file or environment access here (see `config.ts`).
 */
import { z } from 'zod'
import { ConfigError } from '../errors.ts'

const nonEmpty = z.string().trim().min(1)

/** An absolute http(s) URL. HTTPS-only rules are applied later, once `local` is known. */
const httpURL = nonEmpty.refine((v) => {
  const u = URL.parse(v)
  return u !== null && (u.protocol === 'https:' || u.protocol === 'http:')
}, 'must be an absolute http(s) URL')

const agentName = nonEmpty.regex(/^brands\/[^/]+\/agents\/[^/]+$/, 'must look like brands/BRAND_ID/agents/AGENT_ID')

export const TOKEN_ENDPOINT_AUTH_METHODS = [
  'client_secret_basic',
  'client_secret_post',
  'private_key_jwt',
  'none',
] as const

const discoveredProvider = z.strictObject({
  issuer: httpURL,
  discovery: z.enum(['oidc', 'oauth2']).optional(),
})

const explicitProvider = z.strictObject({
  authorizationEndpoint: httpURL,
  tokenEndpoint: httpURL,
  revocationEndpoint: httpURL.optional(),
  userinfoEndpoint: httpURL.optional(),
  jwksUri: httpURL.optional(),
  issuer: httpURL.optional(),
  pkceMethods: z
    .array(nonEmpty)
    .min(1)
    .refine((m) => m.includes('S256'), 'must include "S256" (bm-oauth only sends S256 challenges)'),
})

const client = z.strictObject({
  clientId: nonEmpty,
  clientSecret: nonEmpty.optional(),
  tokenEndpointAuthMethod: z.enum(TOKEN_ENDPOINT_AUTH_METHODS).default('client_secret_basic'),
  privateKeyFile: nonEmpty.optional(),
})

const store = z.union([z.strictObject({ sqlite: nonEmpty }), z.strictObject({ postgres: nonEmpty })])

/** The merged configuration (file, then environment, then flags) before secrets are attached. */
export const configSchema = z.strictObject({
  agent: agentName.optional(),
  google: z
    .strictObject({
      keyFile: nonEmpty.optional(),
      baseUrl: httpURL.optional(),
      businessCommunicationsUrl: httpURL.optional(),
      businessMessagesUrl: httpURL.optional(),
    })
    .default({}),
  // Chosen by shape in `selectProviderSchema`, so errors name the fields of the form in use.
  provider: z.unknown().optional(),
  client: client.optional(),
  scopes: z.array(nonEmpty.regex(/^[\x21\x23-\x5B\x5D-\x7E]+$/, 'must be an RFC 6749 scope token')).default([]),
  store: store.default({ sqlite: '.bm-oauth/agent.sqlite' }),
  webhook: z
    .strictObject({
      host: nonEmpty.default('127.0.0.1'),
      port: z.number().int().min(0).max(65535).default(8080),
      path: nonEmpty.startsWith('/', 'must start with "/"').default('/webhook'),
      url: httpURL.optional(),
    })
    .prefault({}),
  // Metrics and probes for operators: loopback by default, never the webhook's port (docs/operations.md).
  admin: z
    .strictObject({
      host: nonEmpty.default('127.0.0.1'),
      port: z.number().int().min(0).max(65535).default(9464),
    })
    .prefault({}),
  // How long `serve` lets requests in flight finish after SIGTERM before it cuts them.
  shutdownGraceMs: z.number().int().min(0).max(600_000).default(10_000),
  local: z
    .strictObject({
      enabled: z.boolean().default(false),
      // Replaced by `enabled`; still parsed so that loadConfig can name the replacement (X13).
      allowInsecureLoopback: z.boolean().optional(),
      standInRedirectUris: z.array(httpURL).default([]),
      unsafeDisableSignatureVerification: z.boolean().default(false),
    })
    .prefault({}),
})

export type ParsedConfig = z.output<typeof configSchema>

/** The provider schema matching the shape given: explicit endpoints, or discovery from an issuer. */
export function selectProviderSchema(value: unknown): typeof discoveredProvider | typeof explicitProvider {
  const isObject = typeof value === 'object' && value !== null
  const explicit = isObject && ('tokenEndpoint' in value || 'authorizationEndpoint' in value)
  return explicit ? explicitProvider : discoveredProvider
}

export type ParsedProvider = z.output<typeof discoveredProvider> | z.output<typeof explicitProvider>

/** Maps a dotted field path to where its value came from (env variable name or file path). */
export type SourceOf = (path: string) => string | undefined

/** The first issue of a failed parse as a {@link ConfigError}; `prefix` is prepended to the path. */
export function toConfigError(error: z.ZodError, sourceOf: SourceOf, prefix = ''): ConfigError {
  const issue = error.issues[0]
  if (issue === undefined) return new ConfigError(prefix || 'configuration', 'is invalid')
  const path = [prefix, ...issue.path.map(String)].filter((p) => p !== '').join('.')
  if (issue.code === 'unrecognized_keys') {
    const where = path === '' ? '' : `${path}.`
    const keys = issue.keys.map((k) => `${where}${k}`)
    return new ConfigError(
      keys[0] ?? 'configuration',
      `unknown setting${keys.length > 1 ? `s ${keys.join(', ')}` : ''}`,
      sourceOf(path),
    )
  }
  return new ConfigError(path === '' ? 'configuration' : path, describeIssue(issue), sourceOf(path))
}

/** A rule text of our own for the common issue kinds (zod's texts never quote values, but ours are clearer). */
function describeIssue(issue: z.core.$ZodIssue): string {
  switch (issue.code) {
    case 'invalid_type':
      // zod does not keep the input (good: it may be a secret); its message says "received undefined".
      return /received undefined/.test(issue.message) ? 'is required' : `must be ${article(issue.expected)}`
    case 'invalid_value':
      return `must be one of ${issue.values.map((v) => JSON.stringify(v)).join(', ')}`
    case 'too_small':
      if (issue.origin === 'string') return 'must not be empty'
      if (issue.origin === 'array') return `must list at least ${String(issue.minimum)} value(s)`
      return `must be at least ${String(issue.minimum)}`
    case 'too_big':
      return `must be at most ${String(issue.maximum)}`
    case 'invalid_union':
      return 'must be {"sqlite": "<path>"} or {"postgres": "<connection string>"}'
    default:
      return issue.message
  }
}

function article(expected: string): string {
  if (expected === 'array') return 'a list'
  if (expected === 'object') return 'an object'
  if (expected === 'int') return 'an integer'
  return `a ${expected}`
}
