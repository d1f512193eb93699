import { describe, test } from 'node:test'
import assert from 'node:assert/strict'
import { ManualClock } from '../core/clock.ts'
import type { Logger } from '../core/logger.ts'
import { BmOAuthError, GoogleAPIError } from '../errors.ts'
import { GoogleHTTP, buildQuery, type GoogleHTTPOptions } from './http.ts'
import { decideRetry, DEFAULT_RETRY } from './retry-policy.ts'
import { rpcStatusForHttp } from './google-error.ts'
import type { AccessTokenSource } from './service-account.ts'
import {
  expiredTimeoutSignal,
  fakeSleep,
  googleError,
  hang,
  json,
  refuse,
  scriptedFetch,
  type Handler,
} from './fake-fetch.test-util.ts'

/** A token source that hands out token-1, token-2, … and counts invalidations. */
class CountingTokens implements AccessTokenSource {
  issued = 0
  invalidations = 0
  #current: string | undefined
  async getAccessToken(): Promise<string> {
    this.#current ??= `token-${++this.issued}`
    return this.#current
  }
  invalidate(): void {
    this.invalidations++
    this.#current = undefined
  }
}

function setup(handlers: Handler[], options: Partial<GoogleHTTPOptions> = {}) {
  const clock = new ManualClock()
  const { sleep, delays } = fakeSleep(clock)
  const scripted = scriptedFetch(...handlers)
  const credentials = new CountingTokens()
  const http = new GoogleHTTP({
    baseUrl: 'https://businessmessages.googleapis.com',
    credentials,
    fetch: scripted.fetch,
    clock,
    sleep,
    random: () => 0.5,
    ...options,
  })
  return { http, calls: scripted.calls, delays, credentials, clock }
}

const GET = { method: 'GET', path: 'v1/x' } as const

describe('GoogleHTTP (docs/contract-decisions.md §1.8, §2.6, §10 "client retry policy")', () => {
  test('sends bearer, JSON body and query; parses the answer', async () => {
    const { http, calls } = setup([() => json({ ok: true })])
    const body = await http.request<{ ok: boolean }>({
      method: 'POST',
      path: '/v1/conversations/c1/messages',
      query: { forceFallback: true, skip: undefined },
      body: { messageId: 'm1' },
    })
    assert.deepEqual(body, { ok: true })
    const [call] = calls
    assert.equal(call?.url, 'https://businessmessages.googleapis.com/v1/conversations/c1/messages?forceFallback=true')
    assert.equal(call?.headers.get('authorization'), 'Bearer token-1')
    assert.equal(call?.headers.get('content-type'), 'application/json')
    assert.equal(call?.body, '{"messageId":"m1"}')
  })

  test('a base URL with a path prefix is kept', async () => {
    const { http, calls } = setup([() => json({})], { baseUrl: 'http://127.0.0.1:7000/google/' })
    await http.request(GET)
    assert.equal(calls[0]?.url, 'http://127.0.0.1:7000/google/v1/x')
  })

  test('429 with Retry-After: sleeps exactly that long, then succeeds', async () => {
    const { http, calls, delays } = setup([
      () => googleError(429, 'RESOURCE_EXHAUSTED', 'slow down', { 'retry-after': '7' }),
      () => json({ done: 1 }),
    ])
    assert.deepEqual(await http.request(GET), { done: 1 })
    assert.equal(calls.length, 2)
    assert.deepEqual(delays, [7000])
  })

  test('Retry-After as an HTTP date is measured against the injected clock', async () => {
    const clock = new ManualClock(Date.parse('2026-03-01T10:00:00Z'))
    const { http, delays } = setup(
      [
        () => googleError(429, 'RESOURCE_EXHAUSTED', 'x', { 'retry-after': 'Sun, 01 Mar 2026 10:00:03 GMT' }),
        () => json({}),
      ],
      { clock },
    )
    await http.request(GET)
    assert.deepEqual(delays, [3000])
  })

  test('500 is retried with jittered exponential backoff until it succeeds', async () => {
    const { http, calls, delays } = setup([
      () => googleError(500, 'INTERNAL', 'oops'),
      () => googleError(500, 'INTERNAL', 'oops'),
      () => json({ fine: true }),
    ])
    assert.deepEqual(await http.request(GET), { fine: true })
    assert.equal(calls.length, 3)
    assert.deepEqual(delays, [250, 500]) // random 0.5 × 500, × 1000
  })

  test('retries stop after maxAttempts and throw the last GoogleAPIError', async () => {
    const { http, calls } = setup([() => googleError(500, 'INTERNAL', 'oops')], { retry: { maxAttempts: 3 } })
    await assert.rejects(http.request(GET), { name: 'GoogleAPIError', httpStatus: 500 })
    assert.equal(calls.length, 3)
  })

  for (const [status, rpc] of [
    [503, 'UNAVAILABLE'],
    [400, 'INVALID_ARGUMENT'],
    [403, 'PERMISSION_DENIED'],
    [404, 'NOT_FOUND'],
  ] as const) {
    test(`${status} is not retried`, async () => {
      const { http, calls, delays } = setup([() => googleError(status, rpc, `no ${status}`)])
      await assert.rejects(http.request(GET), (err: unknown) => {
        assert.ok(err instanceof GoogleAPIError)
        assert.equal(err.httpStatus, status)
        assert.equal(err.rpcStatus, rpc)
        assert.equal(err.googleMessage, `no ${status}`)
        return true
      })
      assert.equal(calls.length, 1)
      assert.deepEqual(delays, [])
    })
  }

  test('401 invalidates the token and retries once with a fresh one', async () => {
    const { http, calls, credentials } = setup([() => googleError(401, 'UNAUTHENTICATED', 'expired'), () => json({})])
    await http.request(GET)
    assert.equal(credentials.invalidations, 1)
    assert.deepEqual(
      calls.map((c) => c.headers.get('authorization')),
      ['Bearer token-1', 'Bearer token-2'],
    )
  })

  test('a second 401 is not retried again', async () => {
    const { http, calls, credentials } = setup([() => googleError(401, 'UNAUTHENTICATED', 'nope')])
    await assert.rejects(http.request(GET), { httpStatus: 401, rpcStatus: 'UNAUTHENTICATED' })
    assert.equal(calls.length, 2)
    assert.equal(credentials.invalidations, 1)
  })

  test('timeout → ERR_HTTP_TIMEOUT after the retries run out', async () => {
    const { http, calls } = setup([hang], { timeoutSignal: expiredTimeoutSignal, retry: { maxAttempts: 2 } })
    await assert.rejects(http.request(GET), (err: unknown) => {
      assert.ok(err instanceof BmOAuthError)
      assert.equal(err.code, 'ERR_HTTP_TIMEOUT')
      return true
    })
    assert.equal(calls.length, 2)
  })

  test('a real deadline aborts a stalled request (timeoutMs honoured)', async () => {
    const { http } = setup([hang], { timeoutMs: 5, retry: { maxAttempts: 1 } })
    await assert.rejects(http.request(GET), { code: 'ERR_HTTP_TIMEOUT' })
  })

  test('network errors are retried like 500', async () => {
    const { http, calls, delays } = setup([refuse, () => json({ up: true })])
    assert.deepEqual(await http.request(GET), { up: true })
    assert.equal(calls.length, 2)
    assert.equal(delays.length, 1)
    const down = setup([refuse], { retry: { maxAttempts: 2 } })
    await assert.rejects(down.http.request(GET), { code: 'ERR_NETWORK' })
  })

  test('envelope fields reach GoogleAPIError; a non-JSON body gets the mapped status', async () => {
    const { http } = setup([() => googleError(403, 'PERMISSION_DENIED', 'The caller does not have permission')])
    await assert.rejects(http.request(GET), (err: unknown) => {
      assert.ok(err instanceof GoogleAPIError)
      assert.equal(err.code, 'ERR_GOOGLE_API')
      assert.deepEqual(err.request, { method: 'GET', url: 'https://businessmessages.googleapis.com/v1/x' })
      assert.equal(err.googleMessage, 'The caller does not have permission')
      return true
    })
    const html = setup([() => new Response('<html>Not Found</html>', { status: 404 })])
    await assert.rejects(html.http.request(GET), (err: unknown) => {
      assert.ok(err instanceof GoogleAPIError)
      assert.equal(err.rpcStatus, 'NOT_FOUND')
      assert.ok(!err.message.includes('<html>'))
      return true
    })
  })

  test('a 429 asking for more than maxDelayMs is not waited for; retryAfterSeconds is kept', async () => {
    const { http, calls } = setup([() => googleError(429, 'RESOURCE_EXHAUSTED', 'x', { 'retry-after': '3600' })])
    await assert.rejects(http.request(GET), { httpStatus: 429, retryAfterSeconds: 3600 })
    assert.equal(calls.length, 1)
  })

  test('logs method, path, status and attempt only', async () => {
    const lines: object[] = []
    const logger: Logger = {
      debug: (o) => void lines.push(o),
      info: (o) => void lines.push(o),
      warn: (o) => void lines.push(o),
      error: (o) => void lines.push(o),
      child: () => logger,
    }
    const { http } = setup([() => googleError(500, 'INTERNAL', 'x'), () => json({ secret: 's' })], { logger })
    await http.request({ method: 'POST', path: 'v1/y', query: { a: 'b' }, body: { text: 'hello' } })
    const text = JSON.stringify(lines)
    for (const forbidden of ['token-1', 'hello', 'secret', 'a=b']) assert.ok(!text.includes(forbidden), forbidden)
    assert.deepEqual(lines[0], { method: 'POST', path: '/v1/y', status: 500, attempt: 1 })
  })
})

describe('create semantics: ALREADY_EXISTS after an ambiguous attempt (security case A3)', () => {
  test('timeout then ALREADY_EXISTS → already-existed', async () => {
    const { http } = setup([(c) => Promise.reject(c.signal?.reason), () => googleError(409, 'ALREADY_EXISTS', 'dup')], {
      timeoutSignal: expiredTimeoutSignal,
    })
    assert.deepEqual(await http.create({ method: 'POST', path: 'v1/z', body: {} }), { kind: 'already-existed' })
  })

  test('ALREADY_EXISTS on the first attempt, or after a 429, is an error', async () => {
    const first = setup([() => googleError(409, 'ALREADY_EXISTS', 'dup')])
    await assert.rejects(first.http.create({ method: 'POST', path: 'v1/z' }), { rpcStatus: 'ALREADY_EXISTS' })
    const after429 = setup([
      () => googleError(429, 'RESOURCE_EXHAUSTED', 'x'),
      () => googleError(409, 'ALREADY_EXISTS', 'dup'),
    ])
    await assert.rejects(after429.http.create({ method: 'POST', path: 'v1/z' }), { rpcStatus: 'ALREADY_EXISTS' })
  })
})

describe('retry policy (pure)', () => {
  test('decisions per status', () => {
    const random = () => 0.999
    const at = (status: number | undefined, attempt = 1, refreshed = false) =>
      decideRetry({ status, attempt, refreshedCredentials: refreshed, retryAfterMs: undefined }, DEFAULT_RETRY, random)
    assert.equal(at(429).action, 'retry')
    assert.equal(at(500).action, 'retry')
    assert.equal(at(undefined).action, 'retry')
    assert.equal(at(503).action, 'fail')
    assert.equal(at(400).action, 'fail')
    assert.equal(at(409).action, 'fail')
    assert.deepEqual(at(401), { action: 'retry', delayMs: 0, refreshCredentials: true })
    assert.equal(at(401, 2, true).action, 'fail')
    assert.equal(at(500, 5).action, 'fail')
  })

  test('HTTP → google.rpc mapping and query building', () => {
    assert.equal(rpcStatusForHttp(429), 'RESOURCE_EXHAUSTED')
    assert.equal(rpcStatusForHttp(409), 'ABORTED')
    assert.equal(rpcStatusForHttp(418), 'UNKNOWN')
    assert.equal(buildQuery({ updateMask: 'a.b,c d', n: 3 }), 'updateMask=a.b,c%20d&n=3')
  })
})
