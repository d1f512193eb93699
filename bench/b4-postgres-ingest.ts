/**
 * B4 (issue 10): B3 on PostgreSQL — one agent process with a pool of 8 — against a `pg`
 * one-row-per-commit INSERT loop with 8 concurrent clients (which already gets the server's WAL
 * group flush) in the same run. A throwaway cluster (test/support/postgres.ts) on this machine,
 * fresh database per run. Core layout: the agent on core 0, the generator on core 1, the
 * PostgreSQL server unpinned (it shares both).
 */
import { startPostgres } from '../test/support/postgres.ts'
import { type BenchRow, type HttpMeasure, ingestResult, insertLoop, measureHttp, runIfMain } from './lib/runner.ts'

export const row: BenchRow = {
  id: 'B4',
  async run(options) {
    const cluster = await startPostgres()
    if ('skip' in cluster) throw new Error(cluster.skip)
    const baseline: number[] = []
    const ingest: HttpMeasure[] = []
    let loopSettings: Record<string, unknown> | undefined
    try {
      for (let r = 0; r < options.runs; r++) {
        const loopDb = await cluster.createDatabase(`bench_loop_${r}`)
        const loop = await insertLoop('pg-loop', loopDb, options.seconds)
        loopSettings = loop.settings
        baseline.push(loop.rowsPerSecond)
        const inboxDb = await cluster.createDatabase(`bench_inbox_${r}`)
        ingest.push(await measureHttp('handler-pg', [inboxDb], { connections: 50, seconds: options.seconds }))
      }
    } finally {
      await cluster.stop()
    }
    return ingestResult({
      id: 'B4',
      title: 'ingress with the sealed inbox on PostgreSQL 15, 1 agent process, pool 8',
      baseline: '`pg` one-row-per-commit INSERT loop into the inbox table, 8 concurrent clients (no HTTP)',
      target: '≥ 1.5× the baseline rows/s (by client-side batching); p99 ≤ 20 ms at 50 connections; 0 non-2xx',
      loopLabel: 'INSERT loop, one row per commit, 8 clients',
      handlerLabel: 'webhook handler, sealed inbox on PostgreSQL',
      loopRowsPerSecond: baseline,
      ingest,
      loopSettings,
      p99LimitMs: 20,
      notes: [
        'Layout: agent process on core 0, load generator on core 1, PostgreSQL server processes unpinned (both cores).',
        'Client-side batching (multi-row `INSERT … ON CONFLICT DO NOTHING RETURNING`) is not built yet: on PostgreSQL each delivery still commits on its own (docs/jobs.md "Group commit").',
      ],
      options,
    })
  },
}

await runIfMain(import.meta.url, row)
