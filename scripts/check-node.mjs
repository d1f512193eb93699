// Guard: bm-oauth needs Node 24+. npm scripts run on the pinned `node` devDependency;
// a bare `node`, `npm ci --ignore-scripts` or `--omit=dev` silently falls back to the system Node.
const major = Number(process.versions.node.split('.')[0])
if (major < 24) {
  console.error(
    `bm-oauth needs Node.js 24 or later; this is ${process.version} (${process.execPath}).\n` +
      'Run `npm install` (it installs the pinned node@24 devDependency, unless scripts are ignored) and use\n' +
      '`npm start`, `npm test` or `npx bm-oauth`; in production, provide Node 24 yourself.',
  )
  process.exit(1)
}
