/**
 * @module sandbox/secrets
 * The sandbox's secrets, made on first start and reused afterwards, in `secrets.json` (mode 0600)
 * inside the data directory: the token vault key, the demo provider's cookie keys and signing key
 * (so its sessions and ID tokens survive a restart), the agent's OAuth client secret and the bank
 * API's introspection secret. Values never reach a log line or an error message.
 */
import { randomBytes } from 'node:crypto'
import { chmod, mkdir, readFile, writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import type { JWK } from 'oidc-provider'
import { generateSigningKey } from '../demo/oidc-provider.ts'
import { ConfigError } from '../errors.ts'
import { generateVaultKey } from '../stores/index.ts'

/** Everything secret the sandbox needs, as stored. */
export interface SandboxSecrets {
  readonly version: 1
  /** `BM_OAUTH_VAULT_KEYS` format: `id:base64url`. */
  readonly vaultKeys: string
  readonly providerCookieKeys: readonly string[]
  /** Private signing JWKs of the demo provider. */
  readonly providerJwks: { readonly keys: readonly JWK[] }
  readonly agentClientSecret: string
  readonly bankIntrospectionSecret: string
}

export const SECRETS_FILE = 'secrets.json'

/** Reads the stored secrets, or makes and stores new ones; `created` says which happened. */
export async function loadOrCreateSecrets(dataDir: string): Promise<{ secrets: SandboxSecrets; created: boolean }> {
  const path = join(dataDir, SECRETS_FILE)
  const existing = await readSecrets(path)
  if (existing !== undefined) return { secrets: existing, created: false }
  const secrets = await generateSecrets()
  await mkdir(dataDir, { recursive: true, mode: 0o700 })
  await writeFile(path, `${JSON.stringify(secrets, null, 2)}\n`, { mode: 0o600, flag: 'wx' })
  await chmod(path, 0o600) // the umask may have narrowed more, never widened; make it exact
  return { secrets, created: true }
}

async function readSecrets(path: string): Promise<SandboxSecrets | undefined> {
  let text: string
  try {
    text = await readFile(path, 'utf8')
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return undefined
    throw err
  }
  let parsed: unknown
  try {
    parsed = JSON.parse(text)
  } catch {
    throw corrupt(path)
  }
  if (!isSecrets(parsed)) throw corrupt(path)
  return parsed
}

function corrupt(path: string): ConfigError {
  return new ConfigError('sandbox secrets file', 'is not one: start with --reset to make a new one', path)
}

function isSecrets(value: unknown): value is SandboxSecrets {
  if (typeof value !== 'object' || value === null) return false
  const v = value as Record<string, unknown>
  const strings = ['vaultKeys', 'agentClientSecret', 'bankIntrospectionSecret'].every((k) => typeof v[k] === 'string')
  const jwks = v['providerJwks'] as { keys?: unknown } | undefined
  return (
    v['version'] === 1 &&
    strings &&
    Array.isArray(v['providerCookieKeys']) &&
    Array.isArray(jwks?.keys) &&
    jwks.keys.length > 0
  )
}

async function generateSecrets(): Promise<SandboxSecrets> {
  return {
    version: 1,
    vaultKeys: generateVaultKey({ keyId: 'sandbox-1' }),
    providerCookieKeys: [randomSecret()],
    providerJwks: { keys: [await generateSigningKey()] },
    agentClientSecret: randomSecret(),
    bankIntrospectionSecret: randomSecret(),
  }
}

function randomSecret(): string {
  return randomBytes(32).toString('base64url')
}
