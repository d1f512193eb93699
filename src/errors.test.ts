/**
 * The error union narrows as docs/api.md §7 promises: the type-level half is checked by `tsc`
 * (`npm run typecheck` compiles this file; a broken narrowing fails it), the runtime half by the
 * assertions. Emulator and demo errors are not library errors, so `isBmOAuthError` rejects them.
 */
import { test } from 'node:test'
import assert from 'node:assert/strict'
import { BankAPIError } from './demo/bank-agent/bank-client.ts'
import { StoreConflictError, StoreError } from './db/store-error.ts'
import { EmulatorError } from './emulator/http/errors.ts'
import {
  type AnyBmOAuthError,
  BmOAuthError,
  ConfigError,
  type ErrorCode,
  GoogleAPIError,
  InvalidArgumentError,
  isBmOAuthError,
} from './errors.ts'
import { OAuthProtocolError, OAuthResponseError } from './oauth/errors.ts'

/** True only when `A` and `B` are the same type (the usual mutual-assignability trick). */
type Equals<A, B> = (<T>() => T extends A ? 1 : 2) extends <T>() => T extends B ? 1 : 2 ? true : false
const typeHolds = <T extends true>(): T | undefined => undefined

/** What a caller does with the union: one branch per code, each using its class's fields. */
function describe(err: AnyBmOAuthError): string {
  switch (err.code) {
    case 'ERR_CONFIG':
      typeHolds<Equals<typeof err, ConfigError>>()
      return `config ${err.field} ${err.rule} ${err.source ?? '-'}`
    case 'ERR_OAUTH_INVALID_GRANT':
    case 'ERR_OAUTH_PROTOCOL':
      typeHolds<Equals<typeof err, OAuthProtocolError>>()
      return `protocol ${err.error} ${err.httpStatus}`
    case 'ERR_OAUTH_RESPONSE':
    case 'ERR_OAUTH_DISCOVERY':
      typeHolds<Equals<typeof err, OAuthResponseError>>()
      // @ts-expect-error an answer that could not be used has no OAuth `error` field
      void err.error
      return `response ${err.operation} ${err.httpStatus ?? '-'}`
    case 'ERR_STORE':
      return `store ${err.dialect}`
    case 'ERR_STORE_CONFLICT':
      typeHolds<Equals<typeof err, StoreConflictError>>()
      return `conflict ${err.status}`
    case 'ERR_GOOGLE_API':
      return `google ${err.rpcStatus}`
    case 'ERR_NETWORK':
      typeHolds<Equals<typeof err, BmOAuthError<'ERR_NETWORK'>>>()
      return 'network'
    default:
      return err.code
  }
}

test('switch (err.code) reaches the branch of each class with its fields', () => {
  const cases: [AnyBmOAuthError, string][] = [
    [new ConfigError('webhook.port', 'must be an integer', 'BM_OAUTH_WEBHOOK_PORT'), 'config webhook.port'],
    [new OAuthProtocolError('refresh_token', 'invalid_grant', undefined, 400), 'protocol invalid_grant 400'],
    [new OAuthProtocolError('revocation', 'slow_down', undefined, 429), 'protocol slow_down 429'],
    [new OAuthResponseError('discovery', 'bad metadata', { httpStatus: 404 }), 'response discovery 404'],
    [new OAuthResponseError('userinfo', 'not JSON'), 'response userinfo -'],
    [new StoreError('boom', { dialect: 'sqlite', dbCode: undefined, uniqueViolation: false }), 'store sqlite'],
    [new StoreConflictError('changed concurrently'), 'conflict 503'],
    [new GoogleAPIError(403, 'PERMISSION_DENIED', 'no', { method: 'GET', url: 'u' }), 'google PERMISSION_DENIED'],
    [new BmOAuthError('ERR_NETWORK', 'refused', { status: 502 }), 'network'],
    [new InvalidArgumentError('agent', 'is required'), 'ERR_INVALID_ARGUMENT'],
  ]
  for (const [err, expected] of cases) assert.ok(describe(err).startsWith(expected), `${err.name}: ${describe(err)}`)
})

test('the OAuth classes are siblings: each has its own codes, neither is an instance of the other', () => {
  const protocol = new OAuthProtocolError('authorization_code', 'invalid_client', 'bad secret', 401)
  const response = new OAuthResponseError('authorization_code', 'unexpected HTTP status 500', { httpStatus: 500 })
  assert.equal(protocol.code, 'ERR_OAUTH_PROTOCOL')
  assert.equal(new OAuthProtocolError('refresh_token', 'invalid_grant', undefined, 400).code, 'ERR_OAUTH_INVALID_GRANT')
  assert.equal(response.code, 'ERR_OAUTH_RESPONSE')
  assert.equal(new OAuthResponseError('discovery', 'bad metadata').code, 'ERR_OAUTH_DISCOVERY')
  assert.equal(protocol instanceof OAuthResponseError, false)
  assert.equal(response instanceof OAuthProtocolError, false)
})

test('isBmOAuthError(err, code) narrows to the class of that code', () => {
  const err: unknown = new OAuthProtocolError('refresh_token', 'invalid_grant', 'revoked', 400)
  assert.ok(isBmOAuthError(err, 'ERR_OAUTH_INVALID_GRANT'))
  typeHolds<Equals<typeof err, OAuthProtocolError & { readonly code: 'ERR_OAUTH_INVALID_GRANT' }>>()
  assert.equal(err.errorDescription, 'revoked')
  assert.equal(isBmOAuthError(err, 'ERR_OAUTH_PROTOCOL'), false)
  const conflict: unknown = new StoreConflictError('changed concurrently')
  assert.equal(isBmOAuthError(conflict, 'ERR_STORE'), false)
  assert.ok(isBmOAuthError(conflict, 'ERR_STORE_CONFLICT'))
})

test('isBmOAuthError does not claim emulator or demo errors, and their codes are not ErrorCodes', () => {
  const emulator = new EmulatorError('NOT_FOUND', 'no such agent')
  const demo = new BankAPIError('/accounts', 500)
  assert.equal(isBmOAuthError(emulator), false)
  assert.equal(isBmOAuthError(demo), false)
  assert.equal(emulator.status, 404)
  assert.equal(emulator.code, 'ERR_EMULATOR_RPC')
  typeHolds<Equals<Extract<ErrorCode, typeof emulator.code>, never>>()
})

test('status is fixed per code: 4xx for the caller, 503 for the conflict that is retried', () => {
  assert.equal(new ConfigError('x', 'is required').status, 500)
  assert.equal(new InvalidArgumentError('x', 'is required').status, 400)
  assert.equal(new StoreConflictError('busy').status, 503)
  assert.equal(new StoreConflictError('busy').expose, false)
  assert.equal(new OAuthProtocolError('revocation', 'invalid_token', undefined, 401).status, 502)
})
