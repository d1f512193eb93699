/**
 * @module tokens/seal
 * The at-rest envelope for every secret bm-oauth stores (token sets, PKCE verifiers, parked user
 * questions, webhook bodies): AES-256-GCM with a fresh random 96-bit IV per write (S1).
 *
 * Layout: `version (1 byte) | keyId length (1 byte) | keyId (ASCII) | IV (12 bytes) | ciphertext | tag (16)`.
 * The associated data is the header (version + key id) plus a canonical encoding of the caller's
 * {@link SealContext} (e.g. agent, conversation, provider, purpose). A value copied into another row,
 * or relabelled with another key id, fails authentication and surfaces as `ERR_TOKEN_VAULT_DECRYPT`;
 * the error never carries plaintext, ciphertext or key material.
 */
import { randomBytes } from 'node:crypto'
import { SchemaVersionError } from '../db/store-error.ts'
import { BmOAuthError } from '../errors.ts'
import type { Keyring } from './keyring.ts'

/** Envelope format version; bump when the layout or the AAD encoding changes. */
export const SEAL_VERSION = 1
const IV_BYTES = 12
const TAG_BYTES = 16

/**
 * What a sealed value belongs to. Every field is bound into the AEAD associated data, so `open` must
 * be given exactly the context `seal` was given. Include `purpose` so values of different kinds can
 * never stand in for each other.
 */
export type SealContext = Readonly<Record<string, string>>

/** A sealed value could not be opened: unknown key id, malformed envelope, or tampering / wrong row. */
export class VaultDecryptError extends BmOAuthError<'ERR_TOKEN_VAULT_DECRYPT'> {
  /** Which check failed. */
  readonly reason: 'malformed' | 'unknown-key' | 'authentication-failed'
  /** Key id read from the envelope, when it could be read. */
  readonly keyId: string | undefined
  constructor(reason: VaultDecryptError['reason'], keyId?: string) {
    const what = {
      malformed: 'sealed value is malformed',
      'unknown-key': `sealed value uses key id "${keyId}", which is not configured`,
      'authentication-failed': 'sealed value failed authentication (tampered, or copied from another record)',
    }[reason]
    super('ERR_TOKEN_VAULT_DECRYPT', `cannot open sealed value: ${what}`)
    this.name = 'VaultDecryptError'
    this.reason = reason
    this.keyId = keyId
  }
}

/** Seals and opens values with a {@link Keyring}. Build one with {@link createVault}. */
export interface Vault {
  /** Id of the key new values are sealed under. */
  readonly activeKeyId: string
  /** Encrypts `plaintext` (UTF-8 for strings) under the active key, bound to `context`. */
  seal(plaintext: string | Uint8Array, context: SealContext): Uint8Array
  /** Decrypts a value sealed with the same `context`. @throws {VaultDecryptError} */
  open(sealed: Uint8Array, context: SealContext): Uint8Array
  /** {@link open} decoded as UTF-8. */
  openText(sealed: Uint8Array, context: SealContext): string
  /** The key id recorded in a sealed value's header. @throws {VaultDecryptError} when malformed. */
  keyIdOf(sealed: Uint8Array): string
}

/** A {@link Vault} over `keyring`: seals with its active key, opens with any of its keys. */
export function createVault(keyring: Keyring): Vault {
  return {
    activeKeyId: keyring.activeKeyId,
    seal: (plaintext, context) => sealWith(keyring, plaintext, context),
    open: (sealed, context) => openWith(keyring, sealed, context),
    openText: (sealed, context) => Buffer.from(openWith(keyring, sealed, context)).toString('utf8'),
    keyIdOf: (sealed) => readHeader(sealed).keyId,
  }
}

function sealWith(keyring: Keyring, plaintext: string | Uint8Array, context: SealContext): Uint8Array {
  const iv = randomBytes(IV_BYTES)
  const { keyId, cipher } = keyring.createCipher(iv)
  const header = encodeHeader(keyId)
  cipher.setAAD(associatedData(header, context))
  const data = typeof plaintext === 'string' ? Buffer.from(plaintext, 'utf8') : plaintext
  const body = Buffer.concat([cipher.update(data), cipher.final()])
  return Buffer.concat([header, iv, body, cipher.getAuthTag()])
}

function openWith(keyring: Keyring, sealed: Uint8Array, context: SealContext): Uint8Array {
  const { keyId, headerLength } = readHeader(sealed)
  const bytes = Buffer.from(sealed.buffer, sealed.byteOffset, sealed.byteLength)
  const iv = bytes.subarray(headerLength, headerLength + IV_BYTES)
  const decipher = keyring.createDecipher(keyId, iv)
  if (decipher === undefined) throw new VaultDecryptError('unknown-key', keyId)
  decipher.setAAD(associatedData(bytes.subarray(0, headerLength), context))
  decipher.setAuthTag(bytes.subarray(bytes.length - TAG_BYTES))
  try {
    const body = bytes.subarray(headerLength + IV_BYTES, bytes.length - TAG_BYTES)
    return Buffer.concat([decipher.update(body), decipher.final()])
  } catch {
    // Node's own message ("Unsupported state or unable to authenticate data") adds nothing; drop it as cause.
    throw new VaultDecryptError('authentication-failed', keyId)
  }
}

function encodeHeader(keyId: string): Buffer {
  const id = Buffer.from(keyId, 'ascii')
  return Buffer.concat([Buffer.of(SEAL_VERSION, id.length), id])
}

function readHeader(sealed: Uint8Array): { keyId: string; headerLength: number } {
  if (!(sealed instanceof Uint8Array) || sealed.length < 2) throw new VaultDecryptError('malformed')
  // A newer envelope is not damage: refuse to serve it rather than discard the row (S13).
  if ((sealed[0] as number) > SEAL_VERSION)
    throw new SchemaVersionError('sealed-envelope', sealed[0] as number, SEAL_VERSION)
  const idLength = sealed[1] as number
  const headerLength = 2 + idLength
  if (sealed[0] !== SEAL_VERSION || idLength === 0 || sealed.length < headerLength + IV_BYTES + TAG_BYTES) {
    throw new VaultDecryptError('malformed')
  }
  const keyId = Buffer.from(sealed.buffer, sealed.byteOffset + 2, idLength).toString('latin1')
  // Key ids are printable by construction (keyring rules); anything else is garbage, not an id to echo.
  if (!/^[A-Za-z0-9._-]+$/.test(keyId)) throw new VaultDecryptError('malformed')
  return { keyId, headerLength }
}

/** Header bytes, then the context as JSON of its entries sorted by name: unambiguous, order-independent. */
function associatedData(header: Uint8Array, context: SealContext): Buffer {
  const entries = Object.keys(context)
    .sort()
    .map((name) => [name, context[name]])
  return Buffer.concat([header, Buffer.from(JSON.stringify(entries), 'utf8')])
}
