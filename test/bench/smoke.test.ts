/**
 * The benchmark harness runs end to end (issue 10): one short run of the rows B1–B3, written to a
 * temporary directory (B4 is left out: starting a PostgreSQL cluster would double the time). Only
 * that it runs and writes well-formed results is checked, never a figure against a target: speed
 * is the business of `npm run bench`, not of the test suite.
 */
import assert from 'node:assert/strict'
import { execFile } from 'node:child_process'
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { test } from 'node:test'
import { promisify } from 'node:util'

const ROOT = new URL('../../', import.meta.url).pathname

test('npm run bench -- --smoke runs B1-B3 and writes a result file per row and the document', async (t) => {
  const out = mkdtempSync(join(tmpdir(), 'bm-bench-'))
  t.after(() => rmSync(out, { recursive: true, force: true }))
  await promisify(execFile)(process.execPath, [join(ROOT, 'bench/run.ts'), 'B1', 'B2', 'B3', '--smoke', '--out', out], {
    cwd: ROOT,
    timeout: 60_000,
  })
  const files = readdirSync(join(out, 'results')).sort()
  assert.deepEqual(files, ['B1.json', 'B2.json', 'B3.json'])
  for (const file of files) {
    const result = JSON.parse(readFileSync(join(out, 'results', file), 'utf8')) as Record<string, unknown>
    assert.equal(result['id'], file.replace('.json', ''))
    assert.equal(typeof result['pass'], 'boolean')
    assert.equal(typeof result['fsyncMs'], 'number')
    const lines = result['lines'] as Array<{ label: string; cells: Record<string, string> }>
    assert.ok(lines.length >= 2, `${file}: a baseline line and at least one measured line`)
    for (const line of lines) assert.ok(Object.values(line.cells).every((cell) => !/NaN|undefined/.test(cell)))
  }
  const doc = readFileSync(join(out, 'benchmarks.md'), 'utf8')
  for (const id of ['B1', 'B2', 'B3']) assert.match(doc, new RegExp(`^## ${id}: `, 'm'))
  assert.match(doc, /synchronous = FULL/)
})
