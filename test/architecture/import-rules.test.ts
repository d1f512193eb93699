/**
 * Keeps the layering of style.md Part C honest: every relative import in `src/` must point at an area
 * its folder may use. The emulator in particular must stay an independent counterpart of the
 * agent-side code it tests (it may use agent-side Google wire types, type-only, and nothing else).
 */
import { test } from 'node:test'
import assert from 'node:assert/strict'
import { readdirSync, readFileSync } from 'node:fs'
import { dirname, join, relative, resolve } from 'node:path'
import { fileURLToPath } from 'node:url'

const SRC = resolve(dirname(fileURLToPath(import.meta.url)), '../../src')

/** Area of a file: its top-level folder under src/, or the file name for top-level files (and their tests). */
function areaOf(srcRelative: string): string {
  const [first, ...rest] = srcRelative.split('/')
  return rest.length === 0 ? first!.replace(/(\.test)?\.ts$/, '') : first!
}

const BASE = ['core', 'errors']
/** area → areas it may import at runtime (itself is always allowed). `*` = anything but the listed denials. */
const ALLOWED: Record<string, string[]> = {
  errors: [],
  core: ['errors'],
  pkce: [...BASE],
  db: [...BASE],
  jobs: [...BASE, 'db'],
  google: [...BASE],
  whatsapp: [...BASE],
  oauth: [...BASE, 'pkce'],
  tokens: [...BASE, 'db', 'jobs'],
  'signin-store': [...BASE, 'db', 'tokens'],
  webhook: [...BASE, 'db', 'jobs'],
  metrics: [...BASE, 'webhook'],
  audit: [...BASE, 'db', 'channel'],
  server: [...BASE, 'agent', 'webhook'],
  flow: [...BASE, 'pkce', 'oauth', 'tokens', 'signin-store', 'google', 'webhook', 'db'],
  channel: [...BASE, 'pkce', 'oauth', 'tokens', 'signin-store', 'google', 'whatsapp', 'webhook', 'db', 'flow'],
  agent: [
    ...BASE,
    'pkce',
    'oauth',
    'tokens',
    'signin-store',
    'google',
    'webhook',
    'db',
    'flow',
    'channel',
    'metrics',
    'audit',
  ],
  ops: [
    ...BASE,
    'pkce',
    'oauth',
    'tokens',
    'signin-store',
    'google',
    'webhook',
    'db',
    'flow',
    'channel',
    'agent',
    'audit',
    'index',
  ],
  stores: [...BASE, 'db', 'tokens', 'signin-store'],
  emulator: [...BASE, 'web'],
  demo: [...BASE, 'index', 'oauth'],
  sandbox: [...BASE, 'index', 'ops', 'emulator', 'demo', 'agent'],
  cli: [...BASE, 'index', 'ops', 'emulator', 'demo', 'sandbox'],
  web: [],
  index: [
    ...BASE,
    'pkce',
    'oauth',
    'tokens',
    'signin-store',
    'google',
    'webhook',
    'db',
    'flow',
    'channel',
    'agent',
    'metrics',
    'server',
    'audit',
  ],
}
/**
 * The package's subpath entries (package.json `exports`). The composition areas (cli, demo, sandbox)
 * use the toolkit through these, as an outside user would, never through the areas' inner files.
 */
const PUBLIC_ENTRIES = [
  'index.ts',
  'google/index.ts',
  'webhook/index.ts',
  'stores/index.ts',
  'oauth/index.ts',
  'whatsapp/index.ts',
]
const ENTRY_USERS = ['cli', 'demo', 'sandbox']
/** Type-only imports additionally allowed (wire types). */
const TYPE_ONLY_ALLOWED: Record<string, string[]> = {
  emulator: ['google'],
  webhook: ['google'],
  errors: ['db', 'google', 'oauth', 'tokens', 'agent'],
}

function sourceFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const full = join(dir, entry.name)
    if (entry.isDirectory()) return sourceFiles(full)
    return entry.name.endsWith('.ts') ? [full] : []
  })
}

interface ImportRef {
  specifier: string
  typeOnly: boolean
}

function importsOf(text: string): ImportRef[] {
  const refs: ImportRef[] = []
  const statement = /^\s*(import|export)\s+(type\s+)?[^'"]*?from\s+['"]([^'"]+)['"]/gm
  for (const m of text.matchAll(statement)) refs.push({ specifier: m[3]!, typeOnly: m[2] !== undefined })
  for (const m of text.matchAll(/import\(\s*['"]([^'"]+)['"]\s*\)/g)) refs.push({ specifier: m[1]!, typeOnly: false })
  return refs
}

function withoutComments(text: string): string {
  return text.replace(/\/\*[\s\S]*?\*\//g, '').replace(/^\s*\/\/.*$/gm, '')
}

const isTestFile = (path: string): boolean => /\.test\.ts$|test-support\/|\.test-util\.ts$/.test(path)

test('style.md Part C: imports between src/ areas follow the layering table', () => {
  const violations: string[] = []
  for (const file of sourceFiles(SRC)) {
    const from = relative(SRC, file)
    const area = areaOf(from)
    const allowed = ALLOWED[area]
    if (allowed === undefined) {
      violations.push(`${from}: area "${area}" has no row in the import table`)
      continue
    }
    const text = readFileSync(file, 'utf8')
    for (const ref of importsOf(text)) {
      if (!ref.specifier.startsWith('.')) continue
      const target = relative(SRC, resolve(dirname(file), ref.specifier))
      if (target.startsWith('..')) {
        if (!isTestFile(from)) violations.push(`${from} imports outside src/: ${ref.specifier}`)
        continue
      }
      const targetArea = areaOf(target)
      if (targetArea === area || allowed.includes(targetArea)) continue
      if (ENTRY_USERS.includes(area) && PUBLIC_ENTRIES.includes(target)) continue
      if (ref.typeOnly && (TYPE_ONLY_ALLOWED[area] ?? []).includes(targetArea)) continue
      if (isTestFile(from) && area !== 'emulator') continue // tests may wire areas together (not the emulator's)
      violations.push(
        `${from} (${area}) must not import ${target} (${targetArea})${ref.typeOnly ? ' even type-only' : ''}`,
      )
    }
  }
  assert.deepEqual(violations, [])
})

test('only ops/, cli/ and sandbox/ read process.env (everything else takes options)', () => {
  const readers = sourceFiles(SRC)
    .map((f) => relative(SRC, f))
    .filter((f) => !isTestFile(f) && !/^(ops|cli|sandbox)\//.test(f))
    .filter((f) => /process\.env\b/.test(withoutComments(readFileSync(join(SRC, f), 'utf8'))))
  assert.deepEqual(readers, [])
})
