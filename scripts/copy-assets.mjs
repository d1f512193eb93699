// Copies non-TypeScript assets (the web chat page) next to the compiled JS in dist/.
import { cpSync, existsSync } from 'node:fs'

const assets = [['src/web/public', 'dist/web/public']]
for (const [from, to] of assets) {
  if (existsSync(from)) cpSync(from, to, { recursive: true })
}
