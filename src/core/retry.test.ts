import { test } from 'node:test'
import assert from 'node:assert/strict'
import { backoffDelay, MAX_RETRY_AFTER_MS, parseRetryAfter } from './retry.ts'

const BACKOFF = { baseDelayMs: 500, maxDelayMs: 32_000 }
const NOW = Date.parse('2026-03-01T12:00:00Z')

test('backoff: the ceiling doubles per attempt and is capped at maxDelayMs', () => {
  const top = () => 1 - Number.EPSILON
  assert.deepEqual(
    [1, 2, 3, 6, 7, 20].map((attempt) => backoffDelay(attempt, BACKOFF, top)),
    [500, 1000, 2000, 16_000, 32_000, 32_000],
  )
  assert.equal(backoffDelay(10_000, BACKOFF, top), 32_000, 'any attempt count stays finite')
  assert.equal(backoffDelay(0, BACKOFF, top), 500, 'attempt numbers below 1 read as the first')
})

test('backoff: full jitter, uniform below the ceiling, never 0', () => {
  assert.equal(
    backoffDelay(3, BACKOFF, () => 0.5),
    1000,
  )
  assert.equal(
    backoffDelay(3, BACKOFF, () => 0.25),
    500,
  )
  assert.equal(
    backoffDelay(3, BACKOFF, () => 0),
    1,
    'the smallest delay is 1 ms',
  )
  assert.equal(
    backoffDelay(1, { baseDelayMs: 0, maxDelayMs: 0 }, () => 0.5),
    1,
  )
})

test('Retry-After: delta-seconds and HTTP-date, as ms from now', () => {
  assert.equal(parseRetryAfter('120', NOW), 120_000)
  assert.equal(parseRetryAfter(' 2 ', NOW), 2000, 'surrounding white space is ignored')
  assert.equal(parseRetryAfter(new Date(NOW + 90_000).toUTCString(), NOW), 90_000)
  assert.equal(parseRetryAfter('Thu, 01 Jan 1970 00:00:10 GMT', 4000), 6000)
})

test('Retry-After: a past date reads as 0; absent or unreadable as undefined', () => {
  assert.equal(parseRetryAfter(new Date(NOW - 90_000).toUTCString(), NOW), 0)
  assert.equal(parseRetryAfter('soon', NOW), undefined)
  assert.equal(parseRetryAfter('', NOW), undefined)
  assert.equal(parseRetryAfter(null, NOW), undefined)
  assert.equal(parseRetryAfter(undefined, NOW), undefined)
})

test('Retry-After: bounded to what a timer can hold', () => {
  assert.equal(parseRetryAfter('99999999999999999999', NOW), MAX_RETRY_AFTER_MS)
  assert.equal(parseRetryAfter('Fri, 31 Dec 9999 23:59:59 GMT', NOW), MAX_RETRY_AFTER_MS)
})
