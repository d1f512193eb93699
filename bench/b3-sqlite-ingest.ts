/**
 * B3 (issue 10): ingress with the durable embedded store — verify, dedupe, sealed record, 200, one
 * process — against a node:sqlite one-row-per-commit INSERT loop into the inbox's own table (same
 * columns and unique key, a sealed payload of the same size, the same pragmas) in the same run.
 * Closed loop, 50 keep-alive connections. Each run uses a fresh database file on the project disk.
 */
import { join } from 'node:path'
import {
  type BenchRow,
  fmt,
  type HttpMeasure,
  measureHttp,
  median,
  medianOf,
  runChild,
  runIfMain,
  scratchDir,
} from './lib/runner.ts'

export const row: BenchRow = {
  id: 'B3',
  async run(options) {
    const baseline: number[] = []
    const ingest: HttpMeasure[] = []
    let loopSettings: Record<string, unknown> | undefined
    for (let r = 0; r < options.runs; r++) {
      const scratch = scratchDir()
      try {
        const messages = await runChild('sqlite-loop', [join(scratch.dir, 'loop.sqlite'), String(options.seconds)])
        const done = messages.find((m) => 'rows' in m) as { rows: number; seconds: number } | undefined
        loopSettings = messages.find((m) => 'settings' in m)?.['settings'] as Record<string, unknown> | undefined
        if (done === undefined) throw new Error('the INSERT loop reported nothing')
        baseline.push(done.rows / done.seconds)
        ingest.push(
          await measureHttp('handler-sqlite', [join(scratch.dir, 'inbox.sqlite')], {
            connections: 50,
            seconds: options.seconds,
          }),
        )
      } finally {
        scratch.remove()
      }
    }
    const base = median(baseline)
    const m = medianOf(ingest)
    const ratio = m.rps / base
    const pass = ratio >= 1.5 && m.p99 <= 15 && m.non2xx === 0
    return {
      id: 'B3',
      title: 'ingress with the durable embedded store (node:sqlite, sealed inbox), 1 process',
      baseline: 'node:sqlite one-row-per-commit INSERT loop into the inbox table (same pragmas, no HTTP)',
      target: '≥ 1.5× the baseline rows/s (below 1× fails); p99 ≤ 15 ms at 50 connections; 0 non-2xx',
      settings: { ...m.settings, 'INSERT loop': JSON.stringify(loopSettings) },
      lines: [
        { label: 'INSERT loop, one row per commit', cells: { 'rows/s': fmt.int(base), '× baseline': fmt.ratio(1) } },
        {
          label: 'webhook handler, sealed inbox on node:sqlite',
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
      pass,
      notes: m.non2xx > 0 ? [`${m.non2xx} non-2xx answers (median run)`] : [],
      runs: options.runs,
      seconds: options.seconds,
    }
  },
}

await runIfMain(import.meta.url, row)
