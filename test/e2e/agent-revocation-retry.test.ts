/**
 * R8 end to end: the user signs out while the provider's revocation endpoint answers 503 (with
 * `Retry-After: 2`), cannot be reached, or times out. The local copy is deleted at once, the tokens
 * wait in the sealed revocation queue, and once the injected clock has moved past the retry time the
 * agent's retry loop revokes them at the real strict provider (introspection then says inactive).
 * The failures come from a fetch wrapper in front of the real provider; everything else is real.
 */
import { after, before, describe, test } from 'node:test'
import assert from 'node:assert/strict'
import { createAuditLog } from '../../src/audit/audit-log.ts'
import { randomBytes } from 'node:crypto'
import { existsSync, readFileSync } from 'node:fs'
import { ManualClock } from '../../src/core/clock.ts'
import type { FetchLike } from '../../src/core/fetch.ts'
import { resolveProvider } from '../../src/oauth/provider.ts'
import type { AgentStores } from '../../src/ops/stores.ts'
import { revokeSignIns } from '../../src/ops/signins.ts'
import { createPendingSignInStore } from '../../src/signin-store/pending-signins.ts'
import { parseVaultKeys } from '../../src/tokens/keyring.ts'
import { createRevocationQueue, type NewRevocation, type RevocationQueue } from '../../src/tokens/revocation-queue.ts'
import { createVault } from '../../src/tokens/seal.ts'
import { createSQLTokenStore } from '../../src/tokens/sql-token-store.ts'
import {
  CLIENT_ID,
  CLIENT_SECRET,
  isActiveAtProvider,
  openConversation,
  signInWithBalance,
  startWorld,
  storedTokens,
  userSays,
  waitFor,
  waitForText,
  type RunningAgent,
  type World,
} from './support.ts'

type Failure = () => Response
/** `delayMs`: the Retry-After when `retryAfter`, else the first backoff step's ceiling (full jitter below it). */
const FAILURES: ReadonlyArray<{ name: string; fail: Failure; delayMs: number; retryAfter: boolean; errCode: RegExp }> =
  [
    {
      name: '503 with Retry-After: 2',
      fail: () =>
        new Response(JSON.stringify({ error: 'temporarily_unavailable' }), {
          status: 503,
          headers: { 'content-type': 'application/json', 'retry-after': '2' },
        }),
      delayMs: 2000,
      retryAfter: true,
      errCode: /HTTP 503/,
    },
    {
      name: 'unreachable (connection refused)',
      fail: () => {
        throw new TypeError('fetch failed', {
          cause: Object.assign(new Error('connect ECONNREFUSED'), { code: 'ECONNREFUSED' }),
        })
      },
      delayMs: 30_000,
      retryAfter: false,
      errCode: /ERR_NETWORK/,
    },
    {
      name: 'timeout',
      fail: () => {
        throw new DOMException('The operation was aborted due to timeout', 'TimeoutError')
      },
      delayMs: 30_000,
      retryAfter: false,
      errCode: /ERR_HTTP_TIMEOUT/,
    },
  ]

let world: World
let running: RunningAgent
const clock = new ManualClock(Date.now())
let failNext: Failure[] = []
/** Requests after sign-out that carried a token anywhere but the revocation endpoint. */
let watched: string[] = []
const misuse: string[] = []
const revocationAttempts: Array<'failed' | 'sent'> = []
/** Tokens in the revocation requests that reached the provider (the fetch wrapper's record). */
const revokedTokens: string[] = []

before(async () => {
  world = await startWorld()
  const fetch: FetchLike = async (input, init) => {
    const url = input instanceof Request ? input.url : String(input)
    const headers = new Headers(init?.headers)
    const carried = `${headers.get('authorization') ?? ''} ${String(init?.body ?? '')}`
    if (url !== world.metadata.revocation_endpoint) {
      for (const token of watched) if (carried.includes(token)) misuse.push(url)
      return world.fetch(input, init)
    }
    const token = new URLSearchParams(String(init?.body ?? '')).get('token')
    if (token?.startsWith(SENTINEL)) {
      revokedTokens.push(token)
      return world.fetch(input, init)
    }
    const failure = failNext.shift()
    revocationAttempts.push(failure === undefined ? 'sent' : 'failed')
    return failure === undefined ? world.fetch(input, init) : failure()
  }
  running = await world.startAgent({ clock, fetch, revocationRetryIntervalMs: 50 })
})
after(async () => {
  await running?.stop()
  await world?.close()
})

/** Prefix of the tokens of sentinel revocations, which the fetch wrapper passes through untouched. */
const SENTINEL = 'sentinel-'

/**
 * Queues a revocation of an unknown token, due now, and waits until the agent's retry loop has sent
 * it: a retry pass has run at the clock's current time and has taken every row due by then.
 */
async function retryPassAtCurrentTime(queue: RevocationQueue): Promise<void> {
  const token = `${SENTINEL}${randomBytes(8).toString('hex')}`
  const entry: NewRevocation = {
    agent: world.emulator.agentName,
    provider: world.provider.issuer,
    token,
    tokenTypeHint: 'access_token',
  }
  await queue.enqueue(entry, clock.now(), 0)
  await waitFor(`a retry pass that revokes ${token}`, () => (revokedTokens.includes(token) ? true : undefined))
}

function databaseBytes(): Buffer {
  return Buffer.concat([world.dbPath, `${world.dbPath}-wal`].filter((p) => existsSync(p)).map((p) => readFileSync(p)))
}

describe('R8 revocation failure paths', () => {
  for (const { name, fail, delayMs, retryAfter, errCode } of FAILURES) {
    test(`R8 sign-out while the revocation endpoint fails (${name}) → deleted locally at once, sealed queue row, revoked after the retry time`, async () => {
      const queue = createRevocationQueue(running.db, createVault(parseVaultKeys(world.vaultKeys)))
      const conversationId = await openConversation(world)
      const settled = await signInWithBalance(world, conversationId)
      const { accessToken, refreshToken } = (await storedTokens(world, running.db, conversationId))!.tokens!
      assert.ok(refreshToken)
      failNext = [fail, fail] // the refresh token's and the access token's first attempts
      revocationAttempts.length = 0
      const t0 = clock.now()
      await userSays(world, conversationId, 'Sign out')
      await waitForText(world, conversationId, /You're signed out\./, settled)
      watched = [accessToken, refreshToken]

      assert.equal(await storedTokens(world, running.db, conversationId), undefined, 'deleted locally at once')
      const rows = await queue.list({ agent: world.emulator.agentName })
      assert.deepEqual(rows.map((r) => r.tokenTypeHint).sort(), ['access_token', 'refresh_token'])
      for (const row of rows) {
        assert.equal(row.provider, world.provider.issuer)
        if (retryAfter) assert.equal(row.nextAttemptAt, t0 + delayMs, 'Retry-After honoured')
        else assert.ok(row.nextAttemptAt > t0 && row.nextAttemptAt <= t0 + delayMs, 'within the first backoff step')
        assert.match(row.lastError ?? '', errCode)
      }
      const retryTimes = rows.map((r) => r.nextAttemptAt)
      const raw = databaseBytes()
      for (const token of [accessToken, refreshToken]) assert.ok(!raw.includes(Buffer.from(token)), 'sealed at rest')
      assert.equal(await isActiveAtProvider(world, refreshToken), true, 'the provider still holds the grant')
      assert.deepEqual(revocationAttempts, ['failed', 'failed'])

      clock.set(Math.min(...retryTimes) - 1)
      await retryPassAtCurrentTime(queue)
      assert.deepEqual(revocationAttempts, ['failed', 'failed'], 'no retry before the retry time')
      clock.set(Math.max(...retryTimes))
      await waitFor('the queue to drain', async () => ((await queue.list()).length === 0 ? true : undefined))
      assert.deepEqual(revocationAttempts, ['failed', 'failed', 'sent', 'sent'])
      assert.equal(await isActiveAtProvider(world, accessToken), false)
      assert.equal(await isActiveAtProvider(world, refreshToken), false)
      assert.deepEqual(misuse, [], 'the tokens were never used again')
      assert.ok(
        !world.logs.join('').includes(refreshToken) && !world.logs.join('').includes(accessToken),
        'never logged',
      )
    })
  }
})

test('R8 `signins revoke` while the provider answers 503: deleted locally, queued, and the running agent revokes it', async () => {
  const vault = createVault(parseVaultKeys(world.vaultKeys))
  const queue = createRevocationQueue(running.db, vault)
  const conversationId = await openConversation(world)
  await signInWithBalance(world, conversationId)
  const { accessToken, refreshToken } = (await storedTokens(world, running.db, conversationId))!.tokens!
  const stores = {
    db: running.db,
    vault,
    tokens: createSQLTokenStore(running.db, vault),
    pendingSignIns: createPendingSignInStore(running.db, vault),
    revocations: queue,
    audit: createAuditLog(running.db),
  } as unknown as AgentStores
  const unavailable = FAILURES[0]!.fail
  const storedAtRevocation: unknown[] = []
  const operatorProvider = await resolveProvider(
    {
      provider: { issuer: world.provider.issuer },
      client: { clientId: CLIENT_ID, clientSecret: CLIENT_SECRET, tokenEndpointAuthMethod: 'client_secret_basic' },
    },
    {
      allowInsecureLoopback: true,
      fetch: async (input, init) => {
        if (String(input) !== world.metadata.revocation_endpoint) return fetch(input, init)
        storedAtRevocation.push(await storedTokens(world, running.db, conversationId))
        return unavailable()
      },
    },
  )
  const report = await revokeSignIns(
    { stores, providerId: world.provider.issuer, resolveProvider: async () => operatorProvider, clock },
    world.emulator.agentName,
    conversationId,
  )
  assert.deepEqual(
    report.grants.map((g) => [g.revocation, g.queuedForRetry, g.deletedLocally]),
    [['refused', true, true]],
  )
  assert.deepEqual(storedAtRevocation, [undefined, undefined], 'R9: deleted locally before each revocation request')
  assert.equal(await storedTokens(world, running.db, conversationId), undefined)
  assert.equal(await isActiveAtProvider(world, refreshToken!), true)
  clock.advance(2000) // the 503's Retry-After: 2, honoured as the agent does
  await waitFor('the running agent to drain the queue', async () =>
    (await queue.list()).length === 0 ? true : undefined,
  )
  assert.equal(await isActiveAtProvider(world, accessToken), false)
  assert.equal(await isActiveAtProvider(world, refreshToken!), false)
})
