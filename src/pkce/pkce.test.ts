import { describe, test } from 'node:test'
import assert from 'node:assert/strict'
import { createHash } from 'node:crypto'
import { isBmOAuthError } from '../errors.ts'
import { calculateS256Challenge, generateCodeVerifier, isValidCodeVerifier, validateCodeVerifier } from './pkce.ts'

describe('PKCE (RFC 7636)', () => {
  test('P2 S256 matches the RFC 7636 Appendix B vector', () => {
    // https://www.rfc-editor.org/rfc/rfc7636#appendix-B
    assert.equal(
      calculateS256Challenge('dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk'),
      'E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM',
    )
  })

  test('P2 S256 equals an independent SHA-256/base64url computation, unpadded', () => {
    const verifier = generateCodeVerifier()
    const expected = createHash('sha256')
      .update(verifier)
      .digest('base64')
      .replace(/\+/g, '-')
      .replace(/\//g, '_')
      .replace(/=+$/, '')
    assert.equal(calculateS256Challenge(verifier), expected)
    assert.doesNotMatch(calculateS256Challenge(verifier), /=/)
  })

  test('P1 10,000 generated verifiers are 43 unreserved characters and all distinct', () => {
    const seen = new Set<string>()
    for (let i = 0; i < 10_000; i++) {
      const v = generateCodeVerifier()
      assert.match(v, /^[A-Za-z0-9\-._~]{43}$/)
      seen.add(v)
    }
    assert.equal(seen.size, 10_000)
  })

  test('P1 generateCodeVerifier uses the injected random source (32 octets)', () => {
    const v = generateCodeVerifier((n) => new Uint8Array(n).fill(0xff))
    assert.equal(v, Buffer.alloc(32, 0xff).toString('base64url'))
    assert.throws(
      () => generateCodeVerifier(() => new Uint8Array(16)),
      (err) => isBmOAuthError(err, 'ERR_INVALID_ARGUMENT'),
    )
  })

  test('P1 validateCodeVerifier enforces 43-128 unreserved characters', () => {
    assert.ok(isValidCodeVerifier('a'.repeat(43)))
    assert.ok(isValidCodeVerifier(`${'A-._~'.repeat(25)}xyz`))
    for (const bad of [
      'a'.repeat(42),
      'a'.repeat(129),
      `${'a'.repeat(42)}+`,
      `${'a'.repeat(42)}=`,
      '',
      42,
      undefined,
    ]) {
      assert.equal(isValidCodeVerifier(bad), false)
    }
    const secret = `${'x'.repeat(42)}!`
    assert.throws(
      () => validateCodeVerifier(secret),
      (err: unknown) => isBmOAuthError(err, 'ERR_INVALID_ARGUMENT') && !err.message.includes(secret),
    )
    assert.throws(
      () => calculateS256Challenge('short'),
      (err) => isBmOAuthError(err, 'ERR_INVALID_ARGUMENT'),
    )
  })
})
