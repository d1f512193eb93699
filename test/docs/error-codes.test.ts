/**
 * fastify's habit: the error codes in the source and the tables in docs/errors.md must agree, so a
 * code is never added without documentation nor documented after removal, and each code keeps the
 * one class the docs give it (docs/api.md §7: one code per meaning, one class per code).
 */
import { test } from 'node:test'
import assert from 'node:assert/strict'
import { readdirSync, readFileSync } from 'node:fs'
import { join } from 'node:path'

const root = new URL('../../', import.meta.url)
const read = (path: string): string => readFileSync(new URL(path, root), 'utf8')

/** Documented code → class, from the table rows `| \`CODE\` | \`Class\` … |` of one part of the page. */
function documented(part: 'library' | 'outside'): Map<string, string> {
  const page = read('docs/errors.md')
  const split = page.indexOf('## Not library errors')
  const text = part === 'library' ? page.slice(0, split) : page.slice(split)
  return new Map([...text.matchAll(/^\| `(ERR_[A-Z0-9_]+)` \| `(\w+)`/gm)].map((m) => [m[1]!, m[2]!]))
}

/** The string literals of `export type NAME = …` in src/errors.ts. */
function unionMembers(name: string): string[] {
  const text = read('src/errors.ts')
  const start = text.indexOf(`export type ${name} =`)
  assert.ok(start >= 0, `src/errors.ts declares ${name}`)
  const body = text.slice(start, text.indexOf('\n\n', start))
  return [...body.matchAll(/'(ERR_[A-Z0-9_]+)'/g)].map((m) => m[1]!).sort()
}

function sourceTexts(dir: string): { path: string; text: string }[] {
  return readdirSync(new URL(dir, root), { recursive: true, encoding: 'utf8' })
    .filter((path) => path.endsWith('.ts'))
    .map((path) => ({ path: join(dir, path), text: read(join(dir, path)) }))
}

const codesOf = (map: Map<string, string>, cls?: string): string[] =>
  [...map].filter(([, c]) => cls === undefined || c === cls).map(([code]) => code)

test('every ErrorCode is documented in docs/errors.md and every documented library code exists', () => {
  assert.deepEqual(codesOf(documented('library')).sort(), unionMembers('ErrorCode'))
})

test('each BmOAuthError subclass declares exactly the codes the docs give it', () => {
  const declared = new Map<string, string[]>()
  for (const { text } of sourceTexts('src/')) {
    for (const m of text.matchAll(/class (\w+) extends BmOAuthError<([^>]+)>/g)) {
      declared.set(m[1]!, [...m[2]!.matchAll(/'(ERR_[A-Z0-9_]+)'/g)].map((c) => c[1]!).sort())
    }
  }
  const docs = documented('library')
  const classes = new Set([...docs.values()].filter((c) => c !== 'BmOAuthError'))
  assert.deepEqual([...declared.keys()].sort(), [...classes].sort())
  for (const cls of classes) assert.deepEqual(declared.get(cls), codesOf(docs, cls).sort(), cls)
})

test('the generic BmOAuthError is only ever constructed with a code that has no class of its own', () => {
  const plain = new Set(codesOf(documented('library'), 'BmOAuthError'))
  const misuses = [...sourceTexts('src/'), ...sourceTexts('test/')].flatMap(({ path, text }) =>
    [...text.matchAll(/new BmOAuthError\(\s*'(ERR_[A-Z0-9_]+)'/g)]
      .filter((m) => !plain.has(m[1]!))
      .map((m) => `${path}: ${m[1]}`),
  )
  assert.deepEqual(misuses, [])
})

test('codes outside the library (the emulator) are documented apart and are not ErrorCodes', () => {
  const declared = sourceTexts('src/emulator/').flatMap(({ text }) =>
    [...text.matchAll(/readonly code = '(ERR_[A-Z0-9_]+)'/g)].map((m) => m[1]!),
  )
  assert.deepEqual(codesOf(documented('outside')).sort(), declared.sort())
  for (const code of declared) assert.equal(unionMembers('ErrorCode').includes(code), false, code)
})
