import { test } from 'node:test'
import assert from 'node:assert/strict'
import { BOT_REPRESENTATIVE, deterministicMessageId, toBusinessMessage } from './outbound.ts'
import { toInboundMessage } from './inbound.ts'
import { parseWebhookEvent } from '../../webhook/parse-event.ts'

const style = { representative: BOT_REPRESENTATIVE, signInFallback: 'Sign in on the web.' }

test('docs/contract-decisions.md §10 "crash semantics": message ids are deterministic per (conversation, delivery, index) and differ otherwise', () => {
  const base = { conversationId: 'c1', deliveryId: 'r:1', index: 0 }
  assert.equal(deterministicMessageId(base), deterministicMessageId({ ...base }))
  assert.notEqual(deterministicMessageId(base), deterministicMessageId({ ...base, index: 1 }))
  assert.notEqual(deterministicMessageId(base), deterministicMessageId({ ...base, deliveryId: 'r:2' }))
  assert.notEqual(deterministicMessageId(base), deterministicMessageId({ ...base, salt: 'challenge' }))
  assert.match(deterministicMessageId(base), /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/)
})

test('P3 the sign-in prompt carries one S256 chip, fallback text and the BOT representative', () => {
  const message = toBusinessMessage(
    {
      type: 'sign-in-prompt',
      text: 'Sign in',
      clientId: 'bank',
      codeChallenge: 'E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM',
      scopes: ['openid'],
    },
    'id-1',
    style,
  )
  assert.deepEqual(message, {
    messageId: 'id-1',
    representative: { representativeType: 'BOT' },
    text: 'Sign in',
    fallback: 'Sign in Sign in on the web.',
    suggestions: [
      {
        authenticationRequest: {
          oauth: {
            clientId: 'bank',
            codeChallenge: 'E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM',
            codeChallengeMethod: 'S256',
            scopes: ['openid'],
          },
        },
      },
    ],
  })
})

test('a live-agent offer carries a liveAgentRequest chip; a reply is plain text', () => {
  assert.deepEqual(toBusinessMessage({ type: 'live-agent-offer', text: 'Talk to us?' }, 'id-2', style).suggestions, [
    { liveAgentRequest: {} },
  ])
  assert.equal(toBusinessMessage({ type: 'text', text: 'Hi' }, 'id-3', style).suggestions, undefined)
})

test('a neutral reply: suggestions become reply chips, a link an open-URL chip', () => {
  const chips = toBusinessMessage(
    { type: 'text', text: 'Pick', suggestions: [{ text: 'Balance', postbackData: 'balance' }] },
    'id-4',
    style,
  )
  assert.deepEqual(chips.suggestions, [{ reply: { text: 'Balance', postbackData: 'balance' } }])
  const link = toBusinessMessage(
    { type: 'text', text: 'Read', link: { text: 'Terms', url: 'https://bank.example/terms' } },
    'id-5',
    style,
  )
  assert.deepEqual(link.suggestions, [
    {
      action: {
        text: 'Terms',
        postbackData: 'bm-oauth:open-url',
        openUrlAction: { url: 'https://bank.example/terms' },
      },
    },
  ])
})

const encode = (body: object): Uint8Array => new TextEncoder().encode(JSON.stringify(body))
const envelope = {
  agent: 'brands/1/agents/2',
  conversationId: 'c1',
  requestId: 'r-1',
  sendTime: '2026-01-01T00:00:00Z',
}

test('inbound mapping: text, chip tap, code, error (P10: error wins over a code), live agent, receipts ignored', () => {
  const context = { userInfo: { displayName: 'Michael', userDeviceLocale: 'en' } }
  const text = toInboundMessage(
    parseWebhookEvent(encode({ ...envelope, context, message: { messageId: 'm', text: 'hi' } })),
  )
  assert.deepEqual(text, {
    kind: 'text',
    deliveryId: 'r:r-1',
    conversationId: 'c1',
    user: { displayName: 'Michael', locale: 'en' },
    text: 'hi',
  })
  const tap = toInboundMessage(
    parseWebhookEvent(encode({ ...envelope, suggestionResponse: { text: 'Yes', postbackData: 'yes' } })),
  )
  assert.equal(tap.kind === 'suggestion' && tap.postbackData, 'yes')
  const code = toInboundMessage(
    parseWebhookEvent(
      encode({
        ...envelope,
        authenticationResponse: { code: 'abc', redirect_uri: 'https://business.google.com/callback' },
      }),
    ),
  )
  assert.deepEqual(code.kind === 'authorization' && code.result, {
    type: 'code',
    code: 'abc',
    redirectUri: 'https://business.google.com/callback',
  })
  const both = toInboundMessage(
    parseWebhookEvent(
      encode({ ...envelope, authenticationResponse: { code: 'abc', errorDetails: { error: 'ACCESS_DENIED' } } }),
    ),
  )
  assert.deepEqual(both.kind === 'authorization' && both.result, { type: 'error', error: 'ACCESS_DENIED' })
  const live = toInboundMessage(parseWebhookEvent(encode({ ...envelope, userStatus: { requestedLiveAgent: true } })))
  assert.equal(live.kind, 'live-agent-request')
  const receipt = toInboundMessage(parseWebhookEvent(encode({ ...envelope, receipts: { receipts: [] } })))
  assert.equal(receipt.kind, 'ignored')
})
