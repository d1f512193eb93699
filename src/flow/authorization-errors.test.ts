import assert from 'node:assert/strict'
import { test } from 'node:test'
import {
  MAX_DETAIL_LENGTH,
  classifyAuthorizationError,
  normaliseErrorCode,
  sanitiseProviderText,
} from './authorization-errors.ts'

test('P10 docs/contract-decisions.md §10 Q4 RFC 6749 §4.1.2.1 codes are classified in any case', () => {
  const expected = {
    access_denied: 'cancelled',
    server_error: 'provider-unavailable',
    temporarily_unavailable: 'provider-unavailable',
    invalid_request: 'misconfigured',
    invalid_scope: 'misconfigured',
    unauthorized_client: 'misconfigured',
    unsupported_response_type: 'misconfigured',
  } as const
  for (const [code, kind] of Object.entries(expected)) {
    assert.equal(classifyAuthorizationError(code), kind, code)
    assert.equal(classifyAuthorizationError(code.toUpperCase()), kind, code.toUpperCase())
  }
})

test('unknown strings are accepted and classified unknown', () => {
  assert.equal(classifyAuthorizationError('interaction_required'), 'unknown')
  assert.equal(classifyAuthorizationError(''), 'unknown')
  assert.equal(classifyAuthorizationError('constructor'), 'unknown')
  assert.equal(classifyAuthorizationError('__proto__'), 'unknown')
})

test('a code that does not look like a code never travels as a reason', () => {
  assert.equal(normaliseErrorCode(' Access_Denied '), 'access_denied')
  assert.equal(normaliseErrorCode('access denied: user said no'), 'unrecognised')
  assert.equal(normaliseErrorCode('x'.repeat(65)), 'unrecognised')
})

test('provider text is made single-line, stripped of format characters and capped', () => {
  assert.equal(sanitiseProviderText(undefined), undefined)
  assert.equal(sanitiseProviderText(' \n\t '), undefined)
  assert.equal(sanitiseProviderText('bad\r\nthing\u202E\u0000here'), 'bad thing here')
  const long = sanitiseProviderText('é'.repeat(500)) ?? ''
  assert.equal(Array.from(long).length, MAX_DETAIL_LENGTH)
  assert.ok(long.endsWith('…'))
})
