#!/usr/bin/env node
/**
 * @module cli/main
 * The `bm-oauth` executable. Checks the Node version before loading anything that needs Node 24
 * (node:sqlite, URLPattern), then hands over to the commander program.
 */
const major = Number(process.versions.node.split('.')[0])
if (major < 24) {
  process.stderr.write(
    `bm-oauth: Node.js 24 or later is required (this is ${process.version}).\n` +
      'Inside the project, run it as `npx bm-oauth` (npm puts the pinned Node 24 first on PATH); ' +
      'in production, install Node 24.\n',
  )
  process.exit(1)
}
const { runCLI } = await import('./program.ts')
process.exitCode = await runCLI(process.argv.slice(2), {
  stdout: process.stdout,
  stderr: process.stderr,
  env: process.env,
})
