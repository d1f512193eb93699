import { describe, test } from 'node:test'
import assert from 'node:assert/strict'
import { BUSINESS_MESSAGES_REDIRECT_URIS, isAllowedRedirectURI } from './redirect-uris.ts'

describe('Business Messages redirect URIs (docs/contract-decisions.md §4.1)', () => {
  test('the four exact strings', () => {
    assert.deepEqual(
      [...BUSINESS_MESSAGES_REDIRECT_URIS],
      [
        'https://business.google.com/callback',
        'https://business.google.com/callback?',
        'https://business.google.com/message?az-intent-type=1',
        'https://business.google.com/message?az-intent-type=1&',
      ],
    )
    assert.ok(Object.isFrozen(BUSINESS_MESSAGES_REDIRECT_URIS))
  })

  test('P12 only exact matches are allowed', () => {
    for (const uri of BUSINESS_MESSAGES_REDIRECT_URIS) assert.ok(isAllowedRedirectURI(uri))
    for (const bad of [
      'https://business.google.com/callback/',
      'https://business.google.com/callback?&',
      'https://BUSINESS.google.com/callback',
      'https://business.google.com/message',
      'https://business.google.com/message?az-intent-type=2',
      ' https://business.google.com/callback',
      'http://business.google.com/callback',
      'https://business.google.com.evil.test/callback',
      undefined,
      42,
    ]) {
      assert.equal(isAllowedRedirectURI(bad), false, String(bad))
    }
  })

  test('P12 a stand-in is accepted only when passed explicitly', () => {
    const standIn = 'http://127.0.0.1:8080/callback'
    assert.equal(isAllowedRedirectURI(standIn), false)
    assert.ok(isAllowedRedirectURI(standIn, [...BUSINESS_MESSAGES_REDIRECT_URIS, standIn]))
  })
})
