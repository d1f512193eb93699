import assert from 'node:assert/strict'
import { test } from 'node:test'
import { isBmOAuthError } from '../errors.ts'
import { REPLY_LIMITS, validateReply } from './reply.ts'

const rejects = (reply: unknown, field: string): void => {
  assert.throws(
    () => validateReply(reply as never),
    (err: unknown) => isBmOAuthError(err, 'ERR_INVALID_ARGUMENT') && 'field' in err && err.field === field,
    field,
  )
}

test('a string is a text reply; objects pass through unchanged', () => {
  assert.deepEqual(validateReply('Hi'), { text: 'Hi' })
  const chips = { text: 'Pick', suggestions: [{ text: 'Balance', postbackData: 'balance' }] }
  assert.equal(validateReply(chips), chips)
  const link = { text: 'Read', link: { text: 'Terms', url: 'https://bank.example/terms' } }
  assert.equal(validateReply(link), link)
})

test('texts: non-empty, 3072 characters alone, 1024 with suggestions (counted in code points)', () => {
  rejects('', 'reply.text')
  rejects({ text: 3 }, 'reply.text')
  assert.doesNotThrow(() => validateReply('😀'.repeat(REPLY_LIMITS.textLength)))
  rejects('x'.repeat(REPLY_LIMITS.textLength + 1), 'reply.text')
  const one = [{ text: 'A', postbackData: 'a' }]
  assert.doesNotThrow(() => validateReply({ text: 'x'.repeat(1024), suggestions: one }))
  rejects({ text: 'x'.repeat(1025), suggestions: one }, 'reply.text')
})

test('suggestions: 1–10, labels ≤ 20, postback ≤ 200, unique, not the reserved prefix', () => {
  const many = (n: number) => Array.from({ length: n }, (_, i) => ({ text: `Option ${i}`, postbackData: `o${i}` }))
  assert.doesNotThrow(() => validateReply({ text: 'Pick', suggestions: many(10) }))
  rejects({ text: 'Pick', suggestions: many(11) }, 'reply.suggestions')
  rejects({ text: 'Pick', suggestions: [] }, 'reply.suggestions')
  rejects({ text: 'Pick', suggestions: [{ text: 'x'.repeat(21), postbackData: 'a' }] }, 'reply.suggestions[0].text')
  rejects(
    { text: 'Pick', suggestions: [{ text: 'A', postbackData: 'p'.repeat(201) }] },
    'reply.suggestions[0].postbackData',
  )
  rejects(
    {
      text: 'Pick',
      suggestions: [
        { text: 'A', postbackData: 'same' },
        { text: 'B', postbackData: 'same' },
      ],
    },
    'reply.suggestions[1].postbackData',
  )
  rejects(
    { text: 'Pick', suggestions: [{ text: 'A', postbackData: 'bm-oauth:live-agent' }] },
    'reply.suggestions[0].postbackData',
  )
})

test('a link: https only, a short label, never with suggestions', () => {
  rejects({ text: 'Read', link: { text: 'Terms', url: 'http://bank.example/terms' } }, 'reply.link.url')
  rejects({ text: 'Read', link: { text: 'Terms', url: 'not a url' } }, 'reply.link.url')
  rejects({ text: 'Read', link: { text: 'x'.repeat(21), url: 'https://bank.example' } }, 'reply.link.text')
  rejects(
    {
      text: 'Read',
      link: { text: 'Terms', url: 'https://bank.example' },
      suggestions: [{ text: 'A', postbackData: 'a' }],
    },
    'reply',
  )
})
