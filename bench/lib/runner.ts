/**
 * @module bench/lib/runner
 * The shared benchmark runner: start the server under test as a child process pinned to core 0
 * (the load generator, this process, on core 1) where `taskset` exists, repeat each measurement
 * (3 runs by default, 5 with `--long`) and report the median, measure the disk's fsync latency,
 * and keep each row's result in `bench/results/<id>.json`, from which `docs/benchmarks.md` is
 * rewritten (so a row run alone updates its own section and keeps the others).
 */
import { type ChildProcess, execFileSync, fork } from 'node:child_process'
import {
  closeSync,
  fsyncSync,
  mkdirSync,
  mkdtempSync,
  openSync,
  readdirSync,
  readFileSync,
  rmSync,
  writeFileSync,
  writeSync,
} from 'node:fs'
import { cpus, totalmem } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'

export const ROOT = fileURLToPath(new URL('../..', import.meta.url))
const RESULTS = join(ROOT, 'bench/results')
const DOC = join(ROOT, 'docs/benchmarks.md')

export interface BenchOptions {
  long: boolean
  runs: number
  /** Seconds per timed run. */
  seconds: number
  /** Where result files and the document go (the CI smoke writes to a temporary directory). */
  resultsDir: string
  docPath: string
}

export function parseOptions(argv: readonly string[] = process.argv.slice(2)): BenchOptions & { rows: string[] } {
  const long = argv.includes('--long')
  const smoke = argv.includes('--smoke')
  const flagValue = (flag: string): string | undefined => {
    const i = argv.indexOf(flag)
    return i >= 0 ? argv[i + 1] : undefined
  }
  const out = flagValue('--out')
  return {
    long,
    runs: smoke ? 1 : long ? 5 : 3,
    seconds: smoke ? 0.5 : long ? 8 : 3,
    resultsDir: out === undefined ? RESULTS : join(out, 'results'),
    docPath: out === undefined ? DOC : join(out, 'benchmarks.md'),
    rows: argv.filter((a, i) => /^B\d+$/i.test(a) && argv[i - 1] !== '--out').map((a) => a.toUpperCase()),
  }
}

export const hasTaskset = ((): boolean => {
  try {
    execFileSync('taskset', ['-p', String(process.pid)], { stdio: 'ignore' })
    return cpus().length >= 2
  } catch {
    return false
  }
})()

/** Pins every thread of `pid` to `core` (no-op without taskset). */
export function pin(pid: number, core: number): void {
  if (hasTaskset) execFileSync('taskset', ['-a', '-p', '-c', String(core), String(pid)], { stdio: 'ignore' })
}

export interface ServerProcess {
  port: number
  settings: Record<string, unknown> | undefined
  /** Server CPU time (user + system) in µs so far. */
  cpu(): Promise<number>
  stop(): Promise<void>
}

const SERVER = join(ROOT, 'bench/lib/server.ts')

function childMessages(
  child: ChildProcess,
): (want: (m: Record<string, unknown>) => boolean) => Promise<Record<string, unknown>> {
  const seen: Array<Record<string, unknown>> = []
  const waiters: Array<{
    want: (m: Record<string, unknown>) => boolean
    resolve: (m: Record<string, unknown>) => void
  }> = []
  child.on('message', (message) => {
    const m = message as Record<string, unknown>
    const i = waiters.findIndex((w) => w.want(m))
    if (i >= 0) waiters.splice(i, 1)[0]?.resolve(m)
    else seen.push(m)
  })
  return (want) => {
    const i = seen.findIndex(want)
    if (i >= 0) return Promise.resolve(seen.splice(i, 1)[0] as Record<string, unknown>)
    return new Promise((resolve, reject) => {
      waiters.push({ want, resolve })
      child.once('exit', (code) => reject(new Error(`bench server exited (${code})`)))
    })
  }
}

/** Starts `bench/lib/server.ts <kind> <args…>` pinned to core 0, this process to core 1. */
export async function startServer(kind: string, args: readonly string[] = []): Promise<ServerProcess> {
  pin(process.pid, 1)
  // BENCH_CPU_PROF=<dir> writes a `node --cpu-prof` profile of each server there (see docs/benchmarks.md).
  const profDir = process.env['BENCH_CPU_PROF']
  const execArgv = profDir === undefined ? [] : ['--cpu-prof', '--cpu-prof-dir', profDir]
  const child = fork(SERVER, [kind, ...args], { stdio: ['ignore', 'inherit', 'inherit', 'ipc'], execArgv })
  pin(child.pid ?? 0, 0)
  const next = childMessages(child)
  const ready = await next((m) => 'ready' in m)
  const settings =
    kind === 'handler-sqlite' || kind === 'handler-pg'
      ? ((await next((m) => 'settings' in m))['settings'] as Record<string, unknown>)
      : undefined
  return {
    port: Number(ready['ready']),
    settings,
    async cpu() {
      child.send('cpu')
      const { cpu } = (await next((m) => 'cpu' in m)) as unknown as { cpu: { user: number; system: number } }
      return cpu.user + cpu.system
    },
    async stop() {
      const exited = new Promise((resolve) => child.once('exit', resolve))
      child.send('stop')
      await exited
    },
  }
}

/** Runs `bench/lib/server.ts <kind> <args…>` pinned to core 0 to completion and returns its messages. */
export async function runChild(kind: string, args: readonly string[]): Promise<Array<Record<string, unknown>>> {
  const child = fork(SERVER, [kind, ...args], { stdio: ['ignore', 'inherit', 'inherit', 'ipc'] })
  pin(child.pid ?? 0, 0)
  const messages: Array<Record<string, unknown>> = []
  child.on('message', (m) => messages.push(m as Record<string, unknown>))
  const code = await new Promise((resolve) => child.once('exit', resolve))
  if (code !== 0) throw new Error(`bench child ${kind} exited with ${String(code)}`)
  return messages
}

/** A fresh directory on the project's disk (not a tmpfs), removed by the returned function. */
export function scratchDir(): { dir: string; remove: () => void } {
  const base = join(ROOT, 'bench/.scratch')
  mkdirSync(base, { recursive: true })
  const dir = mkdtempSync(join(base, 'run-'))
  return { dir, remove: () => rmSync(dir, { recursive: true, force: true }) }
}

/** Median of write(4 KB) + fsync on the scratch disk, in ms (200 samples). */
export function fsyncLatencyMs(): number {
  const { dir, remove } = scratchDir()
  try {
    const fd = openSync(join(dir, 'fsync-probe'), 'w')
    const block = Buffer.alloc(4096, 7)
    const samples: number[] = []
    for (let i = 0; i < 200; i++) {
      writeSync(fd, block, 0, block.length, (i % 16) * 4096)
      const t0 = performance.now()
      fsyncSync(fd)
      samples.push(performance.now() - t0)
    }
    closeSync(fd)
    return median(samples)
  } finally {
    remove()
  }
}

export function median(values: readonly number[]): number {
  const sorted = [...values].sort((a, b) => a - b)
  const mid = Math.floor(sorted.length / 2)
  return sorted.length % 2 === 1 ? (sorted[mid] ?? Number.NaN) : ((sorted[mid - 1] ?? 0) + (sorted[mid] ?? 0)) / 2
}

/** One printed line of a row: a label and its figures (already formatted). */
export interface ResultLine {
  label: string
  cells: Record<string, string>
}

export interface RowResult {
  id: string
  title: string
  target: string
  baseline: string
  lines: ResultLine[]
  /** The measured ratio or figure the target is checked against, in words. */
  verdict: string
  pass: boolean
  notes: string[]
  settings?: Record<string, unknown> | undefined
  runs: number
  seconds: number
}

export interface BenchRow {
  readonly id: string
  run(options: BenchOptions): Promise<RowResult>
}

function machine(): Record<string, string> {
  const cpu = cpus()
  return {
    cpu: `${cpu.length} × ${cpu[0]?.model ?? 'unknown'}`,
    memory: `${Math.round(totalmem() / 2 ** 30)} GiB`,
    node: process.version,
    pinning: hasTaskset ? 'server on core 0, load generator on core 1 (taskset)' : 'none (taskset missing or 1 core)',
  }
}

/** Runs `rows`, saves each result and rewrites the document. */
export async function runRows(rows: readonly BenchRow[], options: BenchOptions, command: string): Promise<RowResult[]> {
  const fsyncMs = fsyncLatencyMs()
  const results: RowResult[] = []
  mkdirSync(options.resultsDir, { recursive: true })
  for (const row of rows) {
    process.stderr.write(`bench ${row.id}: running\n`)
    const result = await row.run(options)
    results.push(result)
    const stored = { ...result, measuredAt: new Date().toISOString(), command, machine: machine(), fsyncMs }
    writeFileSync(join(options.resultsDir, `${row.id}.json`), `${JSON.stringify(stored, null, 2)}\n`)
    process.stdout.write(`${renderRow(stored)}\n`)
  }
  writeFileSync(options.docPath, renderDocument(options.resultsDir))
  return results
}

type Stored = RowResult & { measuredAt: string; command: string; machine: Record<string, string>; fsyncMs: number }

function renderRow(r: Stored): string {
  const columns = [...new Set(r.lines.flatMap((l) => Object.keys(l.cells)))]
  const table = [
    `| ${['', ...columns].join(' | ')} |`,
    `|${['---', ...columns.map(() => '---:')].join('|')}|`,
    ...r.lines.map((l) => `| ${[l.label, ...columns.map((c) => l.cells[c] ?? '')].join(' | ')} |`),
  ]
  const settings =
    r.settings === undefined
      ? []
      : [
          `Durability in effect: ${Object.entries(r.settings)
            .map(([k, v]) => `${k} = ${String(v)}`)
            .join(', ')}.`,
          '',
        ]
  return [
    `## ${r.id}: ${r.title}`,
    '',
    `Measured ${r.measuredAt} with \`${r.command}\`; ${r.runs} runs of ${r.seconds} s, median. Disk fsync ${r.fsyncMs.toFixed(2)} ms (median of 200).`,
    '',
    ...settings,
    ...table,
    '',
    `- Baseline (same run): ${r.baseline}`,
    `- Target: ${r.target}`,
    `- Result: ${r.verdict} — **${r.pass ? 'PASS' : 'FAIL'}**`,
    ...r.notes.map((n) => `- ${n}`),
    '',
  ].join('\n')
}

function renderDocument(resultsDir: string): string {
  const stored = readdirSync(resultsDir)
    .filter((f) => /^B\d+\.json$/.test(f))
    .map((f) => JSON.parse(readFileSync(join(resultsDir, f), 'utf8')) as Stored)
    .sort((a, b) => Number(a.id.slice(1)) - Number(b.id.slice(1)))
  const latest = stored.at(-1)
  const machineLines = latest === undefined ? [] : Object.entries(latest.machine).map(([k, v]) => `- ${k}: ${v}`)
  return [
    '# Benchmarks',
    '',
    'Written by `npm run bench` (all rows; `npm run bench -- B3` for one, `--long` for 8 s runs × 5); do not edit by hand.',
    'Targets and rows: issue 10. Every figure is a median over runs; every ratio is to a baseline measured in the same run.',
    'Load is on loopback only; the server under test is a child process. How the harness works, and where the profiled time goes: bench/README.md.',
    'Main before this work (group commit, lean path): bench/before/*.json, measured with the same commands on the same machine.',
    '',
    '## Machine',
    '',
    ...machineLines,
    '',
    '| row | result | pass |',
    '|---|---|---|',
    ...stored.map((r) => `| ${r.id} | ${r.verdict} | ${r.pass ? 'PASS' : 'FAIL'} |`),
    '',
    ...stored.map(renderRow),
  ].join('\n')
}

export const fmt = {
  int: (n: number): string => Math.round(n).toLocaleString('en-GB'),
  us: (n: number): string => n.toFixed(1),
  ms: (n: number): string => `${n.toFixed(2)} ms`,
  ratio: (n: number): string => `${n.toFixed(2)}×`,
}

/** Runs the row module `row` alone when its file is the entry point. */
export async function runIfMain(url: string, row: BenchRow): Promise<void> {
  if (process.argv[1] !== fileURLToPath(url)) return
  const options = parseOptions()
  await runRows([row], options, `node bench/${process.argv[1]?.split('/').at(-1)}${options.long ? ' --long' : ''}`)
}

export interface HttpMeasure {
  rps: number
  cpuUsPerRequest: number
  p50: number
  p99: number
  non2xx: number
  settings: Record<string, unknown> | undefined
}

/** One closed-loop run against a fresh server of `kind`: throughput, server CPU per request, latency. */
export async function measureHttp(
  kind: string,
  args: readonly string[],
  options: { connections: number; seconds: number },
): Promise<HttpMeasure> {
  const { closedLoop, deliveryRequest, quantile } = await import('./load.ts')
  const server = await startServer(kind, args)
  try {
    const makeRequest = (n: number): Buffer => deliveryRequest(server.port, n)
    // Warm-up (JIT, statement cache), untimed; ids differ from the timed run's.
    await closedLoop({
      port: server.port,
      connections: options.connections,
      seconds: 0.5,
      makeRequest: (n) => makeRequest(n + 1e9),
    })
    const cpuBefore = await server.cpu()
    const load = await closedLoop({
      port: server.port,
      connections: options.connections,
      seconds: options.seconds,
      makeRequest,
    })
    const cpuAfter = await server.cpu()
    return {
      rps: (load.requests - load.non2xx) / load.seconds,
      cpuUsPerRequest: (cpuAfter - cpuBefore) / Math.max(1, load.requests),
      p50: quantile(load.latencies, load.latencyCount, 0.5),
      p99: quantile(load.latencies, load.latencyCount, 0.99),
      non2xx: load.non2xx,
      settings: server.settings,
    }
  } finally {
    await server.stop()
  }
}

/** The per-field median of several measures. */
export function medianOf<T extends object>(runs: readonly T[]): T {
  const first = runs[0]
  if (first === undefined) throw new Error('no runs')
  const out: Record<string, unknown> = { ...(first as Record<string, unknown>) }
  for (const [key, value] of Object.entries(first)) {
    if (typeof value === 'number') out[key] = median(runs.map((r) => (r as Record<string, number>)[key] ?? Number.NaN))
  }
  return out as T
}

/** The result of an ingest row (B3, B4): a store's INSERT loop against the webhook handler on that store. */
export function ingestResult(input: {
  id: string
  title: string
  baseline: string
  target: string
  loopLabel: string
  handlerLabel: string
  loopRowsPerSecond: number[]
  ingest: HttpMeasure[]
  loopSettings: Record<string, unknown> | undefined
  p99LimitMs: number
  notes?: string[]
  options: BenchOptions
}): RowResult {
  const base = median(input.loopRowsPerSecond)
  const m = medianOf(input.ingest)
  const ratio = m.rps / base
  return {
    id: input.id,
    title: input.title,
    baseline: input.baseline,
    target: input.target,
    settings: { ...m.settings, 'INSERT loop': JSON.stringify(input.loopSettings) },
    lines: [
      { label: input.loopLabel, cells: { 'rows/s': fmt.int(base), '× baseline': fmt.ratio(1) } },
      {
        label: input.handlerLabel,
        cells: {
          'rows/s': fmt.int(m.rps),
          '× baseline': fmt.ratio(ratio),
          'CPU µs / request': fmt.us(m.cpuUsPerRequest),
          p50: fmt.ms(m.p50),
          p99: fmt.ms(m.p99),
        },
      },
    ],
    verdict: `${fmt.ratio(ratio)} baseline rows/s, p99 ${fmt.ms(m.p99)}`,
    pass: ratio >= 1.5 && m.p99 <= input.p99LimitMs && m.non2xx === 0,
    notes: [...(input.notes ?? []), ...(m.non2xx > 0 ? [`${m.non2xx} non-2xx answers (median run)`] : [])],
    runs: input.options.runs,
    seconds: input.options.seconds,
  }
}

/** Runs a store's one-row-per-commit INSERT loop child (`sqlite-loop`, `pg-loop`) once: rows/s and its settings. */
export async function insertLoop(
  kind: 'sqlite-loop' | 'pg-loop',
  target: string,
  seconds: number,
): Promise<{ rowsPerSecond: number; settings: Record<string, unknown> | undefined }> {
  const messages = await runChild(kind, [target, String(seconds)])
  const done = messages.find((m) => 'rows' in m) as { rows: number; seconds: number } | undefined
  if (done === undefined) throw new Error('the INSERT loop reported nothing')
  const settings = messages.find((m) => 'settings' in m)?.['settings'] as Record<string, unknown> | undefined
  return { rowsPerSecond: done.rows / done.seconds, settings }
}
