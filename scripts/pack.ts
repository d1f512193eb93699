// Packing and the tarball checks (docs/packaging.md), shared by scripts/check-package.mjs and
// test/package/pack-and-import.test.ts, so `npm test` packs once.
import { execFileSync, spawnSync } from 'node:child_process'
import { join } from 'node:path'

/**
 * Packs the already-built package into `dir` and returns the tarball's path. `--ignore-scripts`:
 * `prepare` would build it again.
 */
export function packTarball(dir: string, cwd: string = process.cwd()): string {
  const out = execFileSync('npm', ['pack', '--ignore-scripts', '--json', '--pack-destination', dir], {
    cwd,
    encoding: 'utf8',
    stdio: ['ignore', 'pipe', 'pipe'],
  })
  const [packed] = JSON.parse(out) as [{ filename: string }]
  return join(dir, packed.filename)
}

/** A tool's verdict on the tarball; `report` is its output, kept for failures. */
export interface TarballCheck {
  readonly tool: 'publint' | 'attw'
  readonly ok: boolean
  readonly report: string
}

/**
 * publint --strict and "are the types wrong" on the tarball, as a registry user would get it. attw
 * uses the ESM-only profile: the package has no CommonJS entry, so `require` and node10 do not apply.
 */
export function checkTarball(tarball: string, cwd: string = process.cwd()): TarballCheck[] {
  const checks = [
    ['publint', ['publint', '--strict', tarball]],
    ['attw', ['attw', '--profile', 'esm-only', '--no-color', tarball]],
  ] as const
  return checks.map(([tool, args]) => {
    const run = spawnSync('npx', ['--no-install', ...args], { cwd, encoding: 'utf8' })
    return { tool, ok: run.status === 0, report: `${run.stdout}${run.stderr}` }
  })
}
