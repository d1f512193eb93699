/**
 * @module bench/lib/load
 * Load generators on raw loopback sockets (an HTTP client library would cost more CPU than the
 * server under test): closed loop (each connection sends its next request when the previous answer
 * is in; maximum throughput) and open loop (requests start at a constant arrival rate whatever the
 * answers do, latency measured from the scheduled start, so a stall is not hidden).
 */
import { createHmac } from 'node:crypto'
import { connect, type Socket } from 'node:net'

export const BENCH_KEY = 'bench-webhook-key'

/** A signed ~1.2 KB text-message delivery with a unique message id, as request bytes. */
export function deliveryRequest(port: number, n: number, options: { forge?: boolean } = {}): Buffer {
  const body = Buffer.from(
    JSON.stringify({
      agent: 'brands/bench/agents/bench',
      conversationId: `conv-${n % 997}`,
      customAgentId: 'bench',
      requestId: `req-${process.pid}-${n}`,
      message: {
        name: `conversations/conv-${n % 997}/messages/m-${process.pid}-${n}`,
        messageId: `m-${process.pid}-${n}`,
        text: `hello ${n} ${'x'.repeat(900)}`,
        createTime: new Date().toISOString(),
      },
      context: { placeId: 'bench-place', userInfo: { displayName: 'Bench User', userDeviceLocale: 'en-GB' } },
      sendTime: new Date().toISOString(),
    }),
  )
  const signature = options.forge === true ? 'A'.repeat(86) + '==' : sign(body)
  const head =
    `POST /webhook HTTP/1.1\r\nhost: 127.0.0.1:${port}\r\ncontent-type: application/json\r\n` +
    `x-goog-signature: ${signature}\r\ncontent-length: ${body.length}\r\n\r\n`
  return Buffer.concat([Buffer.from(head), body])
}

export const sign = (body: Uint8Array, key = BENCH_KEY): string =>
  createHmac('sha512', key).update(body).digest('base64')

export interface LoadResult {
  requests: number
  /** Answers that were not 2xx (a benchmark row fails on any). */
  non2xx: number
  seconds: number
  /** Latencies in ms, unsorted. */
  latencies: Float64Array
  latencyCount: number
}

type MakeRequest = (n: number) => Buffer

/** One keep-alive connection that sends a request and resolves with the status when the answer is in. */
class Connection {
  readonly #socket: Socket
  #buffer: Buffer = Buffer.alloc(0)
  #waiting: ((status: number) => void) | undefined
  #fail: ((err: Error) => void) | undefined

  constructor(socket: Socket) {
    this.#socket = socket
    socket.setNoDelay(true)
    socket.on('data', (chunk: Buffer) => this.#onData(chunk))
    socket.on('error', (err) => this.#fail?.(err))
    socket.on('close', () => this.#fail?.(new Error('connection closed by the server')))
  }

  static open(port: number): Promise<Connection> {
    return new Promise((resolve, reject) => {
      const socket = connect(port, '127.0.0.1', () => resolve(new Connection(socket)))
      socket.once('error', reject)
    })
  }

  send(request: Buffer): Promise<number> {
    return new Promise((resolve, reject) => {
      this.#waiting = resolve
      this.#fail = reject
      this.#socket.write(request)
    })
  }

  close(): void {
    this.#fail = undefined
    this.#socket.destroy()
  }

  #onData(chunk: Buffer): void {
    this.#buffer = this.#buffer.length === 0 ? chunk : Buffer.concat([this.#buffer, chunk])
    const end = this.#buffer.indexOf('\r\n\r\n')
    if (end < 0) return
    const head = this.#buffer.subarray(0, end).toString('latin1')
    const length = Number(/content-length: *(\d+)/i.exec(head)?.[1] ?? 0)
    if (this.#buffer.length < end + 4 + length) return
    this.#buffer = this.#buffer.subarray(end + 4 + length)
    const status = Number(head.slice(9, 12))
    const done = this.#waiting
    this.#waiting = undefined
    done?.(status)
  }
}

function newResult(capacity: number): LoadResult {
  return { requests: 0, non2xx: 0, seconds: 0, latencies: new Float64Array(capacity), latencyCount: 0 }
}

function note(result: LoadResult, status: number, ms: number): void {
  result.requests++
  if (status < 200 || status > 299) result.non2xx++
  if (result.latencyCount < result.latencies.length) result.latencies[result.latencyCount++] = ms
}

/** `connections` connections each sending back to back for `seconds` (plus a short untimed warm-up). */
export async function closedLoop(options: {
  port: number
  connections: number
  seconds: number
  makeRequest: MakeRequest
}): Promise<LoadResult> {
  const conns = await Promise.all(Array.from({ length: options.connections }, () => Connection.open(options.port)))
  let n = 0
  const result = newResult(4_000_000)
  const started = performance.now()
  const deadline = started + options.seconds * 1000
  try {
    await Promise.all(
      conns.map(async (conn) => {
        while (performance.now() < deadline) {
          const request = options.makeRequest(n++)
          const t0 = performance.now()
          const status = await conn.send(request)
          note(result, status, performance.now() - t0)
        }
      }),
    )
  } finally {
    for (const conn of conns) conn.close()
  }
  result.seconds = (performance.now() - started) / 1000
  return result
}

/**
 * Requests at `rate` per second for `seconds` over a pool of `connections`; each latency counts
 * from the request's scheduled start (a request waiting for a free connection is late, not absent).
 */
export async function openLoop(options: {
  port: number
  rate: number
  seconds: number
  connections: number
  makeRequest: MakeRequest
}): Promise<LoadResult> {
  const idle = await Promise.all(Array.from({ length: options.connections }, () => Connection.open(options.port)))
  const all = [...idle]
  const total = Math.round(options.rate * options.seconds)
  const result = newResult(total)
  const backlog: Array<{ n: number; scheduled: number }> = []
  const started = performance.now()
  let issued = 0
  let inFlight = 0
  const { promise: finished, resolve } = Promise.withResolvers<void>()
  const dispatch = (): void => {
    while (backlog.length > 0 && idle.length > 0) {
      const job = backlog.shift()
      const conn = idle.pop()
      if (job === undefined || conn === undefined) break
      inFlight++
      void conn.send(options.makeRequest(job.n)).then((status) => {
        note(result, status, performance.now() - job.scheduled)
        inFlight--
        idle.push(conn)
        dispatch()
        if (issued === total && inFlight === 0 && backlog.length === 0) resolve()
      })
    }
  }
  const timer = setInterval(() => {
    const due = Math.min(total, Math.floor(((performance.now() - started) / 1000) * options.rate))
    for (; issued < due; issued++) backlog.push({ n: issued, scheduled: started + (issued / options.rate) * 1000 })
    dispatch()
    if (issued === total) clearInterval(timer)
  }, 1)
  await finished
  for (const conn of all) conn.close()
  result.seconds = (performance.now() - started) / 1000
  return result
}

/** The q-quantile (0..1) of the first `count` values. */
export function quantile(values: Float64Array, count: number, q: number): number {
  const sorted = values.slice(0, count).sort()
  if (sorted.length === 0) return Number.NaN
  return sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))] ?? Number.NaN
}
