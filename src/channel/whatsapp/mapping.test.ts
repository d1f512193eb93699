/**
 * The WhatsApp channel's pure mappings, from parsed Meta sample payloads to the neutral shapes
 * (docs/whatsapp-decisions.md §3.2–§3.5), and from the neutral shapes to Cloud API bodies
 * (docs/whatsapp-decisions.md §4.2–§4.5).
 */
import { test } from 'node:test'
import assert from 'node:assert/strict'
import { InvalidArgumentError } from '../../errors.ts'
import { parseWhatsAppWebhook } from '../../whatsapp/parse.ts'
import { LIVE_AGENT_POSTBACK, toWhatsAppInbound } from './inbound.ts'
import { toWhatsAppMessage } from './outbound.ts'

const METADATA = { display_phone_number: '15550783881', phone_number_id: '106540352242922' }
const mapped = (value: Record<string, unknown>) =>
  parseWhatsAppWebhook(
    JSON.stringify({
      object: 'whatsapp_business_account',
      entry: [
        {
          id: '102290129340398',
          changes: [{ field: 'messages', value: { messaging_product: 'whatsapp', metadata: METADATA, ...value } }],
        },
      ],
    }),
  ).map(toWhatsAppInbound)
const fromUser = (message: Record<string, unknown>, contact: Record<string, unknown> = { wa_id: '16505551234' }) =>
  mapped({
    contacts: [{ profile: { name: 'Sheena Nelson' }, ...contact }],
    messages: [{ from: '16505551234', id: 'wamid.IN', timestamp: '1', ...message }],
  })[0]
const KEY = { channel: 'whatsapp', agent: '106540352242922', conversation: '16505551234' }
const BASE = { deliveryId: 'wamid.IN', conversationId: '16505551234', user: { displayName: 'Sheena Nelson' } }
const inboundOf = (message: Record<string, unknown>) => ({
  kind: 'inbound',
  key: KEY,
  message: { ...BASE, ...message },
})
const tap = (text: string, postbackData: string) => inboundOf({ kind: 'suggestion', text, postbackData })

test('text and taps become neutral inbound messages keyed on (whatsapp, phone-number id, user key)', () => {
  assert.deepEqual(fromUser({ type: 'text', text: { body: 'balance' } }), {
    kind: 'inbound',
    key: KEY,
    message: { ...BASE, kind: 'text', text: 'balance' },
  })
  assert.deepEqual(
    fromUser({
      type: 'interactive',
      interactive: { type: 'button_reply', button_reply: { id: 'acct-1', title: 'Checking' } },
    }),
    tap('Checking', 'acct-1'),
  )
  assert.deepEqual(
    fromUser({
      type: 'interactive',
      interactive: { type: 'list_reply', list_reply: { id: 'acct-4', title: 'Savings' } },
    }),
    tap('Savings', 'acct-4'),
  )
  assert.deepEqual(fromUser({ type: 'button', button: { payload: 'yes', text: 'Yes' } }), tap('Yes', 'yes'))
  assert.deepEqual(
    fromUser({
      type: 'interactive',
      interactive: { type: 'button_reply', button_reply: { id: LIVE_AGENT_POSTBACK, title: 'Talk to a person' } },
    }),
    inboundOf({ kind: 'live-agent-request' }),
  )
  const bsuid = fromUser(
    { type: 'text', text: { body: 'hi' } },
    { wa_id: '16505551234', user_id: 'US.13491208655302741918' },
  )
  assert.equal(bsuid?.kind === 'inbound' ? bsuid.key.conversation : undefined, 'US.13491208655302741918')
})

test('media is answered "text only" every time; reactions and other system messages are ignored', () => {
  assert.deepEqual(fromUser({ type: 'image', image: { id: '1' } }), {
    kind: 'text-only',
    key: KEY,
    deliveryId: 'wamid.IN',
    what: 'image',
  })
  assert.deepEqual(fromUser({ type: 'sticker', sticker: { id: '2' } }), {
    kind: 'text-only',
    key: KEY,
    deliveryId: 'wamid.IN',
    what: 'sticker',
  })
  assert.equal(
    fromUser({ type: 'reaction', reaction: { message_id: 'wamid.OUT', emoji: '\u{1F44D}' } })?.kind,
    'ignored',
  )
  assert.equal(fromUser({ type: 'system', system: { type: 'customer_identity_changed' } })?.kind, 'ignored')
})

test('a changed user id moves the conversation from the old key to the new one', () => {
  const changed = fromUser({
    type: 'system',
    system: { type: 'user_changed_user_id', previous_user_id: 'US.111', user_id: 'US.222' },
  })
  assert.deepEqual(changed, {
    kind: 'user-changed',
    key: { ...KEY, conversation: 'US.111' },
    newKey: { ...KEY, conversation: 'US.222' },
    deliveryId: 'wamid.IN',
  })
  // Meta's user_changed_number sample: the old number is the sender, the new one in system.wa_id.
  const number = fromUser({
    type: 'system',
    system: {
      type: 'user_changed_number',
      wa_id: '12195555358',
      body: 'User Sheena Nelson changed from 16505551234 to 12195555358',
    },
  })
  assert.deepEqual(
    number?.kind === 'user-changed' ? [number.key.conversation, number.newKey.conversation] : undefined,
    ['16505551234', '12195555358'],
  )
  assert.equal(fromUser({ type: 'system', system: { type: 'user_changed_user_id' } })?.kind, 'ignored')
})

test('a failed status (131047) is surfaced once per (wamid, status); other statuses are ignored', () => {
  const [delivered, failed] = mapped({
    statuses: [
      { id: 'wamid.OUT', status: 'delivered', timestamp: '1', recipient_id: '16505551234' },
      {
        id: 'wamid.OUT',
        status: 'failed',
        timestamp: '2',
        recipient_id: '16505551234',
        errors: [{ code: 131047, title: 'Re-engagement message' }],
      },
    ],
  })
  assert.deepEqual(delivered, { kind: 'ignored', deliveryId: 'wamid.OUT:delivered', what: 'status delivered' })
  assert.deepEqual(failed, {
    kind: 'send-failed',
    deliveryId: 'wamid.OUT:failed',
    agent: '106540352242922',
    messageId: 'wamid.OUT',
    conversation: '16505551234',
    errors: [{ code: 131047, title: 'Re-engagement message' }],
  })
})

const TO = '16505551234'
const interactiveType = (m: ReturnType<typeof toWhatsAppMessage>) =>
  m.type === 'interactive' ? m.interactive.type : m.type

test('outbound: a text, three chips as buttons, four as a list, a link as cta_url', () => {
  assert.deepEqual(toWhatsAppMessage({ type: 'text', text: 'Hello' }, { to: TO, replyTo: 'wamid.IN' }), {
    messaging_product: 'whatsapp',
    recipient_type: 'individual',
    to: TO,
    context: { message_id: 'wamid.IN' },
    type: 'text',
    text: { body: 'Hello' },
  })
  const chips = (n: number) =>
    Array.from({ length: n }, (_, i) => ({ text: `Account ${i + 1}`, postbackData: `acct-${i + 1}` }))
  assert.equal(
    interactiveType(toWhatsAppMessage({ type: 'text', text: 'Which?', suggestions: chips(3) }, { to: TO })),
    'button',
  )
  const four = toWhatsAppMessage({ type: 'text', text: 'Which?', suggestions: chips(4) }, { to: TO })
  assert.deepEqual(
    four.type === 'interactive' && four.interactive.type === 'list' ? four.interactive.action : undefined,
    {
      button: 'Choose',
      sections: [{ rows: chips(4).map((c) => ({ id: c.postbackData, title: c.text })) }],
    },
  )
  // A label too long for a button (21 characters) goes to a list, whose rows allow 24.
  const long = [{ text: 'A very long label here', postbackData: 'x' }]
  assert.equal(
    interactiveType(toWhatsAppMessage({ type: 'text', text: 'Which?', suggestions: long }, { to: TO })),
    'list',
  )
  const link = toWhatsAppMessage(
    { type: 'text', text: 'Our rates', link: { text: 'Open', url: 'https://bank.example/rates' } },
    { to: TO },
  )
  assert.deepEqual(link.type === 'interactive' ? link.interactive.action : undefined, {
    name: 'cta_url',
    parameters: { display_text: 'Open', url: 'https://bank.example/rates' },
  })
})

test('outbound: the sign-in prompt is a cta_url to the start page, and needs one; the live-agent offer is one button', () => {
  const prompt = {
    type: 'sign-in-prompt' as const,
    text: 'Please sign in',
    clientId: 'c',
    codeChallenge: 'x',
    scopes: ['openid'],
  }
  const sent = toWhatsAppMessage(prompt, { to: TO, signInUrl: 'https://agent.example/signin/h4ndle' })
  assert.deepEqual(sent.type === 'interactive' ? sent.interactive.action : undefined, {
    name: 'cta_url',
    parameters: { display_text: 'Sign in', url: 'https://agent.example/signin/h4ndle' },
  })
  // The PKCE challenge and client id stay on the agent's side: the link is all the chat sees.
  assert.ok(!JSON.stringify(sent).includes('codeChallenge'))
  assert.throws(
    () => toWhatsAppMessage(prompt, { to: TO }),
    (err: unknown) => err instanceof InvalidArgumentError && err.field === 'signInUrl',
  )
  const offer = toWhatsAppMessage({ type: 'live-agent-offer', text: 'Want a person?' }, { to: TO })
  assert.deepEqual(
    offer.type === 'interactive' && offer.interactive.type === 'button' ? offer.interactive.action.buttons : undefined,
    [{ type: 'reply', reply: { id: LIVE_AGENT_POSTBACK, title: 'Talk to a person' } }],
  )
})
