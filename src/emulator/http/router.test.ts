/**
 * Router matching and the lenient JSON reader
 * (docs/contract-decisions.md §1.4, §10 "lenient JSON", §1.8).
 */
import assert from 'node:assert/strict'
import { describe, test } from 'node:test'
import { EmulatorError } from './errors.ts'
import { parseLenientJSON } from './lenient-json.ts'
import { Router } from './router.ts'

describe('Router', () => {
  const router = new Router()
    .add('GET', '/v1/brands/:brandId/agents/:agentId', () => ({ status: 200 }))
    .add('PATCH', '/v1/brands/:brandId/agents/:agentId', () => ({ status: 200 }))

  test('matches gRPC transcoding paths and decodes params', () => {
    const match = router.match('GET', new URL('http://x/v1/brands/12/agents/a%2Db'))
    assert.deepEqual(match.params, { brandId: '12', agentId: 'a-b' })
  })

  test('404 NOT_FOUND for unknown paths, 405 with Allow for other methods', () => {
    assert.throws(
      () => router.match('GET', new URL('http://x/v1/brands/12')),
      (e: unknown) => e instanceof EmulatorError && e.status === 404,
    )
    assert.throws(
      () => router.match('DELETE', new URL('http://x/v1/brands/1/agents/2')),
      (e: unknown) => e instanceof EmulatorError && e.status === 405 && e.headers['allow'] === 'GET, PATCH',
    )
  })
})

describe('parseLenientJSON', () => {
  test('accepts the documented curl body with single quotes and trailing commas', () => {
    const body = "{ 'businessMessagesAgent': { 'authorizationConfig': { 'endpointUrl': 'ENDPOINT_URL', }, }, }"
    assert.deepEqual(parseLenientJSON(body), {
      businessMessagesAgent: { authorizationConfig: { endpointUrl: 'ENDPOINT_URL' } },
    })
  })

  test('answers INVALID_ARGUMENT "Invalid JSON payload received." for garbage; blank is undefined', () => {
    assert.equal(parseLenientJSON('  '), undefined)
    assert.throws(
      () => parseLenientJSON('{"a": '),
      (e: unknown) =>
        e instanceof EmulatorError &&
        e.rpcStatus === 'INVALID_ARGUMENT' &&
        e.message.startsWith('Invalid JSON payload received.'),
    )
  })
})
