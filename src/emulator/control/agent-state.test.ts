/**
 * The agent-state relay answers the agent's JSON, and 502 `UNAVAILABLE` (Google's envelope) when
 * the agent cannot be reached, its body breaks off midway, or it does not answer JSON.
 */
import assert from 'node:assert/strict'
import { describe, test } from 'node:test'
import { silentLogger } from '../../core/logger.ts'
import type { FetchLike } from '../../core/fetch.ts'
import { addAgentStateRelay } from './agent-state.ts'
import { EmulatorError } from '../http/errors.ts'
import type { Reply } from '../http/http-io.ts'
import { Router } from '../http/router.ts'

const TOKEN = 'per-start-agent-state-token'

async function relay(
  fetch: FetchLike,
  query = '',
  authorization: string | null = `Bearer ${TOKEN}`,
  agentStateToken: string | undefined = TOKEN,
): Promise<Reply> {
  const router = new Router()
  addAgentStateRelay(router, {
    agentStateUrl: 'http://agent.test/agent-state',
    agentStateToken,
    fetch,
    logger: silentLogger,
  })
  const url = new URL(`http://emulator.test/emulator/v1/agent-state${query}`)
  const { handler, params } = router.match('GET', url)
  const headers = authorization === null ? {} : { authorization }
  return handler({ method: 'GET', url, params, headers, readText: async () => '' })
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
  test('relays the JSON and forwards the query string and the token', async () => {
    let seen: string | undefined
    let forwarded: string | null = null
    const reply = await relay(async (input, init) => {
      seen = String(input)
      forwarded = new Headers(init?.headers).get('authorization')
      return Response.json({ kind: 'signed-in' })
    }, '?conversation=c1')
    assert.equal(seen, 'http://agent.test/agent-state?conversation=c1')
    assert.equal(forwarded, `Bearer ${TOKEN}`)
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

  for (const [name, authorization, configured] of [
    ['no Authorization header', null, TOKEN],
    ['another token', 'Bearer not-the-token', TOKEN],
    ['the token without the Bearer scheme', TOKEN, TOKEN],
    ['a relay started without a token', 'Bearer ', undefined],
  ] as const) {
    test(`E5 ${name} → 401 UNAUTHENTICATED and the agent is never asked`, async () => {
      let asked = 0
      const err = await relay(
        async () => {
          asked += 1
          return Response.json({ conversations: [{ conversationId: 'c1', grant: { subject: 'user-alice' } }] })
        },
        '',
        authorization,
        configured,
      ).catch((e: unknown) => e)
      assert.ok(err instanceof EmulatorError && err.status === 401 && err.rpcStatus === 'UNAUTHENTICATED', String(err))
      assert.equal(asked, 0)
    })
  }
})
