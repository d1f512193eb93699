/**
 * `npm run bench [-- B2 B3] [--long]`: runs the rows (all by default) and rewrites
 * docs/benchmarks.md. `--smoke` (one short run, the CI check) and `--out <dir>` (write results and
 * the document there instead) are for the test suite.
 */
import { row as b1 } from './b1-signature.ts'
import { row as b2 } from './b2-ingress.ts'
import { row as b3 } from './b3-sqlite-ingest.ts'
import { row as b4 } from './b4-postgres-ingest.ts'
import { parseOptions, runRows } from './lib/runner.ts'

const ALL = [b1, b2, b3, b4]
const options = parseOptions()
const unknown = options.rows.filter((id) => !ALL.some((r) => r.id === id))
if (unknown.length > 0)
  throw new Error(`no such bench row: ${unknown.join(', ')} (have ${ALL.map((r) => r.id).join(', ')})`)
const rows = options.rows.length === 0 ? ALL : ALL.filter((r) => options.rows.includes(r.id))
const args = process.argv.slice(2).filter((a) => !a.startsWith('--out') && !a.startsWith('/'))
await runRows(rows, options, ['npm run bench', ...(args.length > 0 ? ['--', ...args] : [])].join(' '))
