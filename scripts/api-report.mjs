// API report of every package entry (docs/packaging.md): API Extractor reads the built .d.ts of each
// `exports` subpath in package.json and writes etc/api/<entry>.api.md. `--check` fails when a report
// differs from the checked-in one (a public-surface change must come with its report); without it the
// reports are rewritten. API Extractor takes one entry per run, so this loops over `exports`.
import { readFileSync, rmSync } from 'node:fs'
import { CompilerState, Extractor, ExtractorConfig } from '@microsoft/api-extractor'

const check = process.argv.includes('--check')
const root = process.cwd()
const pkg = JSON.parse(readFileSync('package.json', 'utf8'))

/** `.` → `bm-oauth`, `./google` → `google`: the report's file name. */
const reportName = (subpath) => (subpath === '.' ? pkg.name : subpath.slice(2))

const entries = Object.entries(pkg.exports).filter(([, target]) => typeof target !== 'string') // not ./package.json
const typesFiles = entries.map(([, target]) => `${root}/${target.types}`)

function configOf(name, typesFile) {
  return ExtractorConfig.prepare({
    configObjectFullPath: undefined,
    packageJsonFullPath: `${root}/package.json`,
    configObject: {
      projectFolder: root,
      mainEntryPointFilePath: typesFile,
      compiler: {
        overrideTsconfig: {
          compilerOptions: {
            target: 'es2024',
            module: 'nodenext',
            moduleResolution: 'nodenext',
            types: ['node'],
            skipLibCheck: true,
          },
          files: typesFiles,
        },
      },
      apiReport: {
        enabled: true,
        reportFolder: '<projectFolder>/etc/api/',
        reportTempFolder: '<projectFolder>/.api-temp/',
        reportFileName: name,
      },
      docModel: { enabled: false },
      dtsRollup: { enabled: false },
      tsdocMetadata: { enabled: false },
      messages: {
        extractorMessageReporting: {
          default: { logLevel: 'none' },
          // Not in the report: its summary carries .d.ts line numbers, so any edit above a type would fail
          // api:check. Types deliberately left unexported are still visible in the signatures that use them.
          'ae-forgotten-export': { logLevel: 'none', addToApiReportFile: false },
        },
        tsdocMessageReporting: { default: { logLevel: 'none' } },
        compilerMessageReporting: { default: { logLevel: 'error' } },
      },
    },
  })
}

// One TypeScript program for every entry (compiling it once per entry took most of the time).
const configs = entries.map(([subpath, target]) => [
  reportName(subpath),
  configOf(reportName(subpath), `${root}/${target.types}`),
])
const compilerState = CompilerState.create(configs[0][1], { additionalEntryPoints: typesFiles })
let failed = 0
for (const [name, config] of configs) {
  const result = Extractor.invoke(config, {
    localBuild: !check,
    compilerState,
    messageCallback: (message) => {
      if (message.messageId === 'console-preamble') message.handled = true
    },
  })
  if (!result.succeeded || (check && result.apiReportChanged)) {
    failed++
    console.error(`api report ${name}: ${result.apiReportChanged ? `differs from etc/api/${name}.api.md` : 'failed'}`)
  }
}
// On a difference the new report stays in .api-temp/ to compare; otherwise nothing is left behind.
if (failed === 0) rmSync('.api-temp', { recursive: true, force: true })
if (failed > 0) {
  console.error(check ? 'The public API changed: run `npm run build && npm run api:update` and commit etc/api/.' : '')
  process.exit(1)
}
