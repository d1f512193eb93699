/**
 * B2 (issue 10): webhook ingress with the store stubbed (`createNodeWebhookHandler`, an inbox whose
 * `record` answers `new` at once) against a bare `node:http` POST handler in the same run; the
 * inline verify + parse server shows what signature checking and parsing cost on their own.
 * Closed loop, 32 keep-alive connections, signed ~1.2 KB deliveries with unique ids.
 */
import { type BenchRow, fmt, type HttpMeasure, measureHttp, medianOf, runIfMain } from './lib/runner.ts'

const SERVERS = {
  bare: 'bare `node:http` (read body, 200)',
  inline: 'bare + inline HMAC-SHA512 check + `JSON.parse`',
  'handler-stub': '`createNodeWebhookHandler`, inbox stubbed',
} as const

export const row: BenchRow = {
  id: 'B2',
  async run(options) {
    const runs: Record<string, HttpMeasure[]> = { bare: [], inline: [], 'handler-stub': [] }
    // Interleaved, so a slow patch on the shared machine hits every server alike.
    for (let r = 0; r < options.runs; r++) {
      for (const kind of Object.keys(SERVERS)) {
        runs[kind]?.push(await measureHttp(kind, [], { connections: 32, seconds: options.seconds }))
      }
    }
    const m = Object.fromEntries(Object.entries(runs).map(([k, v]) => [k, medianOf(v)])) as Record<
      keyof typeof SERVERS,
      HttpMeasure
    >
    const ratio = m['handler-stub'].cpuUsPerRequest / m.bare.cpuUsPerRequest
    const non2xx = Object.values(m).reduce((sum, x) => sum + x.non2xx, 0)
    return {
      id: 'B2',
      title: 'webhook ingress, store stubbed',
      baseline: 'bare `node:http` POST handler (read the body, answer 200)',
      target: '≤ 1.5× CPU µs / request; 0 non-2xx',
      lines: (Object.keys(SERVERS) as Array<keyof typeof SERVERS>).map((kind) => ({
        label: SERVERS[kind],
        cells: {
          'req/s': fmt.int(m[kind].rps),
          'CPU µs / request': fmt.us(m[kind].cpuUsPerRequest),
          '× bare': fmt.ratio(m[kind].cpuUsPerRequest / m.bare.cpuUsPerRequest),
          p50: fmt.ms(m[kind].p50),
          p99: fmt.ms(m[kind].p99),
        },
      })),
      verdict: `${fmt.ratio(ratio)} bare CPU / request`,
      pass: ratio <= 1.5 && non2xx === 0,
      notes: non2xx > 0 ? [`${non2xx} non-2xx answers (median run)`] : [],
      runs: options.runs,
      seconds: options.seconds,
    }
  },
}

await runIfMain(import.meta.url, row)
