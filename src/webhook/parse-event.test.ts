import assert from 'node:assert/strict'
import { createHash } from 'node:crypto'
import { test } from 'node:test'
import { isBmOAuthError } from '../errors.ts'
import { parseWebhookEvent } from './parse-event.ts'

const enc = (value: unknown): Uint8Array =>
  new TextEncoder().encode(typeof value === 'string' ? value : JSON.stringify(value))
const parse = (value: unknown) => parseWebhookEvent(enc(value))
const unprocessable = (err: unknown): boolean => isBmOAuthError(err, 'ERR_WEBHOOK_UNPROCESSABLE')

test('docs/contract-decisions.md §3.4 text message example', () => {
  const event = parse({
    agent: 'brands/1111/agents/2222',
    conversationId: '3333',
    customAgentId: 'oauth',
    requestId: 'r-1',
    message: {
      messageId: '4444',
      name: 'conversations/3333/messages/4444',
      text: 'Add 5 credits',
      createTime: '2020-10-02T15:05:23.045123456Z',
    },
    context: {
      entryPoint: 'PLACESHEET',
      userInfo: { displayName: 'Michael', userDeviceLocale: 'en' },
      resolvedLocale: 'en',
    },
    sendTime: '2020-10-02T15:05:24.045123456Z',
  })
  assert.deepEqual(event, {
    kind: 'message',
    dedupeKey: 'r:r-1',
    requestId: 'r-1',
    agent: 'brands/1111/agents/2222',
    conversationId: '3333',
    customAgentId: 'oauth',
    sendTime: '2020-10-02T15:05:24.045123456Z',
    sendTimeMs: Date.parse('2020-10-02T15:05:24.045Z'),
    context: { entryPoint: 'PLACESHEET', userDisplayName: 'Michael', userDeviceLocale: 'en', resolvedLocale: 'en' },
    message: {
      messageId: '4444',
      name: 'conversations/3333/messages/4444',
      text: 'Add 5 credits',
      createTime: '2020-10-02T15:05:23.045123456Z',
    },
  })
})

test('P11 authenticationResponse with redirectUri, and with the test-framework spelling redirect_uri', () => {
  for (const key of ['redirectUri', 'redirect_uri']) {
    const event = parse({
      requestId: 'r-2',
      authenticationResponse: { code: 'abc', [key]: 'https://business.google.com/callback', extra: 1 },
    })
    assert.deepEqual(event.kind === 'authentication' && event.authentication, {
      outcome: 'code',
      code: 'abc',
      redirectUri: 'https://business.google.com/callback',
    })
  }
})

test('P10 errorDetails → error outcome; code AND errorDetails together → error, not a code', () => {
  const onlyError = parse({
    authenticationResponse: { errorDetails: { error: 'ACCESS_DENIED', errorDescription: 'user cancelled' } },
  })
  assert.deepEqual(onlyError.kind === 'authentication' && onlyError.authentication, {
    outcome: 'error',
    error: 'ACCESS_DENIED',
    errorDescription: 'user cancelled',
    codeAlsoPresent: false,
  })
  const both = parse({ authenticationResponse: { code: 'abc', redirect_uri: 'u', errorDetails: { error: 'ERROR' } } })
  assert.deepEqual(both.kind === 'authentication' && both.authentication, {
    outcome: 'error',
    error: 'ERROR',
    codeAlsoPresent: true,
    redirectUri: 'u',
  })
  const neither = parse({ authenticationResponse: {} })
  assert.deepEqual(neither.kind === 'authentication' && neither.authentication, { outcome: 'missing' })
})

test('suggestionResponse accepts type and suggestionType', () => {
  for (const key of ['type', 'suggestionType']) {
    const event = parse({
      suggestionResponse: { message: 'conversations/c/messages/m', postbackData: 'pb', text: 'Yes', [key]: 'REPLY' },
    })
    assert.deepEqual(event.kind === 'suggestion' && event.suggestion, {
      message: 'conversations/c/messages/m',
      postbackData: 'pb',
      text: 'Yes',
      type: 'REPLY',
    })
  }
})

test('userStatus: string booleans coerced, placeholders become undefined, live agent requests', () => {
  const typing = (v: unknown) => {
    const e = parse({ userStatus: { isTyping: v, createTime: 't' } })
    return e.kind === 'typing' ? e.typing.isTyping : 'not typing'
  }
  assert.deepEqual([typing(true), typing('true'), typing('FALSE'), typing('BOOLEAN')], [true, true, false, undefined])
  const live = parse({ userStatus: { requestedLiveAgent: 'true' } })
  assert.deepEqual(live.kind === 'live-agent-request' && live.liveAgentRequest, { requested: true })
  assert.throws(() => parse({ userStatus: { isTyping: { x: 1 } } }), unprocessable)
})

test('Google test-framework receipts: no requestId, no context, placeholder sendTime; dedupe on body hash', () => {
  const raw = {
    receipts: { receipts: [{ message: 'conversations/c/messages/m', receiptType: 'READ' }], createTime: 'CREATE_TIME' },
    sendTime: 'SEND_TIME',
  }
  const event = parse(raw)
  assert.equal(event.kind, 'receipts')
  assert.equal(event.sendTime, 'SEND_TIME')
  assert.equal(event.sendTimeMs, undefined)
  assert.equal(event.dedupeKey, `b:${createHash('sha256').update(enc(raw)).digest('hex')}`)
  assert.deepEqual(event.kind === 'receipts' && event.receipts.receipts, [
    { message: 'conversations/c/messages/m', receiptType: 'READ' },
  ])
})

test('dedupe key: requestId first, else conversation/messageId', () => {
  assert.equal(parse({ requestId: 'r', conversationId: 'c', message: { messageId: 'm', text: '' } }).dedupeKey, 'r:r')
  assert.equal(parse({ conversationId: 'c', message: { messageId: 'm', text: '' } }).dedupeKey, 'm:c/m')
})

test('survey responses keep scalar fields; unknown payloads report their keys only', () => {
  const survey = parse({
    surveyResponse: { survey: 'conversations/c/surveys/s', rating: 'VERY_SATISFIED', questionIndex: 1 },
  })
  assert.deepEqual(survey.kind === 'survey' && survey.survey, {
    survey: 'conversations/c/surveys/s',
    rating: 'VERY_SATISFIED',
    questionIndex: 1,
  })
  const unknown = parse({ requestId: 'r', feedbackResponse: { secret: 'x' } })
  assert.deepEqual(unknown.kind === 'unknown' && unknown.keys, ['requestId', 'feedbackResponse'])
})

test('sendTime: RFC 3339 with offsets and 9 fractional digits parses; anything else is undefined', () => {
  assert.equal(
    parse({ sendTime: '2026-01-01T01:00:00.123456789+01:00', message: {} }).sendTimeMs,
    Date.parse('2026-01-01T00:00:00.123Z'),
  )
  assert.equal(parse({ sendTime: '2026-01-01', message: {} }).sendTimeMs, undefined)
})

test('W9 invalid JSON, invalid UTF-8, a non-object, or a wrong-typed field → ERR_WEBHOOK_UNPROCESSABLE', () => {
  assert.throws(() => parseWebhookEvent(enc('{"requestId": ')), unprocessable)
  assert.throws(() => parseWebhookEvent(new Uint8Array([0x7b, 0xff, 0x7d])), unprocessable)
  for (const bad of ['[1,2]', 'null', '"str"', '42']) assert.throws(() => parseWebhookEvent(enc(bad)), unprocessable)
  assert.throws(() => parse({ message: 'text' }), unprocessable)
  assert.throws(() => parse({ message: { text: { rich: true } } }), unprocessable)
  assert.throws(() => parse({ requestId: ['r'], message: {} }), unprocessable)
})
