/**
 * @module test/contract/inbox-store-contract
 * The shared suite every {@link InboxStore} backend must pass (style habit 7): de-duplication
 * (also under concurrency), leases, retries, completion, quarantine, retention, and no plaintext
 * authorization code at rest (security cases W10, S5).
 */
import assert from 'node:assert/strict'
import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto'
import { describe, test } from 'node:test'
import type { Database } from '../../src/db/queryable.ts'
import { isBmOAuthError } from '../../src/errors.ts'
import { openInboxStore, type PayloadSealer } from '../../src/webhook/inbox-store.ts'
import { parseWebhookEvent } from '../../src/webhook/parse-event.ts'
import { DAY_MS } from '../../src/webhook/replay-window.ts'

export interface InboxStoreContractOptions {
  /** A fresh, empty database per test. */
  open: () => Promise<Database>
  /** A second connection to the same database as the last `open()`, to act as another process. */
  openSecondConnection?: () => Promise<Database>
}

const T0 = Date.parse('2026-03-01T12:00:00Z')
const CODE = 'SplxlOBeZQQYbYS6WxSbIA-secret-code'

export function body(fields: Record<string, unknown>): Uint8Array {
  return new TextEncoder().encode(
    JSON.stringify({
      agent: 'brands/1/agents/2',
      conversationId: 'conv-1',
      sendTime: '2026-03-01T11:59:59Z',
      ...fields,
    }),
  )
}
const authBody = (requestId: string): Uint8Array =>
  body({ requestId, authenticationResponse: { code: CODE, redirectUri: 'https://business.google.com/callback' } })
const textBody = (requestId: string, text = 'hi'): Uint8Array =>
  body({ requestId, message: { messageId: `m-${requestId}`, text } })

/** AES-256-GCM with a random key: iv(12) | tag(16) | ciphertext, the row id as AAD. */
export function testSealer(): PayloadSealer {
  const key = randomBytes(32)
  return {
    async seal(plaintext, aad) {
      const iv = randomBytes(12)
      const cipher = createCipheriv('aes-256-gcm', key, iv).setAAD(Buffer.from(aad))
      const ct = Buffer.concat([cipher.update(plaintext), cipher.final()])
      return new Uint8Array(Buffer.concat([iv, cipher.getAuthTag(), ct]))
    },
    async unseal(sealed, aad) {
      const buf = Buffer.from(sealed)
      const decipher = createDecipheriv('aes-256-gcm', key, buf.subarray(0, 12)).setAAD(Buffer.from(aad))
      decipher.setAuthTag(buf.subarray(12, 28))
      return new Uint8Array(Buffer.concat([decipher.update(buf.subarray(28)), decipher.final()]))
    },
  }
}

async function record(store: Awaited<ReturnType<typeof openInboxStore>>, raw: Uint8Array, receivedAt = T0) {
  return store.record({ event: parseWebhookEvent(raw), rawBody: raw, receivedAt })
}

async function dumpContains(db: Database, needle: string): Promise<boolean> {
  const rows = [
    ...(await db.query('SELECT * FROM webhook_inbox')).rows,
    ...(await db.query('SELECT * FROM webhook_quarantine')).rows,
  ]
  return rows.some((row) =>
    Object.values(row).some((v) =>
      v instanceof Uint8Array ? Buffer.from(v).includes(needle) : String(v).includes(needle),
    ),
  )
}

export function describeInboxStoreContract(name: string, options: InboxStoreContractOptions): void {
  async function withDb(fn: (db: Database) => Promise<void>): Promise<void> {
    const db = await options.open()
    try {
      await fn(db)
    } finally {
      await db.close()
    }
  }

  describe(`InboxStore contract: ${name}`, () => {
    test('record returns new, then duplicate for the same dedupe key', () =>
      withDb(async (db) => {
        const store = await openInboxStore(db)
        assert.equal(await record(store, textBody('r-1')), 'new')
        assert.equal(await record(store, textBody('r-1', 'different text, same requestId')), 'duplicate')
        assert.equal(await record(store, textBody('r-2')), 'new')
      }))

    test('backlog counts pending and leased deliveries and names the oldest arrival; done ones leave it', () =>
      withDb(async (db) => {
        const store = await openInboxStore(db)
        assert.deepEqual(await store.backlog(), { pending: 0, oldestReceivedAt: undefined })
        await record(store, textBody('r-old'), T0)
        await record(store, textBody('r-new'), T0 + 5)
        const claimed = await store.claimNext(T0 + 10, 60_000)
        assert.deepEqual(await store.backlog(), { pending: 2, oldestReceivedAt: T0 })
        await store.complete(claimed!.id)
        assert.deepEqual(await store.backlog(), { pending: 1, oldestReceivedAt: T0 + 5 })
      }))

    test('W10 10 concurrent duplicates: exactly one is new', () =>
      withDb(async (db) => {
        const store = await openInboxStore(db)
        const results = await Promise.all(Array.from({ length: 10 }, () => record(store, textBody('r-dup'))))
        assert.deepEqual(results.filter((r) => r === 'new').length, 1)
        assert.equal((await db.query('SELECT id FROM webhook_inbox')).rows.length, 1)
      }))

    // Only backends with a second connection in one process (PostgreSQL) run this case; node:sqlite's
    // second connection would block the event loop on the file lock (cross-process SQLite is covered
    // by the migration and crash tests, which use child processes).
    const openSecond = options.openSecondConnection
    if (openSecond !== undefined) {
      test('W10 duplicates across two instances of the store: exactly one is new', async () => {
        await withDb(async (db) => {
          const first = await openInboxStore(db)
          const otherDb = await openSecond()
          try {
            const second = await openInboxStore(otherDb)
            const results = await Promise.all(
              Array.from({ length: 10 }, (_, i) => record(i % 2 === 0 ? first : second, textBody('r-x'))),
            )
            assert.equal(results.filter((r) => r === 'new').length, 1)
          } finally {
            await otherDb.close()
          }
        })
      })
    }

    test('S5 with a sealer the code survives for the processor but is not in the database in plaintext', () =>
      withDb(async (db) => {
        const store = await openInboxStore(db, { sealer: testSealer() })
        await record(store, authBody('r-auth'))
        assert.equal(await dumpContains(db, CODE), false)
        const claimed = await store.claimNext(T0, 60_000)
        assert.equal(claimed?.secretWithheld, false)
        assert.deepEqual(claimed?.event.kind === 'authentication' && claimed.event.authentication, {
          outcome: 'code',
          code: CODE,
          redirectUri: 'https://business.google.com/callback',
        })
      }))

    test('S5 without a sealer the code is withheld from storage and reads back as missing', () =>
      withDb(async (db) => {
        const store = await openInboxStore(db)
        await record(store, authBody('r-auth'))
        assert.equal(await dumpContains(db, CODE), false)
        const claimed = await store.claimNext(T0, 60_000)
        assert.equal(claimed?.secretWithheld, true)
        assert.equal(claimed?.event.kind === 'authentication' && claimed.event.authentication.outcome, 'missing')
      }))

    test('a sealed payload moved to another row does not decrypt; that row is given up, not served', () =>
      withDb(async (db) => {
        const store = await openInboxStore(db, { sealer: testSealer() })
        await record(store, authBody('r-a'))
        await record(store, textBody('r-b'), T0 + 1)
        await db.query(
          'UPDATE webhook_inbox SET payload = (SELECT payload FROM webhook_inbox WHERE id = $1) WHERE id = $2',
          ['r:r-a', 'r:r-b'],
        )
        await db.query("UPDATE webhook_inbox SET available_at = 0 WHERE id = 'r:r-b'")
        const claimed = await store.claimNext(T0, 60_000)
        assert.equal(claimed?.id, 'r:r-a')
        const { rows } = await db.query<{ state: string }>("SELECT state FROM webhook_inbox WHERE id = 'r:r-b'")
        assert.equal(rows[0]!.state, 'dead')
      }))

    test('claimNext serves the oldest due delivery and leases it until the lease expires', () =>
      withDb(async (db) => {
        const store = await openInboxStore(db)
        await record(store, textBody('r-2'), T0 + 10)
        await record(store, textBody('r-1'), T0)
        const first = await store.claimNext(T0 + 20, 1_000)
        assert.equal(first?.id, 'r:r-1')
        assert.equal(first?.attempts, 1)
        assert.equal(first?.event.kind, 'message')
        assert.equal((await store.claimNext(T0 + 20, 1_000))?.id, 'r:r-2')
        assert.equal(await store.claimNext(T0 + 500, 1_000), undefined)
        const again = await store.claimNext(T0 + 20 + 1_000, 1_000)
        assert.equal(again?.id, 'r:r-1')
        assert.equal(again?.attempts, 2)
      }))

    test('a delivery recorded in the future of now is not yet due', () =>
      withDb(async (db) => {
        const store = await openInboxStore(db)
        await record(store, textBody('r-1'), T0)
        assert.equal(await store.claimNext(T0 - 1, 1_000), undefined)
      }))

    test('complete ends processing, empties the payload, and keeps the dedupe key', () =>
      withDb(async (db) => {
        const store = await openInboxStore(db)
        await record(store, textBody('r-1', 'keep me out'))
        const claimed = await store.claimNext(T0, 1_000)
        await store.complete(claimed!.id)
        assert.equal(await store.claimNext(T0 + 10 * DAY_MS, 1_000), undefined)
        assert.equal(await dumpContains(db, 'keep me out'), false)
        assert.equal(await record(store, textBody('r-1')), 'duplicate')
      }))

    test('fail with retryAt schedules a retry; fail without gives up for good', () =>
      withDb(async (db) => {
        const store = await openInboxStore(db)
        await record(store, textBody('r-1'))
        await record(store, textBody('r-2'), T0 + 1)
        const a = await store.claimNext(T0 + 1, 1_000)
        await store.fail(a!.id, 'BM API 500', T0 + 5_000)
        const b = await store.claimNext(T0 + 1, 1_000)
        assert.equal(b?.id, 'r:r-2')
        await store.fail(b!.id, 'unsupported', undefined)
        assert.equal(await store.claimNext(T0 + 4_999, 1_000), undefined)
        const retried = await store.claimNext(T0 + 5_000, 1_000)
        assert.deepEqual([retried?.id, retried?.attempts], ['r:r-1', 2])
        await store.complete(retried!.id)
        assert.equal(await store.claimNext(T0 + 30 * 60_000, 1_000), undefined)
        const { rows } = await db.query<{ last_error: string }>(
          "SELECT last_error FROM webhook_inbox WHERE id = 'r:r-2'",
        )
        assert.equal(rows[0]!.last_error, 'unsupported')
      }))

    test('concurrent claimNext calls never hand out the same delivery twice', () =>
      withDb(async (db) => {
        const store = await openInboxStore(db)
        for (let i = 0; i < 5; i++) await record(store, textBody(`r-${i}`), T0 + i)
        const second = options.openSecondConnection === undefined ? undefined : await options.openSecondConnection()
        try {
          const other = second === undefined ? store : await openInboxStore(second)
          const claims = await Promise.all(
            Array.from({ length: 8 }, (_, i) => (i % 2 === 0 ? store : other).claimNext(T0 + 10, 60_000)),
          )
          const ids = claims.flatMap((c) => (c === undefined ? [] : [c.id]))
          assert.equal(new Set(ids).size, ids.length)
          // Lost races may return nothing; whatever is left is still claimable afterwards.
          let rest = 0
          while ((await store.claimNext(T0 + 10, 60_000)) !== undefined) rest++
          assert.equal(ids.length + rest, 5)
        } finally {
          await second?.close()
        }
      }))

    test('quarantine keeps a body once, sealed with a sealer and not at all without', () =>
      withDb(async (db) => {
        const sealed = await openInboxStore(db, { sealer: testSealer() })
        const poison = new TextEncoder().encode(`{"authenticationResponse": {"code": "${CODE}"`)
        assert.equal(await sealed.quarantine({ rawBody: poison, reason: 'bad JSON', receivedAt: T0 }), 'new')
        assert.equal(await sealed.quarantine({ rawBody: poison, reason: 'bad JSON', receivedAt: T0 }), 'duplicate')
        const plain = await openInboxStore(db)
        await plain.quarantine({ rawBody: new TextEncoder().encode('[1]'), reason: 'not an object', receivedAt: T0 })
        assert.equal(await dumpContains(db, CODE), false)
        const { rows } = await db.query<{ reason: string; body_bytes: number; payload: unknown }>(
          'SELECT reason, body_bytes, payload FROM webhook_quarantine ORDER BY reason',
        )
        assert.deepEqual(
          rows.map((r) => [r.reason, Number(r.body_bytes), r.payload === null]),
          [
            ['bad JSON', poison.byteLength, false],
            ['not an object', 3, true],
          ],
        )
      }))

    test('purge keeps at least 7 days plus skew and deletes only older rows', () =>
      withDb(async (db) => {
        const store = await openInboxStore(db)
        await record(store, textBody('old'), T0)
        await record(store, textBody('young'), T0 + 2 * DAY_MS)
        await store.quarantine({ rawBody: new TextEncoder().encode('x'), reason: 'r', receivedAt: T0 })
        await assert.rejects(store.purge(T0, 7 * DAY_MS), (err) => isBmOAuthError(err, 'ERR_INVALID_ARGUMENT'))
        assert.deepEqual(await store.purge(T0 + 8 * DAY_MS + 1), { deliveries: 1, quarantined: 1 })
        assert.equal(await record(store, textBody('young')), 'duplicate')
        assert.equal(await record(store, textBody('old')), 'new')
      }))

    test('migrations are idempotent: opening the store twice is harmless', () =>
      withDb(async (db) => {
        await openInboxStore(db)
        const store = await openInboxStore(db)
        assert.equal(await record(store, textBody('r-1')), 'new')
      }))
  })
}
