/**
 * B3 (issue 10): ingress with the durable embedded store — verify, dedupe, sealed record, 200, one
 * process — against a node:sqlite one-row-per-commit INSERT loop into the inbox's own table (same
 * columns and unique key, a sealed payload of the same size, the same pragmas) in the same run.
 * Closed loop, 50 keep-alive connections. Each run uses a fresh database file on the project disk.
 */
import { join } from 'node:path'
import {
  type BenchRow,
  type HttpMeasure,
  ingestResult,
  insertLoop,
  measureHttp,
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
        const loop = await insertLoop('sqlite-loop', join(scratch.dir, 'loop.sqlite'), options.seconds)
        loopSettings = loop.settings
        baseline.push(loop.rowsPerSecond)
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
    return ingestResult({
      id: 'B3',
      title: 'ingress with the durable embedded store (node:sqlite, sealed inbox), 1 process',
      baseline: 'node:sqlite one-row-per-commit INSERT loop into the inbox table (same pragmas, no HTTP)',
      target: '≥ 1.5× the baseline rows/s (below 1× fails); p99 ≤ 15 ms at 50 connections; 0 non-2xx',
      loopLabel: 'INSERT loop, one row per commit',
      handlerLabel: 'webhook handler, sealed inbox on node:sqlite',
      loopRowsPerSecond: baseline,
      ingest,
      loopSettings,
      p99LimitMs: 15,
      options,
    })
  },
}

await runIfMain(import.meta.url, row)
