import assert from 'node:assert/strict'
import { describe, test } from 'node:test'
import { formatGoogleTimestamp, parseGoogleTimestamp, shiftGoogleTimestamp } from './google-timestamp.ts'
import { userMessagePayload, type ConversationContext } from './payloads.ts'

// Context of the docs/contract-decisions.md §3.4 examples / §4.4 sample conversation.
const ctx: ConversationContext = {
  agentName: 'brands/1111/agents/2222',
  conversationId: '3333',
  customAgentId: 'oauth',
  entryPoint: 'PLACESHEET',
  displayName: 'Michael',
  locale: 'en',
}
const context = {
  entryPoint: 'PLACESHEET',
  userInfo: { displayName: 'Michael', userDeviceLocale: 'en' },
  resolvedLocale: 'en',
}
const at = (iso: string): number => Date.parse(iso)
const nanos = { subMillisecondNanos: 123_456 }

describe('userMessagePayload (docs/contract-decisions.md §3.1–3.4)', () => {
  test('text message equals the first docs/contract-decisions.md §3.4 example, key order included', () => {
    const payload = userMessagePayload(
      ctx,
      { type: 'text', messageId: '4444', text: 'Add 5 credits' },
      at('2020-10-02T15:05:24.045Z'),
      'r-1',
      {
        ...nanos,
        createTimeMs: at('2020-10-02T15:05:23.045Z'),
      },
    )
    const example =
      '{"agent":"brands/1111/agents/2222","conversationId":"3333","customAgentId":"oauth","requestId":"r-1",' +
      '"message":{"messageId":"4444","name":"conversations/3333/messages/4444","text":"Add 5 credits","createTime":"2020-10-02T15:05:23.045123456Z"},' +
      '"context":{"entryPoint":"PLACESHEET","userInfo":{"displayName":"Michael","userDeviceLocale":"en"},"resolvedLocale":"en"},' +
      '"sendTime":"2020-10-02T15:05:24.045123456Z"}'
    assert.equal(JSON.stringify(payload), example)
  })

  test('authorization code equals the second docs/contract-decisions.md §3.4 example', () => {
    const event = {
      type: 'auth-code',
      code: 'SplxlOBeZQQYbYS6WxSbIA',
      redirectUri: 'https://business.google.com/callback',
    } as const
    const payload = userMessagePayload(ctx, event, at('2020-10-02T15:07:24.045Z'), 'r-2', nanos)
    assert.deepEqual(payload, {
      agent: 'brands/1111/agents/2222',
      conversationId: '3333',
      customAgentId: 'oauth',
      requestId: 'r-2',
      authenticationResponse: { code: 'SplxlOBeZQQYbYS6WxSbIA', redirectUri: 'https://business.google.com/callback' },
      context,
      sendTime: '2020-10-02T15:07:24.045123456Z',
    })
  })

  test('authorization error matches the third docs/contract-decisions.md §3.4 example (we always add context and nine digits)', () => {
    const event = { type: 'auth-error', error: 'ACCESS_DENIED', errorDescription: 'user cancelled' } as const
    const payload = userMessagePayload(ctx, event, at('2020-10-02T15:07:30Z'), 'r-3', { subMillisecondNanos: 0 })
    assert.deepEqual(payload['authenticationResponse'], {
      errorDetails: { error: 'ACCESS_DENIED', errorDescription: 'user cancelled' },
    })
    assert.equal(payload['sendTime'], '2020-10-02T15:07:30.000000000Z')
    assert.equal(payload['requestId'], 'r-3')
    const bare = userMessagePayload(ctx, { type: 'auth-error', error: 'SERVER_ERROR' }, 0, 'r-4')
    assert.deepEqual(bare['authenticationResponse'], { errorDetails: { error: 'SERVER_ERROR' } })
  })

  test('variants: redirect_uri spelling (Google test-framework payloads) and code with errorDetails', () => {
    const event = { type: 'auth-code', code: 'c', redirectUri: 'https://business.google.com/callback?' } as const
    const snake = userMessagePayload(ctx, event, 0, 'r', { redirectUriSpelling: 'redirect_uri' })
    assert.deepEqual(snake['authenticationResponse'], {
      code: 'c',
      redirect_uri: 'https://business.google.com/callback?',
    })
    const both = userMessagePayload(ctx, event, 0, 'r', { codeWithErrorDetails: true })
    assert.deepEqual(both['authenticationResponse'], {
      code: 'c',
      redirectUri: 'https://business.google.com/callback?',
      errorDetails: { error: 'ERROR_UNSPECIFIED', errorDescription: '' },
    })
  })

  test('suggestion response, typing, live agent and receipts use Google field names', () => {
    const now = at('2020-10-02T15:05:24.045Z')
    const createTime = '2020-10-02T15:05:24.045123456Z'
    const suggestion = userMessagePayload(
      ctx,
      {
        type: 'suggestion',
        message: 'conversations/3333/messages/a-1',
        postbackData: 'sign-in',
        text: 'Sign in',
        suggestionType: 'REPLY',
      },
      now,
      'r',
      nanos,
    )
    assert.deepEqual(suggestion['suggestionResponse'], {
      message: 'conversations/3333/messages/a-1',
      postbackData: 'sign-in',
      createTime,
      text: 'Sign in',
      type: 'REPLY',
    })
    assert.deepEqual(userMessagePayload(ctx, { type: 'typing', isTyping: true }, now, 'r', nanos)['userStatus'], {
      isTyping: true,
      createTime,
    })
    assert.deepEqual(userMessagePayload(ctx, { type: 'live-agent' }, now, 'r', nanos)['userStatus'], {
      requestedLiveAgent: true,
      createTime,
    })
    const receipts = userMessagePayload(
      ctx,
      {
        type: 'receipts',
        receiptType: 'READ',
        messageNames: ['conversations/3333/messages/a-1', 'conversations/3333/messages/a-2'],
      },
      now,
      'r',
      nanos,
    )
    assert.deepEqual(receipts['receipts'], {
      receipts: [
        { message: 'conversations/3333/messages/a-1', receiptType: 'READ' },
        { message: 'conversations/3333/messages/a-2', receiptType: 'READ' },
      ],
      createTime,
    })
  })

  test('exactly one payload key; customAgentId omitted when the agent has none', () => {
    const payload = userMessagePayload({ ...ctx, customAgentId: undefined }, { type: 'live-agent' }, 0, 'r')
    assert.deepEqual(Object.keys(payload), [
      'agent',
      'conversationId',
      'requestId',
      'userStatus',
      'context',
      'sendTime',
    ])
  })

  test('default sub-millisecond digits are stable per requestId and shared by createTime and sendTime', () => {
    const a = userMessagePayload(ctx, { type: 'typing', isTyping: false }, 1_000, 'r-9')
    const b = userMessagePayload(ctx, { type: 'typing', isTyping: false }, 1_000, 'r-9')
    assert.deepEqual(a, b)
    assert.match(String(a['sendTime']), /^1970-01-01T00:00:01\.000\d{6}Z$/)
    assert.equal((a['userStatus'] as { createTime: string }).createTime, a['sendTime'])
  })
})

describe('Google timestamps', () => {
  test('format with nine fractional digits in UTC', () => {
    assert.equal(formatGoogleTimestamp(at('2020-10-02T15:05:24.045Z'), 123_456), '2020-10-02T15:05:24.045123456Z')
    assert.equal(formatGoogleTimestamp(0), '1970-01-01T00:00:00.000000000Z')
  })

  test('parse 0–9 fractional digits and shift keeping the sub-millisecond digits', () => {
    assert.deepEqual(parseGoogleTimestamp('2020-10-02T15:07:30Z'), {
      ms: at('2020-10-02T15:07:30Z'),
      subMillisecondNanos: 0,
    })
    assert.deepEqual(parseGoogleTimestamp('2020-10-02T15:07:30.5Z'), {
      ms: at('2020-10-02T15:07:30.500Z'),
      subMillisecondNanos: 0,
    })
    assert.equal(shiftGoogleTimestamp('2020-10-02T15:05:24.045123456Z', -1_000), '2020-10-02T15:05:23.045123456Z')
    assert.throws(() => parseGoogleTimestamp('SEND_TIME'), { code: 'ERR_INVALID_ARGUMENT' })
  })
})
