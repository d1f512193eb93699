import { test } from 'node:test'
import assert from 'node:assert/strict'
import { BmOAuthError } from '../errors.ts'
import { OAuthProtocolError, OAuthResponseError } from '../oauth/errors.ts'
import type { PendingRevocation } from '../tokens/revocation-queue.ts'
import { decideRevocationRetry, DEFAULT_REVOCATION_POLICY as POLICY } from './revocation.ts'

const NOW = Date.parse('2026-03-01T12:00:00Z')
const DAY = 24 * 60 * 60_000
const entry = (attempts: number, createdAt = NOW): PendingRevocation => ({
  id: 'r1',
  channel: 'business-messages',
  agent: 'a',
  provider: 'p',
  token: 'not-used-here',
  tokenTypeHint: 'refresh_token',
  attempts,
  nextAttemptAt: NOW,
  createdAt,
})
/** The top of each backoff step (the jitter source's largest value). */
const TOP = (): number => 1 - Number.EPSILON
const decideRetry = (err: unknown, pending: PendingRevocation, now: number, random = TOP) =>
  decideRevocationRetry(err, pending, now, POLICY, random)
const unavailable = (retryAfter?: string): OAuthResponseError =>
  new OAuthResponseError('revocation', 'revocation response has unexpected HTTP status 503', {
    httpStatus: 503,
    retryAfter,
  })

test('R8 a 503 with Retry-After is retried exactly then; without it, full-jitter exponential backoff', () => {
  assert.deepEqual(decideRetry(unavailable('2'), entry(1), NOW), { retryAt: NOW + 2000 })
  assert.deepEqual(decideRetry(unavailable(), entry(1), NOW), { retryAt: NOW + POLICY.baseDelayMs })
  assert.deepEqual(decideRetry(unavailable(), entry(3), NOW), { retryAt: NOW + 4 * POLICY.baseDelayMs })
  assert.deepEqual(decideRetry(unavailable(), entry(40), NOW), { retryAt: NOW + POLICY.maxDelayMs }, 'capped')
  assert.deepEqual(decideRetry(unavailable('999999'), entry(1), NOW), { retryAt: NOW + POLICY.maxDelayMs })
  const half = () => 0.5
  assert.deepEqual(
    decideRetry(unavailable(), entry(3), NOW, half),
    { retryAt: NOW + 2 * POLICY.baseDelayMs },
    'jittered',
  )
  assert.deepEqual(decideRetry(unavailable('2'), entry(3), NOW, half), { retryAt: NOW + 2000 }, 'Retry-After is not')
  const busy = new OAuthProtocolError('revocation', 'temporarily_unavailable', undefined, 503, '7')
  assert.deepEqual(decideRetry(busy, entry(1), NOW), { retryAt: NOW + 7000 })
})

test('R8 timeouts and unreachable providers are retried; a 4xx refusal is final', () => {
  const timeout = new BmOAuthError('ERR_HTTP_TIMEOUT', 'revocation request timed out', { status: 504 })
  const network = new BmOAuthError('ERR_NETWORK', 'revocation request failed: network error (ECONNREFUSED)', {
    status: 502,
  })
  assert.deepEqual(decideRetry(timeout, entry(1), NOW), { retryAt: NOW + POLICY.baseDelayMs })
  assert.deepEqual(decideRetry(network, entry(2), NOW), { retryAt: NOW + 2 * POLICY.baseDelayMs })
  const refused = new OAuthProtocolError('revocation', 'unsupported_token_type', undefined, 400)
  assert.deepEqual(decideRetry(refused, entry(1), NOW), { giveUp: 'refused' })
  const tooMany = new OAuthProtocolError('revocation', 'slow_down', undefined, 429, '5')
  assert.deepEqual(decideRetry(tooMany, entry(1), NOW), { retryAt: NOW + 5000 })
})

test('R8 never past the horizon: a retry that would land after 7 days gives up', () => {
  const old = entry(20, NOW - 7 * DAY + 60_000)
  assert.deepEqual(decideRetry(unavailable('30'), old, NOW), { retryAt: NOW + 30_000 })
  assert.deepEqual(decideRetry(unavailable('120'), old, NOW), { giveUp: 'horizon' })
})
