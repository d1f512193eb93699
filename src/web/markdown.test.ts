/**
 * The chat page's rich-text parser (docs/contract-decisions.md §2.2 `containsRichText`): the three
 * markers, literal fallback for unclosed ones, and links only for absolute http(s) URLs. The DOM
 * half is exercised in a real browser by test/browser/chat-page.test.ts.
 */
import { test } from 'node:test'
import assert from 'node:assert/strict'

type RichNode =
  | { type: 'text'; text: string }
  | { type: 'bold' | 'italic'; children: RichNode[] }
  | { type: 'link'; text: string; href: string }

// A computed specifier: the module is plain browser JavaScript without type declarations.
const { parseRichText } = (await import(new URL('./public/markdown.js', import.meta.url).href)) as {
  parseRichText: (text: string) => RichNode[]
}

test('bold, italic, nesting and links become nodes; the rest stays text', () => {
  assert.deepEqual(parseRichText('**Hi** *there*, see [help](https://example.com/help).\nBye'), [
    { type: 'bold', children: [{ type: 'text', text: 'Hi' }] },
    { type: 'text', text: ' ' },
    { type: 'italic', children: [{ type: 'text', text: 'there' }] },
    { type: 'text', text: ', see ' },
    { type: 'link', text: 'help', href: 'https://example.com/help' },
    { type: 'text', text: '.\nBye' },
  ])
  assert.deepEqual(parseRichText('**a *b* c**'), [
    {
      type: 'bold',
      children: [
        { type: 'text', text: 'a ' },
        { type: 'italic', children: [{ type: 'text', text: 'b' }] },
        { type: 'text', text: ' c' },
      ],
    },
  ])
})

test('unclosed markers are shown literally', () => {
  assert.deepEqual(parseRichText('2 * 3'), [{ type: 'text', text: '2 * 3' }])
  assert.deepEqual(parseRichText('**open *and closed*'), [
    { type: 'text', text: '**open ' },
    { type: 'italic', children: [{ type: 'text', text: 'and closed' }] },
  ])
})

test('HTML is text, and only http(s) URLs become links', () => {
  assert.deepEqual(parseRichText('<img src=x onerror=alert(1)>'), [
    { type: 'text', text: '<img src=x onerror=alert(1)>' },
  ])
  assert.deepEqual(parseRichText('[x](javascript:alert(1))'), [{ type: 'text', text: '[x](javascript:alert(1))' }])
  assert.deepEqual(parseRichText('[x](/relative)'), [{ type: 'text', text: '[x](/relative)' }])
})
