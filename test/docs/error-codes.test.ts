/**
 * fastify's habit: the error-code union in src/errors.ts and the table in docs/errors.md must list
 * the same codes, so a code is never added without documentation nor documented after removal.
 */
import { test } from 'node:test'
import assert from 'node:assert/strict'
import { readFileSync } from 'node:fs'

const root = new URL('../../', import.meta.url)

function codesInSource(): string[] {
  const text = readFileSync(new URL('src/errors.ts', root), 'utf8')
  const union = text.slice(text.indexOf('export type ErrorCode'), text.indexOf('export interface'))
  return [...union.matchAll(/'(ERR_[A-Z0-9_]+)'/g)].map((m) => m[1]!).sort()
}

function codesInDocs(): string[] {
  const text = readFileSync(new URL('docs/errors.md', root), 'utf8')
  return [...new Set([...text.matchAll(/^\| `(ERR_[A-Z0-9_]+)`/gm)].map((m) => m[1]!))].sort()
}

test('every ErrorCode is documented in docs/errors.md and every documented code exists', () => {
  assert.deepEqual(codesInDocs(), codesInSource())
})
