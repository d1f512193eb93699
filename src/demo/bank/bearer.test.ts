import { test } from 'node:test'
import assert from 'node:assert/strict'
import { bearerError, readBearerToken } from './bearer.ts'

test('RFC 6750 §2.1: reads the Bearer token, any case of the scheme', () => {
  assert.deepEqual(readBearerToken('Bearer abc.DEF-_~+/=='), { kind: 'bearer', token: 'abc.DEF-_~+/==' })
  assert.deepEqual(readBearerToken('bearer xyz'), { kind: 'bearer', token: 'xyz' })
})

test('no header or another scheme is missing; a broken Bearer value is malformed', () => {
  assert.deepEqual(readBearerToken(undefined), { kind: 'missing' })
  assert.deepEqual(readBearerToken('Basic dXNlcjpwYXNz'), { kind: 'missing' })
  for (const value of [
    'Bearer',
    'Bearer ',
    'Bearer a b',
    'Bearer "quoted"',
    'Bearer =abc',
    `Bearer ${'a'.repeat(5000)}`,
  ]) {
    assert.deepEqual(readBearerToken(value), { kind: 'malformed' }, value.slice(0, 20))
  }
  assert.deepEqual(readBearerToken(['Bearer a', 'Bearer b']), { kind: 'malformed' })
})

test('RFC 6750 §3: challenges and statuses', () => {
  const missing = bearerError('Growing Tree Bank', undefined, 'token required')
  assert.equal(missing.status, 401)
  assert.equal(missing.challenge, 'Bearer realm="Growing Tree Bank"')
  const invalid = bearerError('Bank', 'invalid_token', 'expired')
  assert.equal(invalid.status, 401)
  assert.equal(invalid.challenge, 'Bearer realm="Bank", error="invalid_token", error_description="expired"')
  const scope = bearerError('Bank', 'insufficient_scope', 'needs "x"', 'transactions.read')
  assert.equal(scope.status, 403)
  assert.equal(
    scope.challenge,
    'Bearer realm="Bank", error="insufficient_scope", error_description="needs x", scope="transactions.read"',
  )
  assert.deepEqual(scope.body, {
    error: 'insufficient_scope',
    error_description: 'needs "x"',
    scope: 'transactions.read',
  })
  assert.equal(bearerError('Bank', 'invalid_request', 'bad').status, 400)
})
