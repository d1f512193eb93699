/**
 * @module bench/lib/server
 * The process under test, started by `runner.ts` (pinned to its own core): `node server.ts <kind>
 * [dbPath]`. It says `{ ready: port }` over IPC, answers `cpu` with `process.cpuUsage()` and exits
 * on `stop`. `sqlite-loop` (B3) and `pg-loop` (B4, 8 concurrent clients) are the baselines: they
 * insert one row per commit for the given seconds and report `{ rows, seconds }`.
 */
import { createHmac, createSecretKey, timingSafeEqual } from 'node:crypto'
import { createServer, type IncomingMessage, type RequestListener } from 'node:http'
import { openSealedInbox } from '../../src/agent/sealed-inbox.ts'
import type { Database } from '../../src/db/queryable.ts'
import { openPostgresDatabase } from '../../src/db/postgres.ts'
import { openSQLiteDatabase } from '../../src/db/sqlite.ts'
import { generateVaultKey, parseVaultKeys } from '../../src/tokens/keyring.ts'
import { createVault } from '../../src/tokens/seal.ts'
import { migrateInbox } from '../../src/webhook/inbox-schema.ts'
import type { InboxStore } from '../../src/webhook/inbox-store.ts'
import { createNodeWebhookHandler } from '../../src/webhook/node-adapter.ts'
import { BENCH_KEY } from './load.ts'

const [kind = 'bare', dbPath = ':memory:', secondsArg = '3'] = process.argv.slice(2)
const send = (message: unknown): void => {
  process.send?.(message)
}

function readBody(req: IncomingMessage): Promise<Buffer> {
  return new Promise((resolve) => {
    const chunks: Buffer[] = []
    req.on('data', (chunk: Buffer) => chunks.push(chunk))
    req.once('end', () => resolve(Buffer.concat(chunks)))
  })
}

const stubInbox: InboxStore = {
  record: async () => 'new',
  claimNext: async () => undefined,
  complete: async () => {},
  fail: async () => {},
  quarantine: async () => 'new',
  purge: async () => ({ deliveries: 0, quarantined: 0 }),
  backlog: async () => ({ pending: 0, oldestReceivedAt: undefined }),
}

const vault = () => createVault(parseVaultKeys(generateVaultKey({ keyId: 'bench' })))

async function listener(): Promise<RequestListener> {
  switch (kind) {
    case 'bare':
      return (req, res) => {
        void readBody(req).then(() => res.writeHead(200, { 'content-length': '0' }).end())
      }
    case 'inline': {
      const key = createSecretKey(Buffer.from(BENCH_KEY))
      return (req, res) => {
        void readBody(req).then((body) => {
          const expected = createHmac('sha512', key).update(body).digest()
          const received = Buffer.from(String(req.headers['x-goog-signature']), 'base64')
          const ok = received.length === expected.length && timingSafeEqual(expected, received)
          if (ok) JSON.parse(body.toString('utf8'))
          res.writeHead(ok ? 200 : 401, { 'content-length': '0' }).end()
        })
      }
    }
    case 'handler-stub':
      return createNodeWebhookHandler({ keys: [BENCH_KEY], inbox: stubInbox })
    case 'handler-sqlite': {
      const db = openSQLiteDatabase(dbPath)
      await reportSettings(db)
      return createNodeWebhookHandler({ keys: [BENCH_KEY], inbox: await openSealedInbox(db, vault()) })
    }
    case 'handler-pg': {
      const db = openPostgresDatabase({ connectionString: dbPath, pool: { max: 8 } })
      await reportSettings(db)
      return createNodeWebhookHandler({ keys: [BENCH_KEY], inbox: await openSealedInbox(db, vault()) })
    }
    default:
      throw new Error(`unknown server kind ${kind}`)
  }
}

/** The B3/B4 baselines: the inbox's own table and INSERT, a sealed payload of the same size, one commit each. */
async function insertLoop(clients: number): Promise<void> {
  const db =
    kind === 'pg-loop'
      ? openPostgresDatabase({ connectionString: dbPath, pool: { max: clients } })
      : openSQLiteDatabase(dbPath)
  await migrateInbox(db)
  const payload = vault().seal(new Uint8Array(1250), { purpose: 'webhook-inbox', row: 'bench' })
  const deadline = performance.now() + Number(secondsArg) * 1000
  const started = performance.now()
  let next = 0
  let rows = 0
  const client = async (): Promise<void> => {
    while (performance.now() < deadline) {
      const n = next++
      await db.query(
        `INSERT INTO webhook_inbox
         (id, received_at, agent, conversation_id, kind, payload, payload_format, state, attempts, available_at)
       VALUES ($1, $2, $3, $4, $5, $6, $7, 'pending', 0, $2)
       ON CONFLICT (id) DO NOTHING`,
        [`row-${n}`, Date.now(), 'brands/bench/agents/bench', `conv-${n % 997}`, 'message', payload, 'sealed'],
      )
      rows++
    }
  }
  await Promise.all(Array.from({ length: clients }, client))
  const seconds = (performance.now() - started) / 1000
  await reportSettings(db)
  await db.close()
  send({ rows, seconds })
}

/** The durability settings actually in effect on this connection. */
async function reportSettings(db: Database): Promise<void> {
  if (db.dialect === 'postgres') {
    const show = async (name: string): Promise<unknown> =>
      Object.values((await db.query(`SHOW ${name}`)).rows[0] ?? {})[0]
    send({ settings: { synchronous_commit: await show('synchronous_commit'), fsync: await show('fsync') } })
    return
  }
  const synchronous = (await db.query<{ synchronous: number }>('PRAGMA synchronous')).rows[0]?.synchronous
  const journal = (await db.query<{ journal_mode: string }>('PRAGMA journal_mode')).rows[0]?.journal_mode
  send({ settings: { synchronous: SYNCHRONOUS[synchronous ?? -1] ?? String(synchronous), journal } })
}

const SYNCHRONOUS: Record<number, string> = { 0: 'OFF', 1: 'NORMAL', 2: 'FULL', 3: 'EXTRA' }

process.on('message', (message) => {
  if (message === 'cpu') send({ cpu: process.cpuUsage() })
  if (message === 'stop') process.exit(0)
})

if (kind === 'sqlite-loop' || kind === 'pg-loop') {
  await insertLoop(kind === 'pg-loop' ? 8 : 1)
  process.disconnect()
} else {
  const server = createServer({ keepAliveTimeout: 60_000 }, await listener())
  server.listen(0, '127.0.0.1', () => {
    const address = server.address()
    send({ ready: typeof address === 'object' && address !== null ? address.port : 0 })
  })
}
