/**
 * The agent-state relay answers the agent's JSON, and 502 `UNAVAILABLE` (Google's envelope) when
 * the agent cannot be reached, its body breaks off midway, or it does not answer JSON.
 */
import assert from 'node:assert/strict'
import { describe, test } from 'node:test'
import { silentLogger } from '../../core/logger.ts'
import type { FetchLike } from '../../core/fetch.ts'
import { addAgentStateRelay } from './agent-state.ts'
import type { Reply } from '../http/http-io.ts'
import { Router } from '../http/router.ts'

async function relay(fetch: FetchLike, query = ''): Promise<Reply> {
  const router = new Router()
  addAgentStateRelay(router, { agentStateUrl: 'http://agent.test/agent-state', fetch, logger: silentLogger })
  const url = new URL(`http://emulator.test/emulator/v1/agent-state${query}`)
  const { handler, params } = router.match('GET', url)
  return handler({ method: 'GET', url, params, headers: {}, readText: async () => '' })
}

/** A response whose body sends one chunk and then fails. */
function brokenBodyResponse(): Response {
  const stream = new ReadableStream<Uint8Array>({
    start(controller) {
      controller.enqueue(new TextEncoder().encode('{"kind":'))
      controller.error(new Error('connection reset'))
    },
  })
  return new Response(stream, { status: 200, headers: { 'content-type': 'application/json' } })
}

describe('agent-state relay', () => {
  test('relays the JSON and forwards the query string', async () => {
    let seen: string | undefined
    const reply = await relay(async (input) => {
      seen = String(input)
      return Response.json({ kind: 'signed-in' })
    }, '?conversation=c1')
    assert.equal(seen, 'http://agent.test/agent-state?conversation=c1')
    assert.equal(reply.status, 200)
    assert.deepEqual(reply.body, { kind: 'signed-in' })
  })

  test('an unreachable agent answers 502 UNAVAILABLE', async () => {
    const reply = await relay(async () => {
      throw new TypeError('fetch failed')
    })
    assert.equal(reply.status, 502)
    assert.deepEqual(reply.body, {
      error: { code: 502, message: 'The agent state endpoint is unreachable.', status: 'UNAVAILABLE' },
    })
  })

  test('a body that fails midway answers 502 UNAVAILABLE, not 500', async () => {
    const reply = await relay(async () => brokenBodyResponse())
    assert.equal(reply.status, 502)
    assert.deepEqual(reply.body, {
      error: { code: 502, message: 'The agent state endpoint is unreachable.', status: 'UNAVAILABLE' },
    })
  })

  test('a non-JSON answer is 502 UNAVAILABLE', async () => {
    const reply = await relay(async () => new Response('<html>', { status: 200 }))
    assert.equal(reply.status, 502)
    assert.deepEqual(reply.body, {
      error: { code: 502, message: 'The agent state endpoint did not answer JSON.', status: 'UNAVAILABLE' },
    })
  })
})
