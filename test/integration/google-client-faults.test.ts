/**
 * The client retry policy against the real emulator, with faults injected by wrapping the real
 * fetch: 500 and 429 are retried, 503 is not, a timeout after the emulator applied the create is
 * retried with the same id and its 409 counts as success, a 401 refreshes the token once, and the
 * emulator's real quota of 60 messages per minute per conversation is met with and without the
 * client's pacer (docs/contract-decisions.md §2.6, §10 "client retry policy"; security cases A1,
 * A2, A3, A5). No test sleeps: `sleep` is injected and either records or moves the emulator's
 * clock, which stands still otherwise.
 */
import { after, before, describe, test } from 'node:test'
import assert from 'node:assert/strict'
import { ManualClock, OffsetClock } from '../../src/core/clock.ts'
import type { RunningEmulator } from '../../src/emulator/index.ts'
import { BmOAuthError, GoogleAPIError } from '../../src/errors.ts'
import {
  BusinessMessagesClient,
  type BusinessMessagesClientOptions,
  type ServiceAccountCredentials,
} from '../../src/google/index.ts'
import {
  emulatorCredentials,
  googleErrorResponse,
  loggedAgentMessages,
  openConversation,
  recordingFetch,
  recordingSleep,
  startTestEmulator,
  type FaultHook,
  type RecordingFetch,
  type TestEmulator,
} from './support.ts'

const BOT = { representativeType: 'BOT' } as const
const MESSAGES = /^\/v1\/conversations\/[^/]+\/messages$/
/** The emulator's access-token lifetime (docs/contract-decisions.md §5.2: `expires_in` 3600). */
const TOKEN_LIFETIME_MS = 3600 * 1000

/** Applies `fault` to the messages.create attempts numbered in `attempts` (0-based); others pass through. */
function onMessageAttempts(attempts: readonly number[], fault: FaultHook): FaultHook {
  let seen = 0
  return (request, forward) => {
    if (request.method !== 'POST' || !MESSAGES.test(request.url.pathname)) return undefined
    return attempts.includes(seen++) ? fault(request, forward) : undefined
  }
}

/** The messageId in the body of a recorded messages.create attempt. */
function messageIdOf(body: string | undefined): unknown {
  return (JSON.parse(body ?? '{}') as { messageId?: unknown }).messageId
}

let running: TestEmulator
let emulator: RunningEmulator
let credentials: ServiceAccountCredentials

before(async () => {
  // The emulator's time stands still unless a test moves it, so request latency never shifts the
  // quota window and every time-dependent assertion below is deterministic.
  running = await startTestEmulator({ clock: new OffsetClock(new ManualClock()) })
  emulator = running.emulator
  // This token source reads the emulator's clock, so moving that clock never makes its assertions stale.
  credentials = await emulatorCredentials(emulator, { scopes: ['businessmessages'], clock: emulator.clock })
})
after(() => running.stop())

interface Harness {
  client: BusinessMessagesClient
  rf: RecordingFetch
  delays: number[]
  conversationId: string
}

/** A client whose fetch records (and maybe faults) and whose sleep only records, plus a fresh conversation. */
async function harness(hook?: FaultHook, options: Partial<BusinessMessagesClientOptions> = {}): Promise<Harness> {
  const rf = recordingFetch(hook)
  const { sleep, delays } = recordingSleep()
  const client = new BusinessMessagesClient({
    credentials,
    baseUrl: emulator.url,
    fetch: rf.fetch,
    sleep,
    random: () => 0.5,
    ...options,
  })
  return { client, rf, delays, conversationId: await openConversation(emulator) }
}

/** Sends `count` text messages one after another in the harness's conversation. */
async function sendNumbered(h: Harness, prefix: string, count: number): Promise<void> {
  for (let i = 1; i <= count; i++) {
    await h.client.createMessage(h.conversationId, { text: `${prefix} ${i}`, representative: BOT })
  }
}

function assertGoogleError(err: unknown, httpStatus: number, rpcStatus: string): true {
  assert.ok(err instanceof GoogleAPIError, `expected GoogleAPIError, got ${String(err)}`)
  assert.equal(err.httpStatus, httpStatus)
  assert.equal(err.rpcStatus, rpcStatus)
  return true
}

describe('A2 status policy', () => {
  test('A2 docs/contract-decisions.md §2.6 500 on the first attempt → backoff, retry with the same messageId, one message logged', async () => {
    const h = await harness(onMessageAttempts([0], () => Promise.resolve(googleErrorResponse(500, 'INTERNAL'))))
    const sent = await h.client.createMessage(h.conversationId, {
      text: 'Transient failure first',
      representative: BOT,
    })
    const attempts = h.rf.to('/v1/conversations/')
    assert.deepEqual(
      attempts.map((a) => a.status),
      [500, 200],
    )
    assert.equal(messageIdOf(attempts[0]?.body), messageIdOf(attempts[1]?.body))
    assert.equal(h.delays.length, 1, 'one backoff pause')
    const logged = await loggedAgentMessages(emulator, h.conversationId)
    assert.deepEqual(
      logged.map((m) => m.name),
      [sent.name],
    )
  })

  test('A2 docs/contract-decisions.md §2.6 503 → not retried: one attempt, GoogleAPIError UNAVAILABLE, nothing logged', async () => {
    const h = await harness(onMessageAttempts([0], () => Promise.resolve(googleErrorResponse(503, 'UNAVAILABLE'))))
    await assert.rejects(
      h.client.createMessage(h.conversationId, { text: 'Platform incident', representative: BOT }),
      (err) => assertGoogleError(err, 503, 'UNAVAILABLE'),
    )
    assert.equal(h.rf.to('/v1/conversations/').length, 1)
    assert.deepEqual(h.delays, [])
    assert.deepEqual(await loggedAgentMessages(emulator, h.conversationId), [])
  })

  test('A2 docs/contract-decisions.md §10 "client retry policy": 429 with Retry-After: 1 → the client sleeps 1000 ms (injected) and retries', async () => {
    const tooMany = (): Promise<Response> =>
      Promise.resolve(googleErrorResponse(429, 'RESOURCE_EXHAUSTED', { 'retry-after': '1' }))
    const h = await harness(onMessageAttempts([0], tooMany))
    const sent = await h.client.createMessage(h.conversationId, { text: 'Slow down', representative: BOT })
    assert.deepEqual(
      h.rf.to('/v1/conversations/').map((a) => a.status),
      [429, 200],
    )
    assert.deepEqual(h.delays, [1000])
    assert.deepEqual(
      (await loggedAgentMessages(emulator, h.conversationId)).map((m) => m.name),
      [sent.name],
    )
  })
})

describe('A3 idempotent send', () => {
  const lostAnswers = [
    ['timeout', () => new DOMException('The operation was aborted due to timeout', 'TimeoutError')],
    ['network error', () => new TypeError('fetch failed')],
  ] as const
  for (const [label, failure] of lostAnswers) {
    test(`A3 docs/contract-decisions.md §10 "crash semantics": a ${label} after the emulator applied the create → same id retried → 409 → success, no duplicate`, async () => {
      // The request really reaches the emulator, which stores the message; only the answer is lost.
      const loseAnswer: FaultHook = async (_request, forward) => {
        await (await forward()).text()
        throw failure()
      }
      const h = await harness(onMessageAttempts([0], loseAnswer))
      const sent = await h.client.createMessage(h.conversationId, { text: 'Did this arrive?', representative: BOT })

      const attempts = h.rf.to('/v1/conversations/')
      assert.deepEqual(
        attempts.map((a) => a.status),
        [undefined, 409],
      )
      assert.equal(messageIdOf(attempts[0]?.body), messageIdOf(attempts[1]?.body), 'the retry reuses the messageId')
      assert.equal(sent.name, `conversations/${h.conversationId}/messages/${String(messageIdOf(attempts[0]?.body))}`)
      assert.equal(sent.text, 'Did this arrive?')
      const logged = await loggedAgentMessages(emulator, h.conversationId)
      assert.equal(logged.length, 1, 'exactly one message (one bubble) in the emulator')
      assert.equal(logged[0]?.name, sent.name)
    })
  }

  test('A3 a timeout whose request never arrived → the retry creates the message', async () => {
    const h = await harness(onMessageAttempts([0], () => Promise.reject(new DOMException('timed out', 'TimeoutError'))))
    const sent = await h.client.createMessage(h.conversationId, { text: 'Second time lucky', representative: BOT })
    assert.deepEqual(
      h.rf.to('/v1/conversations/').map((a) => a.status),
      [undefined, 200],
    )
    assert.deepEqual(
      (await loggedAgentMessages(emulator, h.conversationId)).map((m) => m.name),
      [sent.name],
    )
  })

  test('A3 transport failures on every attempt → ERR_HTTP_TIMEOUT after maxAttempts, same id each time', async () => {
    const h = await harness(
      onMessageAttempts([0, 1, 2], () => Promise.reject(new DOMException('timed out', 'TimeoutError'))),
      { retry: { maxAttempts: 3 } },
    )
    await assert.rejects(h.client.createMessage(h.conversationId, { text: 'Never', representative: BOT }), (err) => {
      assert.ok(err instanceof BmOAuthError)
      assert.equal(err.code, 'ERR_HTTP_TIMEOUT')
      return true
    })
    const ids = new Set(h.rf.to('/v1/conversations/').map((a) => messageIdOf(a.body)))
    assert.equal(h.rf.to('/v1/conversations/').length, 3)
    assert.equal(ids.size, 1)
    assert.equal(h.delays.length, 2)
  })
})

describe('A5 service-account token refresh on 401', () => {
  test('A5 docs/contract-decisions.md §10 "client retry policy": the emulator expires the token (clock moved past expires_in) → 401 → one refresh → success', async () => {
    // A token source with a clock of its own, so it can go on trusting its cached token.
    const clientClock = new ManualClock(emulator.clock.now())
    const tokenFetch = recordingFetch()
    const stale = await emulatorCredentials(emulator, {
      scopes: ['businessmessages'],
      clock: clientClock,
      fetch: tokenFetch.fetch,
    })
    const h = await harness(undefined, { credentials: stale })
    await h.client.createMessage(h.conversationId, { text: 'Before expiry', representative: BOT })
    assert.equal(tokenFetch.requests.length, 1)

    emulator.clock.advance(TOKEN_LIFETIME_MS + 1000)
    // The agent's clock moves half an hour: its cached token still looks valid to it, and its next
    // assertion is recent enough for the emulator (no reliance on the token endpoint's clock tolerance).
    clientClock.advance(TOKEN_LIFETIME_MS / 2)
    const sent = await h.client.createMessage(h.conversationId, { text: 'After expiry', representative: BOT })
    assert.deepEqual(
      h.rf.to('/v1/conversations/').map((a) => a.status),
      [200, 401, 200],
    )
    assert.equal(tokenFetch.requests.length, 2, 'exactly one refresh')
    assert.equal(tokenFetch.requests[1]?.url.href, `${emulator.url}/token`)
    assert.deepEqual(h.delays, [], 'a 401 is retried at once')
    const logged = await loggedAgentMessages(emulator, h.conversationId)
    assert.deepEqual(
      logged.map((m) => m.body['text']),
      ['Before expiry', 'After expiry'],
    )
    assert.equal(logged[1]?.name, sent.name)
  })

  test('A5 a second 401 after the refresh → UNAUTHENTICATED, no further refresh', async () => {
    const tokenFetch = recordingFetch()
    const fresh = await emulatorCredentials(emulator, {
      scopes: ['businessmessages'],
      clock: emulator.clock,
      fetch: tokenFetch.fetch,
    })
    const unauthenticated = (): Promise<Response> => Promise.resolve(googleErrorResponse(401, 'UNAUTHENTICATED'))
    const h = await harness(onMessageAttempts([0, 1, 2, 3], unauthenticated), { credentials: fresh })
    await assert.rejects(h.client.createMessage(h.conversationId, { text: 'Locked out', representative: BOT }), (err) =>
      assertGoogleError(err, 401, 'UNAUTHENTICATED'),
    )
    assert.equal(h.rf.to('/v1/conversations/').length, 2)
    assert.equal(tokenFetch.requests.length, 2, 'the first token and one refresh')
  })
})

describe("A1 the emulator's quota of 60 messages per 60 s per conversation", () => {
  test('A1 docs/contract-decisions.md §2.6 pacer off: the 61st message → 429 RESOURCE_EXHAUSTED once retries are exhausted', async () => {
    const h = await harness(undefined, { pacer: false, retry: { maxAttempts: 1 } })
    await sendNumbered(h, 'Message', 60)
    await assert.rejects(
      h.client.createMessage(h.conversationId, { text: 'Message 61', representative: BOT }),
      (err) => {
        assertGoogleError(err, 429, 'RESOURCE_EXHAUSTED')
        assert.equal((err as GoogleAPIError).retryAfterSeconds, 1)
        return true
      },
    )
    assert.equal(h.rf.to('/v1/conversations/').length, 61)
    assert.equal((await loggedAgentMessages(emulator, h.conversationId)).length, 60)

    // With retries allowed, the client honours Retry-After each time (time stands still, so all fail).
    const rf = recordingFetch()
    const { sleep, delays } = recordingSleep()
    const retrying = new BusinessMessagesClient({
      credentials,
      baseUrl: emulator.url,
      fetch: rf.fetch,
      sleep,
      pacer: false,
      retry: { maxAttempts: 3 },
    })
    await assert.rejects(
      retrying.createMessage(h.conversationId, { text: 'Message 61 again', representative: BOT }),
      (err) => assertGoogleError(err, 429, 'RESOURCE_EXHAUSTED'),
    )
    assert.deepEqual(
      rf.to('/v1/conversations/').map((a) => a.status),
      [429, 429, 429],
    )
    assert.deepEqual(delays, [1000, 1000])
    assert.equal((await loggedAgentMessages(emulator, h.conversationId)).length, 60)
  })

  test('A1 pacer on (its sleep moves the emulator clock): all 61 are accepted and none is refused', async () => {
    const { sleep, delays } = recordingSleep((ms) => emulator.clock.advance(ms))
    const h = await harness(undefined, { clock: emulator.clock, sleep })
    await sendNumbered(h, 'Paced', 61)
    const statuses = h.rf.to('/v1/conversations/').map((a) => a.status)
    assert.equal(statuses.length, 61, `no retries were needed: ${statuses.filter((s) => s !== 200).join(',')}`)
    assert.ok(statuses.every((s) => s === 200))
    assert.equal(delays.length, 1, 'the pacer paused once, before the 61st')
    assert.ok(delays[0]! >= 60_001, 'until the 1st send (counted when it completed) left the window')
    assert.equal((await loggedAgentMessages(emulator, h.conversationId)).length, 61)
  })

  test('A1 pacer on, first send slowed by 200 ms in transit: the 61st is still not refused', async () => {
    // The first attempt spends 200 ms (emulator time) between the pacer's admission and the
    // emulator's receipt, as a cold connection or a slow network would. Google counts receipt times.
    const slowFirst = onMessageAttempts([0], (_request, forward) => {
      emulator.clock.advance(200)
      return forward()
    })
    const { sleep } = recordingSleep((ms) => emulator.clock.advance(ms))
    const h = await harness(slowFirst, { clock: emulator.clock, sleep })
    await sendNumbered(h, 'Paced', 61)
    assert.equal((await loggedAgentMessages(emulator, h.conversationId)).length, 61, 'delivered in the end')
    const refused = h.rf.to('/v1/conversations/').filter((a) => a.status === 429)
    assert.equal(refused.length, 0, 'A1: delayed by the limiter rather than sent and refused')
  })
})
