import { describe, test } from 'node:test'
import assert from 'node:assert/strict'
import { newWebhookClientToken, WEBHOOK_CLIENT_TOKEN_LETTERS } from './provision.ts'

describe('E4 webhook client token', () => {
  test('E4 the token is at least 55 upper-case letters (≥ 256 bits) and new on every call', () => {
    const tokens = new Set(Array.from({ length: 50 }, () => newWebhookClientToken()))
    assert.equal(tokens.size, 50)
    for (const token of tokens) {
      assert.match(token, /^[A-Z]+$/)
      assert.ok(token.length >= 55, `${token.length} letters`)
      assert.ok(token.length * Math.log2(26) >= 256)
    }
  })

  test('E4 bytes that would bias a letter (234–255) are rejected, not folded onto A–V', () => {
    // A source whose first bytes all lie in the biased tail, then one full batch of usable bytes.
    const calls: number[] = []
    const random = (size: number): Uint8Array => {
      calls.push(size)
      if (calls.length === 1) return Uint8Array.from({ length: size }, (_, i) => 234 + (i % 22))
      return Uint8Array.from({ length: size }, (_, i) => (i * 27) % 234)
    }
    const token = newWebhookClientToken(random)
    assert.equal(calls.length, 2, 'the first batch was rejected entirely')
    const expected = Array.from({ length: WEBHOOK_CLIENT_TOKEN_LETTERS }, (_, i) =>
      String.fromCharCode(65 + (((i * 27) % 234) % 26)),
    ).join('')
    assert.equal(token, expected)
  })

  test('E4 every letter is equally likely: each byte below 234 maps to one letter, 9 bytes per letter', () => {
    const counts = new Map<string, number>()
    for (let byte = 0; byte < 234; byte++) {
      const letter = newWebhookClientToken((size) => new Uint8Array(size).fill(byte)).charAt(0)
      counts.set(letter, (counts.get(letter) ?? 0) + 1)
    }
    assert.equal(counts.size, 26)
    for (const [letter, count] of counts) assert.equal(count, 9, letter)
  })
})
