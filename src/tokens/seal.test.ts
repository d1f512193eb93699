import { test, describe } from 'node:test'
import assert from 'node:assert/strict'
import { inspect } from 'node:util'
import { isBmOAuthError } from '../errors.ts'
import { generateVaultKey, parseVaultKeys } from './keyring.ts'
import { createVault, SEAL_VERSION } from './seal.ts'

const k1 = generateVaultKey({ keyId: 'k1' })
const k2 = generateVaultKey({ keyId: 'k2' })
const rowA = { purpose: 'token-set', agent: 'agents/a', conversation: 'c-1', provider: 'bank' }
const rowB = { ...rowA, conversation: 'c-2' }
const secret = 'access-token-plaintext-1234567890'

function assertDecryptError(fn: () => unknown, reason: string): void {
  assert.throws(fn, (err: unknown) => {
    assert.ok(isBmOAuthError(err, 'ERR_TOKEN_VAULT_DECRYPT'), String(err))
    assert.equal((err as unknown as { reason: string }).reason, reason)
    assert.ok(!`${err.message}${inspect(err)}`.includes(secret))
    return true
  })
}

describe('vault seal/open', () => {
  test('S1 round-trips strings and bytes; envelope carries version and key id; IV is fresh', () => {
    const vault = createVault(parseVaultKeys(k1))
    const sealed = vault.seal(secret, rowA)
    assert.equal(vault.openText(sealed, rowA), secret)
    assert.equal(sealed[0], SEAL_VERSION)
    assert.equal(vault.keyIdOf(sealed), 'k1')
    assert.ok(!Buffer.from(sealed).includes(Buffer.from(secret)))
    assert.notDeepEqual(vault.seal(secret, rowA), sealed)
    assert.deepEqual(vault.open(vault.seal(Uint8Array.of(0, 1, 2), rowA), rowA), Buffer.of(0, 1, 2))
    assert.equal(vault.openText(vault.seal('', rowA), rowA), '')
  })

  test('S1 AAD binding: a value opened under another row context fails', () => {
    const vault = createVault(parseVaultKeys(k1))
    const sealed = vault.seal(secret, rowA)
    assertDecryptError(() => vault.open(sealed, rowB), 'authentication-failed')
    const otherPurpose = { ...rowA, purpose: 'pending-signin' }
    assertDecryptError(() => vault.open(sealed, otherPurpose), 'authentication-failed')
    assertDecryptError(() => vault.open(sealed, { ...rowA, extra: '' }), 'authentication-failed')
    // Context field order does not matter.
    const { provider, conversation, agent, purpose } = rowA
    const reordered = { provider, conversation, agent, purpose }
    assert.equal(vault.openText(sealed, reordered), secret)
  })

  test('S1 tampering with ciphertext, tag, IV or the key id label fails', () => {
    const vault = createVault(parseVaultKeys(`${k1},${k2}`))
    const sealed = vault.seal(secret, rowA)
    for (const index of [2 + 2 + 3, sealed.length - 1, sealed.length - 20]) {
      const copy = Uint8Array.from(sealed)
      copy[index] = (copy[index] as number) ^ 1
      assertDecryptError(() => vault.open(copy, rowA), 'authentication-failed')
    }
    const relabelled = Uint8Array.from(sealed)
    relabelled[3] = '2'.charCodeAt(0) // "k1" → "k2": a key both rings know, still must fail
    assertDecryptError(() => vault.open(relabelled, rowA), 'authentication-failed')
  })

  test('malformed envelopes and unknown key ids fail with a typed error', () => {
    const vault = createVault(parseVaultKeys(k1))
    assertDecryptError(() => vault.open(new Uint8Array(0), rowA), 'malformed')
    assertDecryptError(() => vault.open(Uint8Array.of(0, 2, 1, 2), rowA), 'malformed')
    const other = createVault(parseVaultKeys(k2)).seal(secret, rowA)
    assertDecryptError(() => vault.open(other, rowA), 'unknown-key')
  })

  test('S13 an envelope version newer than this release refuses with ERR_SCHEMA_VERSION, not as damage', () => {
    const vault = createVault(parseVaultKeys(k1))
    const newer = Buffer.from(vault.seal(secret, rowA))
    newer[0] = SEAL_VERSION + 1
    for (const value of [newer, Uint8Array.of(SEAL_VERSION + 8, 2, 1, 2)]) {
      assert.throws(
        () => vault.open(value, rowA),
        (err: unknown) => isBmOAuthError(err, 'ERR_SCHEMA_VERSION') && err.subject === 'sealed-envelope',
      )
    }
  })

  test('S3 a rotated ring seals with the new key and still opens old values', () => {
    const old = createVault(parseVaultKeys(k1)).seal(secret, rowA)
    const rotated = createVault(parseVaultKeys(`${k2},${k1}`))
    assert.equal(rotated.activeKeyId, 'k2')
    assert.equal(rotated.openText(old, rowA), secret)
    assert.equal(rotated.keyIdOf(rotated.seal(secret, rowA)), 'k2')
  })
})
