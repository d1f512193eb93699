import { describe, test } from 'node:test'
import assert from 'node:assert/strict'
import { ManualClock } from '../../core/clock.ts'
import { InvalidArgumentError } from '../../errors.ts'
import { ConversationPacer } from '../pacer.ts'
import { StaticAccessTokenSource } from '../service-account.ts'
import {
  expiredTimeoutSignal,
  fakeSleep,
  googleError,
  json,
  scriptedFetch,
  type Handler,
  type RecordedCall,
} from '../fake-fetch.test-util.ts'
import { authenticationRequestSuggestion } from './builders.ts'
import { BusinessMessagesClient, type BusinessMessagesClientOptions } from './client.ts'
import type { Message } from './types.ts'

function setup(handlers: Handler[], options: Partial<BusinessMessagesClientOptions> = {}) {
  const clock = new ManualClock(0)
  const { sleep, delays } = fakeSleep(clock)
  const scripted = scriptedFetch(...handlers)
  let n = 0
  const bm = new BusinessMessagesClient({
    credentials: new StaticAccessTokenSource('t'),
    fetch: scripted.fetch,
    clock,
    sleep,
    random: () => 0,
    generateId: () => `id-${++n}`,
    ...options,
  })
  return { bm, calls: scripted.calls, delays, clock }
}

/** Echoes the posted message back with its name, as the API does. */
const echoMessage: Handler = (call) => {
  const body = JSON.parse(call.body) as Message
  const conversation = new URL(call.url).pathname.split('/')[3]
  return json({ ...body, name: `conversations/${conversation}/messages/${body.messageId}` })
}
const timeout: Handler = (call) => Promise.reject(call.signal?.reason)
const bodyOf = (call: RecordedCall | undefined) => JSON.parse(call?.body ?? '') as Record<string, unknown>

const hello: Message = { text: 'Hello', representative: { representativeType: 'BOT' } }

describe('BusinessMessagesClient (docs/contract-decisions.md §2.1, §2.6)', () => {
  test('createMessage posts to the conversation with a generated messageId', async () => {
    const { bm, calls } = setup([echoMessage])
    const sent = await bm.createMessage('conv-1', hello)
    assert.equal(calls[0]?.url, 'https://businessmessages.googleapis.com/v1/conversations/conv-1/messages')
    assert.deepEqual(bodyOf(calls[0]), {
      text: 'Hello',
      representative: { representativeType: 'BOT' },
      messageId: 'id-1',
    })
    assert.equal(sent.name, 'conversations/conv-1/messages/id-1')
  })

  test('a caller-supplied messageId is kept; forceFallback goes in the query', async () => {
    const { bm, calls } = setup([echoMessage])
    await bm.createMessage('c', { ...hello, messageId: 'mine', fallback: 'f' }, { forceFallback: true })
    assert.equal(new URL(calls[0]?.url ?? '').search, '?forceFallback=true')
    assert.equal(bodyOf(calls[0]).messageId, 'mine')
  })

  test('ALREADY_EXISTS on a retry is success, with the same messageId in both attempts', async () => {
    const { bm, calls } = setup([timeout, () => googleError(409, 'ALREADY_EXISTS', 'Message already exists')], {
      timeoutSignal: (ms) => (calls.length === 0 ? expiredTimeoutSignal() : AbortSignal.timeout(ms)),
    })
    const sent = await bm.createMessage('conv-9', hello)
    assert.equal(calls.length, 2)
    assert.equal(bodyOf(calls[0]).messageId, 'id-1')
    assert.equal(bodyOf(calls[1]).messageId, 'id-1')
    assert.equal(sent.name, 'conversations/conv-9/messages/id-1')
    assert.equal(sent.text, 'Hello')
  })

  test('ALREADY_EXISTS on the first attempt is an error', async () => {
    const { bm } = setup([() => googleError(409, 'ALREADY_EXISTS', 'dup')])
    await assert.rejects(bm.createMessage('c', { ...hello, messageId: 'reused' }), {
      name: 'GoogleAPIError',
      rpcStatus: 'ALREADY_EXISTS',
    })
  })

  test('an invalid message is rejected locally and nothing is sent', async () => {
    const { bm, calls } = setup([echoMessage])
    const tooLong = { ...hello, suggestions: [{ reply: { text: 'x'.repeat(26), postbackData: 'p' } }] }
    await assert.rejects(bm.createMessage('c', tooLong), (err: unknown) => {
      assert.ok(err instanceof InvalidArgumentError)
      assert.equal(err.field, 'message.suggestions[0].reply.text')
      return true
    })
    await assert.rejects(bm.createMessage('a/b', hello), { field: 'conversationId' })
    await assert.rejects(bm.createMessage('c', hello, { forceFallback: true }), { field: 'message.fallback' })
    assert.equal(calls.length, 0)
  })

  test('403 PERMISSION_DENIED for an unknown conversation is not retried', async () => {
    const { bm, calls } = setup([() => googleError(403, 'PERMISSION_DENIED', 'no')])
    await assert.rejects(bm.createMessage('c', hello), { httpStatus: 403 })
    assert.equal(calls.length, 1)
  })

  test('the 61st message to one conversation within 60 s is delayed, not refused', async () => {
    const { bm, calls, delays, clock } = setup([echoMessage])
    for (let i = 0; i < 61; i++) await bm.createMessage('busy', { ...hello, text: `m${i}` })
    assert.equal(calls.length, 61)
    assert.equal(delays.length, 1)
    assert.ok(clock.now() > 60_000)
    await bm.createMessage('other', hello)
    assert.equal(delays.length, 1)
  })

  test('pacing can be replaced or turned off', async () => {
    const { bm, delays } = setup([echoMessage], { pacer: false })
    for (let i = 0; i < 65; i++) await bm.createMessage('c', hello)
    assert.equal(delays.length, 0)
    const clock = new ManualClock(0)
    const custom = setup([echoMessage], {
      pacer: new ConversationPacer({ limit: 1, clock, sleep: async (ms) => clock.advance(ms) }),
    })
    await custom.bm.createMessage('c', hello)
    await custom.bm.createMessage('c', hello)
    assert.ok(clock.now() > 60_000)
  })

  test('createEvent: eventId in the query; ALREADY_EXISTS after a 500 is success', async () => {
    const { bm, calls } = setup([
      () => googleError(500, 'INTERNAL', 'x'),
      () => googleError(409, 'ALREADY_EXISTS', 'dup'),
    ])
    const event = await bm.createEvent('c1', 'ev-1', { eventType: 'TYPING_STARTED' })
    assert.equal(calls[0]?.url, 'https://businessmessages.googleapis.com/v1/conversations/c1/events?eventId=ev-1')
    assert.deepEqual(bodyOf(calls[1]), { eventType: 'TYPING_STARTED' })
    assert.deepEqual(event, { eventType: 'TYPING_STARTED', name: 'conversations/c1/events/ev-1' })
  })

  test('updateReceipt: PATCH …/messages/{id}/receipt', async () => {
    const { bm, calls } = setup([(c) => json({ ...bodyOf(c), name: 'conversations/c1/messages/u1/receipt' })])
    const receipt = await bm.updateReceipt('c1', 'u1', { receiptType: 'READ' })
    assert.equal(calls[0]?.method, 'PATCH')
    assert.equal(calls[0]?.url, 'https://businessmessages.googleapis.com/v1/conversations/c1/messages/u1/receipt')
    assert.deepEqual(bodyOf(calls[0]), { receiptType: 'READ' })
    assert.equal(receipt.receiptType, 'READ')
  })

  test('createSurvey: surveyId in the query, body {}', async () => {
    const { bm, calls } = setup([() => json({ name: 'conversations/c1/surveys/s1' })])
    assert.deepEqual(await bm.createSurvey('c1', 's1'), { name: 'conversations/c1/surveys/s1' })
    assert.equal(calls[0]?.url, 'https://businessmessages.googleapis.com/v1/conversations/c1/surveys?surveyId=s1')
    assert.equal(calls[0]?.body, '{}')
  })

  test('the authentication chip built by the helper always says S256 and passes validation', async () => {
    const { bm, calls } = setup([echoMessage])
    const suggestion = authenticationRequestSuggestion({ clientId: 'bank', codeChallenge: 'abc', scopes: ['openid'] })
    await bm.createMessage('c', { ...hello, fallback: 'Sign in on the web', suggestions: [suggestion] })
    assert.deepEqual(bodyOf(calls[0]).suggestions, [
      {
        authenticationRequest: {
          oauth: { clientId: 'bank', codeChallenge: 'abc', codeChallengeMethod: 'S256', scopes: ['openid'] },
        },
      },
    ])
  })
})
