/**
 * The package as a user gets it (docs/packaging.md): the built package is packed once, the tarball
 * passes publint and "are the types wrong", and installs into a temporary project from the local npm
 * cache (no registry traffic); there every `exports` subpath imports by name under Node's resolver,
 * the root stays within its 30 runtime values (docs/api.md §7), and the installed bin runs.
 */
import { test, before, after } from 'node:test'
import assert from 'node:assert/strict'
import { execFileSync } from 'node:child_process'
import { createHash } from 'node:crypto'
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { delimiter, dirname, join, resolve } from 'node:path'
import { fileURLToPath } from 'node:url'
import { checkTarball, packTarball } from '../../scripts/pack.ts'

const REPO = resolve(dirname(fileURLToPath(import.meta.url)), '../..')

interface PackageJSON {
  name: string
  version: string
  license: string
  bin: Record<string, string>
  exports: Record<string, unknown>
  dependencies: Record<string, string>
}
interface LockEntry {
  dev?: boolean
}
const pkg = JSON.parse(readFileSync(join(REPO, 'package.json'), 'utf8')) as PackageJSON

/** One export each subpath must have; a new subpath needs a row here (and in the README's API section). */
const KNOWN_EXPORT: Record<string, string> = {
  '.': 'createAgent',
  './google': 'BusinessMessagesClient',
  './webhook': 'verifyWebhookSignature',
  './stores': 'openSQLiteDatabase',
  './oauth': 'resolveProvider',
  './whatsapp': 'WhatsAppClient',
  './emulator': 'startEmulator',
}
const ROOT_RUNTIME_VALUE_CAP = 30

const subpaths = Object.keys(pkg.exports).filter((subpath) => subpath !== './package.json')
const specifierOf = (subpath: string): string => (subpath === '.' ? pkg.name : `${pkg.name}/${subpath.slice(2)}`)

let dir: string
let tarball: string
let project: string

before(() => {
  // `npm test` builds first; run alone, the test builds for itself.
  if (!existsSync(join(REPO, 'dist/index.js'))) execFileSync('npm', ['run', 'build'], { cwd: REPO, stdio: 'ignore' })
  dir = mkdtempSync(join(tmpdir(), 'bm-oauth-pack-'))
  tarball = packTarball(dir, REPO)
  project = join(dir, 'project')
  writeConsumerProject(project, tarball)
  // `npm ci` from a lockfile fetches tarballs by URL and integrity, which the repository's own `npm ci`
  // has cached; `npm install <tarball>` would also need each dependency's registry metadata, which a
  // fresh CI cache does not hold. So the project gets a lockfile cut from the repository's.
  execFileSync('npm', ['ci', '--offline', '--no-audit', '--no-fund', '--loglevel=error'], {
    cwd: project,
    stdio: ['ignore', 'ignore', 'pipe'],
  })
})

after(() => {
  if (dir !== undefined) rmSync(dir, { recursive: true, force: true })
})

/** A consumer project depending on the tarball, locked to the repository's runtime dependency tree. */
function writeConsumerProject(projectDir: string, tgz: string): void {
  mkdirSync(projectDir, { recursive: true })
  const spec = `file:${tgz}`
  const lock = JSON.parse(readFileSync(join(REPO, 'package-lock.json'), 'utf8')) as {
    packages: Record<string, LockEntry>
  }
  const runtime = Object.entries(lock.packages).filter(([path, entry]) => path !== '' && entry.dev !== true)
  const integrity = `sha512-${createHash('sha512').update(readFileSync(tgz)).digest('base64')}`
  const manifest = { name: 'bm-oauth-consumer', version: '1.0.0', private: true, type: 'module' }
  const packages = {
    '': { ...manifest, dependencies: { [pkg.name]: spec } },
    [`node_modules/${pkg.name}`]: {
      version: pkg.version,
      resolved: spec,
      integrity,
      license: pkg.license,
      dependencies: pkg.dependencies,
      bin: pkg.bin,
    },
    ...Object.fromEntries(runtime),
  }
  const consumerLock = { name: manifest.name, version: manifest.version, lockfileVersion: 3, requires: true, packages }
  writeFileSync(join(projectDir, 'package.json'), JSON.stringify({ ...manifest, dependencies: { [pkg.name]: spec } }))
  writeFileSync(join(projectDir, 'package-lock.json'), JSON.stringify(consumerLock))
}

test('the build leaves every bin target executable', () => {
  for (const target of Object.values(pkg.bin)) {
    assert.equal(statSync(join(REPO, target)).mode & 0o777, 0o755, target)
  }
})

test('the tarball passes publint --strict and "are the types wrong" (ESM-only)', () => {
  for (const { tool, ok, report } of checkTarball(tarball, REPO)) assert.ok(ok, `${tool} failed:\n${report}`)
})

test('every subpath has a known export here and a row in the README API section', () => {
  assert.deepEqual(subpaths.toSorted(), Object.keys(KNOWN_EXPORT).toSorted())
  const readme = readFileSync(join(REPO, 'README.md'), 'utf8')
  const api = /^## API\n([\s\S]*?)(?=^## )/m.exec(readme)?.[1] ?? ''
  for (const subpath of subpaths) assert.match(api, new RegExp(`\\| \`${specifierOf(subpath)}\` +\\|`), subpath)
})

test('every subpath imports by name from the installed package; the root stays within its cap', () => {
  const probe = `
    const specifiers = ${JSON.stringify(subpaths.map(specifierOf))}
    const result = {}
    for (const specifier of specifiers) result[specifier] = Object.keys(await import(specifier))
    console.log(JSON.stringify(result))
  `
  const out = execFileSync(process.execPath, ['--input-type=module', '--no-warnings', '-e', probe], {
    cwd: project,
    encoding: 'utf8',
  })
  const names = JSON.parse(out) as Record<string, string[]>
  for (const subpath of subpaths) {
    assert.ok(names[specifierOf(subpath)]?.includes(KNOWN_EXPORT[subpath]!), `${specifierOf(subpath)} lacks its export`)
  }
  const rootValues = names[pkg.name]!.length
  assert.ok(rootValues <= ROOT_RUNTIME_VALUE_CAP, `the root exports ${rootValues} runtime values`)
})

test('the installed bin runs (`bm-oauth --help`)', () => {
  const [name] = Object.keys(pkg.bin)
  // The bin's `#!/usr/bin/env node` must find Node 24 (this process), whatever the system Node is.
  const PATH = `${dirname(process.execPath)}${delimiter}${process.env['PATH'] ?? ''}`
  const help = execFileSync(join(project, 'node_modules/.bin', name!), ['--help'], {
    encoding: 'utf8',
    env: { ...process.env, PATH },
  })
  assert.match(help, /Usage: bm-oauth/)
})
