// Finishes `npm run build` after tsc: copies non-TypeScript assets (the web chat page) next to the
// compiled JS in dist/, and makes every `bin` target executable (tsc writes files without the execute
// bit, and `npx bm-oauth` in the checkout would then fail with "Permission denied").
import { chmodSync, cpSync, existsSync, readFileSync } from 'node:fs'

const assets = [['src/web/public', 'dist/web/public']]
for (const [from, to] of assets) {
  if (existsSync(from)) cpSync(from, to, { recursive: true })
}

const { bin } = JSON.parse(readFileSync('package.json', 'utf8'))
const targets = typeof bin === 'string' ? [bin] : Object.values(bin ?? {})
for (const target of targets) chmodSync(target, 0o755)
