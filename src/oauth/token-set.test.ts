import { describe, test } from 'node:test'
import assert from 'node:assert/strict'
import { inspect } from 'node:util'
import { TokenSet, tokenFingerprint } from './token-set.ts'

describe('TokenSet', () => {
  const init = {
    accessToken: 'at-very-secret-value',
    refreshToken: 'rt-very-secret-value',
    idToken: 'eyJ.id-token.secret',
    tokenType: 'bearer',
    expiresAt: 1_800_000_000_000,
    scope: 'openid',
    idTokenClaims: { iss: 'https://issuer.test', sub: 'user-1', aud: 'client', iat: 1, exp: 2 },
  }

  test('S5 getters return the tokens; no printable form contains them', () => {
    const tokens = new TokenSet(init)
    assert.equal(tokens.accessToken, init.accessToken)
    assert.equal(tokens.refreshToken, init.refreshToken)
    assert.equal(tokens.idToken, init.idToken)
    for (const rendering of [
      String(tokens),
      JSON.stringify(tokens),
      inspect(tokens),
      inspect(tokens, { showHidden: true, depth: 10 }),
      inspect({ nested: { tokens } }),
      JSON.stringify(Object.entries(tokens)),
    ]) {
      for (const secret of [init.accessToken, init.refreshToken, init.idToken]) {
        assert.equal(rendering.includes(secret), false, rendering)
      }
    }
    assert.equal(JSON.parse(JSON.stringify(tokens)).accessToken, tokenFingerprint(init.accessToken))
    assert.match(inspect(tokens), /sha256:[0-9a-f]{8}/)
  })

  test('fingerprints are short, stable and distinct', () => {
    assert.match(tokenFingerprint('a'), /^sha256:[0-9a-f]{8}$/)
    assert.equal(tokenFingerprint('a'), tokenFingerprint('a'))
    assert.notEqual(tokenFingerprint('a'), tokenFingerprint('b'))
  })
})
