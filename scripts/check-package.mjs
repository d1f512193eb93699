// `npm run check:package`: packs the built package (`npm run build` first) into a temporary folder and
// runs publint --strict and "are the types wrong" on the tarball (scripts/pack.ts). Prints a tool's
// report only when it fails.
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { checkTarball, packTarball } from './pack.ts'

const dir = mkdtempSync(join(tmpdir(), 'bm-oauth-check-package-'))
let failed = false
try {
  for (const { tool, ok, report } of checkTarball(packTarball(dir))) {
    if (ok) console.log(`check:package: ${tool} passed`)
    else console.error(`check:package: ${tool} failed\n${report}`)
    failed ||= !ok
  }
} finally {
  rmSync(dir, { recursive: true, force: true })
}
if (failed) process.exit(1)
