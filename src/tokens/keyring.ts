/**
 * @module tokens/keyring
 * The vault keys that encrypt tokens, PKCE verifiers and stored webhook bodies at rest.
 *
 * Configuration is one string, `id:base64url(32 bytes)` entries separated by commas, e.g. the value of
 * `BM_OAUTH_VAULT_KEYS=k2:…,k1:…`. The first entry is the active key (every new write uses it); the
 * others only decrypt rows written before a rotation, until `rekey` has moved every row (S3).
 * Bad configuration fails closed (S4) with an error that names the entry and the rule, never the
 * key material. Key bytes live only inside `KeyObject`s held in a private field, so neither
 * `JSON.stringify` nor `util.inspect` of a {@link Keyring} can print them (habit 6).
 */
import { createCipheriv, createDecipheriv, createSecretKey, randomBytes } from 'node:crypto'
import type { CipherGCM, DecipherGCM, KeyObject } from 'node:crypto'
import { inspect } from 'node:util'
import { BmOAuthError } from '../errors.ts'
import type { Clock } from '../core/clock.ts'
import { systemClock } from '../core/clock.ts'

/** Name of the environment variable the server and CLI read the key configuration from. */
export const VAULT_KEYS_ENV = 'BM_OAUTH_VAULT_KEYS'

/** AES-256 wants exactly 32 key bytes. */
export const VAULT_KEY_BYTES = 32

/** Key ids are stored in every sealed value, so they stay short and printable. */
const KEY_ID_PATTERN = /^[A-Za-z0-9._-]{1,64}$/
const KEY_ID_RULE = 'must be 1-64 characters from [A-Za-z0-9._-]'
/** Unpadded base64url of 32 bytes is 43 characters; one trailing `=` is tolerated. */
const KEY_MATERIAL_PATTERN = /^[A-Za-z0-9_-]+={0,2}$/

/** The vault configuration was missing or malformed (S4). The message never contains key material. */
export class VaultKeyError extends BmOAuthError<'ERR_TOKEN_VAULT_KEY'> {
  /** 1-based position of the offending entry in the configuration, when one entry is to blame. */
  readonly entry: number | undefined
  /** The offending key id, when it could be read (ids are not secret). */
  readonly keyId: string | undefined
  constructor(message: string, details: { entry?: number; keyId?: string } = {}) {
    super('ERR_TOKEN_VAULT_KEY', message)
    this.name = 'VaultKeyError'
    this.entry = details.entry
    this.keyId = details.keyId
  }
}

/**
 * The parsed vault keys. Use {@link parseVaultKeys} to build one; pass it to `createVault`.
 * Exposes key ids only; the cipher factories are for the sealing code in `tokens/seal.ts`.
 */
export class Keyring {
  readonly #keys: ReadonlyMap<string, KeyObject>
  /** Id of the key that encrypts every new write. */
  readonly activeKeyId: string
  /** All key ids, active first. */
  readonly keyIds: readonly string[]

  /** @internal Use {@link parseVaultKeys}. */
  constructor(keys: ReadonlyMap<string, KeyObject>) {
    const ids = [...keys.keys()]
    if (ids[0] === undefined) throw new VaultKeyError('vault key configuration holds no key')
    this.#keys = keys
    this.activeKeyId = ids[0]
    this.keyIds = Object.freeze(ids)
  }

  /** Whether a key with this id is configured (rows sealed under an unknown id cannot be opened). */
  has(keyId: string): boolean {
    return this.#keys.has(keyId)
  }

  /** An AES-256-GCM cipher under the active key. */
  createCipher(iv: Uint8Array): { keyId: string; cipher: CipherGCM } {
    const key = this.#keys.get(this.activeKeyId) as KeyObject
    return { keyId: this.activeKeyId, cipher: createCipheriv('aes-256-gcm', key, iv, { authTagLength: 16 }) }
  }

  /** An AES-256-GCM decipher under `keyId`, or `undefined` when that key is not configured. */
  createDecipher(keyId: string, iv: Uint8Array): DecipherGCM | undefined {
    const key = this.#keys.get(keyId)
    return key === undefined ? undefined : createDecipheriv('aes-256-gcm', key, iv, { authTagLength: 16 })
  }

  toJSON(): { activeKeyId: string; keyIds: readonly string[] } {
    return { activeKeyId: this.activeKeyId, keyIds: this.keyIds }
  }

  [inspect.custom](): string {
    const ids = this.keyIds.map((k) => `'${k}'`).join(', ')
    return `Keyring { activeKeyId: '${this.activeKeyId}', keyIds: [${ids}] }`
  }
}

/**
 * Parses the vault key configuration (`id:base64url32,id:base64url32,…`, active key first).
 * Refuses (fail closed, S4) a missing or empty value, entries without `id:`, bad ids, duplicate ids,
 * material that is not base64url, keys that are not exactly 32 bytes, and the same key under two ids.
 * @throws {VaultKeyError} `ERR_TOKEN_VAULT_KEY`; the message names the entry, never its material.
 */
export function parseVaultKeys(config: string | undefined): Keyring {
  if (config === undefined || config.trim() === '') {
    throw new VaultKeyError(
      `no vault key configured: set ${VAULT_KEYS_ENV} to "id:<base64url of 32 random bytes>" ` +
        `(generate one with "bm-oauth keys generate"); bm-oauth never stores tokens unencrypted`,
    )
  }
  const keys = new Map<string, KeyObject>()
  const seenMaterial = new Map<string, string>()
  config.split(',').forEach((rawEntry, index) => {
    const entry = index + 1
    const { keyId, material } = parseEntry(rawEntry.trim(), entry)
    if (keys.has(keyId)) {
      throw new VaultKeyError(`vault key entry ${entry}: duplicate key id "${keyId}"`, { entry, keyId })
    }
    const fingerprint = material.toString('hex')
    const twin = seenMaterial.get(fingerprint)
    if (twin !== undefined) {
      const message = `vault key entry ${entry} ("${keyId}") repeats the key material of "${twin}"`
      throw new VaultKeyError(message, { entry, keyId })
    }
    seenMaterial.set(fingerprint, keyId)
    keys.set(keyId, createSecretKey(material))
    material.fill(0)
  })
  return new Keyring(keys)
}

function parseEntry(text: string, entry: number): { keyId: string; material: Buffer } {
  const colon = text.indexOf(':')
  if (text === '') throw new VaultKeyError(`vault key entry ${entry} is empty`, { entry })
  if (colon < 0) {
    throw new VaultKeyError(`vault key entry ${entry} is not of the form "id:base64url"`, { entry })
  }
  const keyId = text.slice(0, colon)
  const encoded = text.slice(colon + 1)
  if (!KEY_ID_PATTERN.test(keyId)) {
    throw new VaultKeyError(`vault key entry ${entry}: key id ${KEY_ID_RULE}`, { entry })
  }
  if (!KEY_MATERIAL_PATTERN.test(encoded)) {
    const message = `vault key entry ${entry} ("${keyId}"): key material is not base64url`
    throw new VaultKeyError(message, { entry, keyId })
  }
  const material = Buffer.from(encoded, 'base64url')
  if (material.length !== VAULT_KEY_BYTES || material.toString('base64url') !== encoded.replace(/=+$/, '')) {
    throw new VaultKeyError(
      `vault key entry ${entry} ("${keyId}"): key must be exactly ${VAULT_KEY_BYTES} bytes ` +
        `(43 base64url characters), got ${material.length} bytes`,
      { entry, keyId },
    )
  }
  if (material.every((byte) => byte === 0)) {
    throw new VaultKeyError(`vault key entry ${entry} ("${keyId}"): key is all zero bytes`, { entry, keyId })
  }
  return { keyId, material }
}

/** Reads {@link VAULT_KEYS_ENV} from the given environment (only `server/` and `cli/` pass the real one). */
export function keyringFromEnv(env: Readonly<Record<string, string | undefined>>): Keyring {
  return parseVaultKeys(env[VAULT_KEYS_ENV])
}

export interface GenerateVaultKeyOptions {
  /** Clock that dates the key id (default: system clock). */
  clock?: Clock
  /** Key id to use instead of the dated default. */
  keyId?: string
}

/**
 * A fresh configuration entry `k-YYYYMMDD-xxxx:<base64url of 32 CSPRNG bytes>` for the CLI. To rotate,
 * put it in front of the current value; run `rekey`; then drop the old entry.
 */
export function generateVaultKey(options: GenerateVaultKeyOptions = {}): string {
  const date = new Date((options.clock ?? systemClock).now()).toISOString().slice(0, 10).replaceAll('-', '')
  const keyId = options.keyId ?? `k-${date}-${randomBytes(2).toString('hex')}`
  if (!KEY_ID_PATTERN.test(keyId)) throw new VaultKeyError(`key id ${KEY_ID_RULE}`)
  return `${keyId}:${randomBytes(VAULT_KEY_BYTES).toString('base64url')}`
}
