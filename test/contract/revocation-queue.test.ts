/**
 * The revocation queue (R8) on every engine: tokens sealed at rest under their own purpose, claims
 * exclusive across connections, leases, rescheduling and the horizon clean-up.
 */
import assert from 'node:assert/strict'
import { describe, test } from 'node:test'
import { silentLogger } from '../../src/core/logger.ts'
import { migrate } from '../../src/db/migrate.ts'
import { openSQLiteDatabase } from '../../src/db/sqlite.ts'
import { generateVaultKey, parseVaultKeys } from '../../src/tokens/keyring.ts'
import {
  createRevocationQueue,
  migrateRevocationQueue,
  REVOCATION_QUEUE_TABLE,
  revocationQueueMigrations,
} from '../../src/tokens/revocation-queue.ts'
import { createVault } from '../../src/tokens/seal.ts'
import { containsSecret, storeFixtures, withDatabase } from './token-store-fixtures.ts'

const vault = createVault(parseVaultKeys(generateVaultKey({ keyId: 'rq1' })))
const T0 = Date.parse('2026-03-01T00:00:00Z')
const entry = (token: string, hint: 'refresh_token' | 'access_token' = 'refresh_token') => ({
  channel: 'business-messages',
  agent: 'brands/1/agents/2',
  provider: 'https://as.example',
  token,
  tokenTypeHint: hint,
})

/** Sealed rows as the current code makes them (the seal context did not change in version 2). */
async function sealedRows(tokens: readonly string[]): Promise<Array<{ id: string; sealed: Uint8Array }>> {
  const scratch = openSQLiteDatabase(':memory:')
  try {
    await migrateRevocationQueue(scratch)
    const queue = createRevocationQueue(scratch, vault)
    const rows: Array<{ id: string; sealed: Uint8Array }> = []
    for (const token of tokens) {
      const { id } = await queue.enqueue(entry(token), T0, 0)
      const found = await scratch.query<{ sealed: Uint8Array }>(
        `SELECT sealed FROM ${REVOCATION_QUEUE_TABLE} WHERE id = $1`,
        [id],
      )
      rows.push({ id, sealed: found.rows[0]!.sealed })
    }
    return rows
  } finally {
    await scratch.close()
  }
}

for (const fixture of await storeFixtures()) {
  const options = fixture.skip === undefined ? {} : { skip: fixture.skip }
  describe(`revocation queue: ${fixture.name}`, options, () => {
    test('R8 S1 a queued token is sealed at rest; listings show no token; a claim opens it', () =>
      withDatabase(fixture, async ({ db, rawBytes }) => {
        await migrateRevocationQueue(db)
        const queue = createRevocationQueue(db, vault)
        const token = `RT-${'s3cr3t'.repeat(8)}`
        const queued = await queue.enqueue(entry(token), T0, 60_000)
        assert.equal(queued.attempts, 1)
        assert.equal(containsSecret(await rawBytes([REVOCATION_QUEUE_TABLE]), token), false)
        const [summary] = await queue.list()
        assert.deepEqual(Object.keys(summary ?? {}).includes('token'), false)
        assert.equal(summary?.nextAttemptAt, T0 + 60_000, 'leased to the enqueuer')
        assert.deepEqual(
          await queue.claimDue(entry(''), entry('').provider, T0 + 59_999, { leaseMs: 1000, limit: 10 }),
          [],
        )
        const [claimed] = await queue.claimDue(entry(''), entry('').provider, T0 + 60_000, {
          leaseMs: 1000,
          limit: 10,
        })
        assert.equal(claimed?.token, token)
        assert.equal(claimed?.attempts, 2)
        assert.equal(claimed?.tokenTypeHint, 'refresh_token')
      }))

    test('R8 a sealed token copied to another row does not open (bound to its row)', () =>
      withDatabase(fixture, async ({ db }) => {
        await migrateRevocationQueue(db)
        const queue = createRevocationQueue(db, vault)
        const a = await queue.enqueue(entry('token-a-0123456789'), T0, 0)
        const b = await queue.enqueue(entry('token-b-0123456789', 'access_token'), T0, 0)
        const { rows } = await db.query<{ sealed: Uint8Array }>(
          `SELECT sealed FROM ${REVOCATION_QUEUE_TABLE} WHERE id = $1`,
          [a.id],
        )
        await db.query(`UPDATE ${REVOCATION_QUEUE_TABLE} SET sealed = $1 WHERE id = $2`, [rows[0]!.sealed, b.id])
        const claimed = await queue.claimDue(a, a.provider, T0, { leaseMs: 1000, limit: 10 })
        assert.deepEqual(
          claimed.map((r) => [r.id, r.token]),
          [[a.id, 'token-a-0123456789']],
          "b's copied value never opens",
        )
      }))

    test('R8 S3 a row no listed key opens is dropped and logged (no token), and the other rows are still claimed', () =>
      withDatabase(fixture, async ({ db }) => {
        await migrateRevocationQueue(db)
        const lost = await createRevocationQueue(
          db,
          createVault(parseVaultKeys(generateVaultKey({ keyId: 'gone' }))),
        ).enqueue(entry('token-lost-0123456789'), T0 - 1, 0)
        const logged: Array<Record<string, unknown>> = []
        const logger = { ...silentLogger, error: (fields: object) => void logged.push({ ...fields }) }
        const queue = createRevocationQueue(db, vault, { logger })
        const kept = await queue.enqueue(entry('token-kept-0123456789', 'access_token'), T0, 0)
        const claimed = await queue.claimDue(kept, kept.provider, T0, { leaseMs: 1000, limit: 10 })
        assert.deepEqual(
          claimed.map((r) => r.token),
          ['token-kept-0123456789'],
          'the pass goes on past the unreadable row',
        )
        assert.deepEqual(
          (await queue.list()).map((r) => r.id),
          [kept.id],
          'the unreadable row is gone, not retried every pass',
        )
        assert.deepEqual(
          logged.map((f) => [f['revocationId'], f['errCode']]),
          [[lost.id, 'ERR_TOKEN_VAULT_DECRYPT']],
        )
        assert.ok(!JSON.stringify(logged).includes('token-lost'), 'no token in the log')
      }))

    test('R8 two connections claiming at once: each due row goes to exactly one', () =>
      withDatabase(fixture, async ({ db, openSecond }) => {
        await migrateRevocationQueue(db)
        const first = createRevocationQueue(db, vault)
        const second = createRevocationQueue(openSecond?.() ?? db, vault)
        for (let i = 0; i < 6; i++) await first.enqueue(entry(`token-${i}-0123456789`), T0, 0)
        const claim = { leaseMs: 30_000, limit: 10 }
        const [mine, theirs] = await Promise.all([
          first.claimDue(entry(''), 'https://as.example', T0, claim),
          second.claimDue(entry(''), 'https://as.example', T0, claim),
        ])
        const ids = [...mine, ...theirs].map((r) => r.id)
        assert.equal(ids.length, 6)
        assert.equal(new Set(ids).size, 6)
        assert.deepEqual(await first.claimDue(entry(''), 'https://as.example', T0 + 29_999, claim), [], 'leased')
      }))

    test('R8 S9 upgrading a version 1 queue keeps its rows, re-sealed on business-messages: a retry stays due at its time, a lease at its end', () =>
      withDatabase(fixture, async ({ db }) => {
        await migrate(db, 'revocation_queue', revocationQueueMigrations.slice(0, 1))
        const [retrying, leased] = await sealedRows(['token-retry-0123456789', 'token-lease-0123456789'])
        for (const [row, attempts, nextAttemptAt] of [
          [retrying!, 2, T0 + 2000],
          [leased!, 1, T0 + 60_000],
        ] as const) {
          await db.query(
            `INSERT INTO ${REVOCATION_QUEUE_TABLE}
               (id, agent, provider, token_type_hint, key_id, sealed, attempts, next_attempt_at, created_at, last_error)
             VALUES ($1, $2, $3, 'refresh_token', $4, $5, $6, $7, $8, 'ERR_NETWORK')`,
            [row.id, entry('').agent, entry('').provider, vault.activeKeyId, row.sealed, attempts, nextAttemptAt, T0],
          )
        }
        assert.deepEqual(await migrateRevocationQueue(db, { data: { vault } }), { applied: [2, 3] })
        const queue = createRevocationQueue(db, vault)
        assert.deepEqual(
          (await queue.list()).map((r) => [r.id, r.attempts, r.nextAttemptAt, r.lastError]),
          [
            [retrying!.id, 2, T0 + 2000, 'ERR_NETWORK'],
            [leased!.id, 1, T0 + 60_000, 'ERR_NETWORK'],
          ].sort((a, b) => String(a[0]).localeCompare(String(b[0]))),
        )
        const claim = { leaseMs: 60_000, limit: 10 }
        const { channel, agent, provider } = entry('')
        assert.deepEqual(await queue.claimDue({ channel, agent }, provider, T0 + 1999, claim), [])
        const first = await queue.claimDue({ channel, agent }, provider, T0 + 2000, claim)
        assert.deepEqual(
          first.map((r) => [r.token, r.attempts]),
          [['token-retry-0123456789', 3]],
        )
        assert.deepEqual(await queue.claimDue({ channel, agent }, provider, T0 + 59_999, claim), [])
        const second = await queue.claimDue({ channel, agent }, provider, T0 + 60_000, claim)
        assert.deepEqual(
          second.map((r) => [r.token, r.attempts]),
          [['token-lease-0123456789', 2]],
        )
      }))

    test('R8 reschedule, remove, other providers untouched, horizon clean-up', () =>
      withDatabase(fixture, async ({ db }) => {
        await migrateRevocationQueue(db)
        const queue = createRevocationQueue(db, vault)
        const a = await queue.enqueue(entry('token-a-0123456789'), T0, 0)
        const other = await queue.enqueue({ ...entry('token-o-0123456789'), provider: 'https://other.example' }, T0, 0)
        await queue.reschedule(a.id, T0 + 2000, 'ERR_OAUTH_RESPONSE (HTTP 503)')
        const listed = await queue.list({ agent: a.agent })
        assert.equal(listed.find((r) => r.id === a.id)?.lastError, 'ERR_OAUTH_RESPONSE (HTTP 503)')
        assert.deepEqual(await queue.claimDue(a, a.provider, T0 + 1999, { leaseMs: 1, limit: 10 }), [])
        assert.equal((await queue.claimDue(a, a.provider, T0 + 2000, { leaseMs: 1, limit: 10 })).length, 1)
        assert.equal(await queue.remove(a.id), true)
        assert.equal(await queue.remove(a.id), false)
        assert.equal(await queue.dropCreatedBefore(a, T0), 0)
        assert.equal(await queue.dropCreatedBefore(a, T0 + 1), 1)
        assert.deepEqual(await queue.list(), [])
        assert.equal(other.provider, 'https://other.example')
      }))

    test('S3 rekey re-seals queued tokens under the active key', () =>
      withDatabase(fixture, async ({ db }) => {
        await migrateRevocationQueue(db)
        const oldKey = generateVaultKey({ keyId: 'old' })
        await createRevocationQueue(db, createVault(parseVaultKeys(oldKey))).enqueue(entry('token-r-0123456789'), T0, 0)
        const rotated = createVault(parseVaultKeys(`${generateVaultKey({ keyId: 'new' })},${oldKey}`))
        const result = await createRevocationQueue(db, rotated).rekey()
        assert.deepEqual(result, { rekeyed: 1, failed: 0, remaining: 0 })
        const [claimed] = await createRevocationQueue(db, rotated).claimDue(entry(''), entry('').provider, T0, {
          leaseMs: 1,
          limit: 1,
        })
        assert.equal(claimed?.token, 'token-r-0123456789')
      }))
  })
}
