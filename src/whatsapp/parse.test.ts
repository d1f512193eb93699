/**
 * Contract tests of the parser on Meta's documented sample payloads; each fixture names the Meta page
 * it comes from (docs/whatsapp-decisions.md lists them with their addresses). Placeholders in Meta's
 * syntax blocks are filled with the example values of the same page's table.
 */
import { test } from 'node:test'
import assert from 'node:assert/strict'
import { isBmOAuthError } from '../errors.ts'
import { parseWhatsAppWebhook, toE164, type WhatsAppEvent } from './parse.ts'

const METADATA = { display_phone_number: '15550783881', phone_number_id: '106540352242922' }
const wrap = (value: Record<string, unknown>) =>
  JSON.stringify({
    object: 'whatsapp_business_account',
    entry: [
      {
        id: '102290129340398',
        changes: [{ value: { messaging_product: 'whatsapp', metadata: METADATA, ...value }, field: 'messages' }],
      },
    ],
  })

// "messages webhook reference", Incoming messages: the text message sample, verbatim.
const TEXT_SAMPLE = wrap({
  contacts: [{ profile: { name: 'Sheena Nelson' }, wa_id: '16505551234' }],
  messages: [
    {
      from: '16505551234',
      id: 'wamid.HBgLMTY1MDM4Nzk0MzkVAgASGBQzQTRBNjU5OUFFRTAzODEwMTQ0RgA=',
      timestamp: '1749416383',
      type: 'text',
      text: { body: 'Does it come in another color?' },
    },
  ],
})

const messageOf = (body: string): Extract<WhatsAppEvent, { kind: 'message' }> => {
  const events = parseWhatsAppWebhook(body)
  assert.equal(events.length, 1)
  assert.equal(events[0]!.kind, 'message')
  return events[0] as Extract<WhatsAppEvent, { kind: 'message' }>
}

test("Meta's text sample: keyed on (phone_number_id, wa_id), phone number in E.164", () => {
  assert.deepEqual(messageOf(TEXT_SAMPLE), {
    kind: 'message',
    phoneNumberId: '106540352242922',
    displayPhoneNumber: '15550783881',
    businessAccountId: '102290129340398',
    messageId: 'wamid.HBgLMTY1MDM4Nzk0MzkVAgASGBQzQTRBNjU5OUFFRTAzODEwMTQ0RgA=',
    timestamp: 1749416383,
    user: { key: '16505551234', waId: '16505551234', phoneNumber: '+16505551234', profileName: 'Sheena Nelson' },
    content: { type: 'text', text: 'Does it come in another color?' },
  })
})

// "Interactive messages webhook reference": the reply-button and list-reply variants with the
// page's example values (cancel-button / Cancel; priority_express / Priority Mail Express).
const CONTEXT = { from: '15550783881', id: 'wamid.HBgLMTQxMjU1NTA4MjkVAgASGBQzQUNCNjk5RDUwNUZGMUZEM0VBRAA=' }
const interactive = (reply: Record<string, unknown>) =>
  wrap({
    contacts: [{ profile: { name: 'Sheena Nelson' }, wa_id: '16505551234' }],
    messages: [
      {
        context: CONTEXT,
        from: '16505551234',
        id: 'wamid.TAP',
        timestamp: '1739321024',
        type: 'interactive',
        interactive: reply,
      },
    ],
  })

test("Meta's interactive samples: button_reply and list_reply are taps naming the message they answer", () => {
  const button = messageOf(
    interactive({ type: 'button_reply', button_reply: { id: 'cancel-button', title: 'Cancel' } }),
  )
  assert.deepEqual(button.content, { type: 'button_reply', id: 'cancel-button', title: 'Cancel' })
  assert.equal(button.contextMessageId, CONTEXT.id)
  const row = { id: 'priority_express', title: 'Priority Mail Express', description: 'Next Day to 2 Days' }
  const list = messageOf(interactive({ type: 'list_reply', list_reply: row }))
  assert.deepEqual(list.content, { type: 'list_reply', ...row })
  const flow = messageOf(interactive({ type: 'nfm_reply', nfm_reply: {} }))
  assert.deepEqual(flow.content, { type: 'unsupported', messageType: 'interactive.nfm_reply', errors: [] })
})

test('a template quick-reply button, a reaction and media parse into their kinds', () => {
  const one = (message: Record<string, unknown>) =>
    messageOf(
      wrap({
        contacts: [{ wa_id: '16505551234' }],
        messages: [{ from: '16505551234', id: 'wamid.X', timestamp: '1', ...message }],
      }),
    )
  assert.deepEqual(one({ type: 'button', button: { payload: 'balance', text: 'Balance' } }).content, {
    type: 'quick_reply',
    payload: 'balance',
    text: 'Balance',
  })
  assert.deepEqual(one({ type: 'reaction', reaction: { message_id: 'wamid.OURS', emoji: '\u{1F44D}' } }).content, {
    type: 'reaction',
    messageId: 'wamid.OURS',
    emoji: '\u{1F44D}',
  })
  assert.deepEqual(one({ type: 'reaction', reaction: { message_id: 'wamid.OURS', emoji: '' } }).content, {
    type: 'reaction',
    messageId: 'wamid.OURS',
  })
  assert.deepEqual(one({ type: 'image', image: { id: '1', mime_type: 'image/jpeg' } }).content, {
    type: 'media',
    messageType: 'image',
  })
  assert.deepEqual(one({ type: 'unsupported', errors: [{ code: 131051, title: 'Message type unknown' }] }).content, {
    type: 'unsupported',
    messageType: 'unsupported',
    errors: [{ code: 131051, title: 'Message type unknown' }],
  })
})

// "Business-scoped user IDs": contacts carry user_id (and a username); wa_id may be absent.
test('a business-scoped user id is the key where Meta sends one; a username-only user has no phone number', () => {
  const both = messageOf(
    wrap({
      contacts: [{ profile: { name: 'Sheena Nelson' }, wa_id: '16505551234', user_id: 'US.13491208655302741918' }],
      messages: [{ from: '16505551234', id: 'wamid.B', timestamp: '1', type: 'text', text: { body: 'hi' } }],
    }),
  )
  assert.equal(both.user.key, 'US.13491208655302741918')
  assert.equal(both.user.phoneNumber, '+16505551234')
  const onlyBsuid = messageOf(
    wrap({
      contacts: [{ profile: { name: 'Sheena', username: 'sheena' }, user_id: 'US.13491208655302741918' }],
      messages: [{ id: 'wamid.C', timestamp: '1', type: 'text', text: { body: 'hi' } }],
    }),
  )
  assert.deepEqual(onlyBsuid.user, {
    key: 'US.13491208655302741918',
    userId: 'US.13491208655302741918',
    profileName: 'Sheena',
  })
})

// "System messages webhook reference": no contacts array; the example values of its table.
test("Meta's system samples: user_changed_number and user_changed_user_id carry the old and new ids", () => {
  const system = (value: Record<string, unknown>) =>
    messageOf(
      wrap({
        messages: [
          {
            from: '16505551234',
            id: 'wamid.HBgLMTY1MDM4Nzk0MzkVAgASGBQzQUFERjg0NDEzNDdFODU3MUMxMAA=',
            timestamp: '1739321024',
            type: 'system',
            system: value,
          },
        ],
      }),
    )
  const changedNumber = system({
    body: 'User Sheena Nelson changed from 16505551234 to 12195555358',
    wa_id: '12195555358',
    type: 'user_changed_number',
  })
  assert.equal(changedNumber.user.key, '16505551234')
  assert.deepEqual(changedNumber.content, { type: 'user_changed_number', newWaId: '12195555358' })
  const changedId = system({ type: 'user_changed_user_id', previous_user_id: 'US.111', user_id: 'US.222' })
  assert.deepEqual(changedId.content, { type: 'user_changed_user_id', previousUserId: 'US.111', newUserId: 'US.222' })
  // Without a phone number (Meta: "no phone number is included") the sender is the previous BSUID.
  const bsuidOnly = messageOf(
    wrap({
      messages: [
        {
          id: 'wamid.U',
          timestamp: '1',
          type: 'system',
          system: { type: 'user_changed_user_id', previous_user_id: 'US.111', user_id: 'US.222' },
        },
      ],
    }),
  )
  assert.deepEqual(bsuidOnly.user, { key: 'US.111', userId: 'US.111' })
  assert.deepEqual(system({ type: 'customer_identity_changed' }).content, {
    type: 'system',
    systemType: 'customer_identity_changed',
  })
})

// "WhatsApp error codes" (asynchronous errors) and the status shape of the messages webhook.
test('a batched body: every message and every status is one event, in order, with failed-status errors', () => {
  const body = JSON.stringify({
    object: 'whatsapp_business_account',
    entry: [
      JSON.parse(TEXT_SAMPLE).entry[0],
      {
        id: '102290129340398',
        changes: [
          { field: 'account_update', value: { event: 'VERIFIED_ACCOUNT' } },
          {
            field: 'messages',
            value: {
              messaging_product: 'whatsapp',
              metadata: METADATA,
              statuses: [
                {
                  id: 'wamid.OUT1',
                  status: 'delivered',
                  timestamp: '1750857384',
                  recipient_id: '16505551234',
                  conversation: { id: 'a75d17ad06104c51166f948319b03c6a' },
                },
                {
                  id: 'wamid.OUT2',
                  status: 'failed',
                  timestamp: 1683871427,
                  recipient_id: '16505551234',
                  errors: [
                    {
                      code: 131047,
                      title: 'Re-engagement message',
                      message: 'Re-engagement message',
                      error_data: {
                        details:
                          'Message failed to send because more than 24 hours have passed since the customer last replied to this number.',
                      },
                    },
                  ],
                },
              ],
            },
          },
        ],
      },
    ],
  })
  const events = parseWhatsAppWebhook(body)
  assert.deepEqual(
    events.map((e) => [e.kind, e.kind === 'error' ? '' : e.messageId]),
    [
      ['message', 'wamid.HBgLMTY1MDM4Nzk0MzkVAgASGBQzQTRBNjU5OUFFRTAzODEwMTQ0RgA='],
      ['status', 'wamid.OUT1'],
      ['status', 'wamid.OUT2'],
    ],
  )
  const failed = events[2] as Extract<WhatsAppEvent, { kind: 'status' }>
  assert.equal(failed.status, 'failed')
  assert.equal(failed.recipientKey, '16505551234')
  assert.equal(failed.timestamp, 1683871427)
  assert.deepEqual(failed.errors, [
    {
      code: 131047,
      title: 'Re-engagement message',
      details:
        'Message failed to send because more than 24 hours have passed since the customer last replied to this number.',
    },
  ])
  // The billing conversation id is never a key.
  assert.ok(!JSON.stringify(events[1]).includes('a75d17ad06104c51166f948319b03c6a'))
})

// "errors" messages webhook reference sample, verbatim.
test("Meta's value.errors sample is one error event", () => {
  const events = parseWhatsAppWebhook(
    wrap({
      errors: [
        {
          code: 130429,
          title: 'Rate limit hit',
          message: 'Rate limit hit',
          error_data: {
            details:
              'Message failed to send because there were too many messages sent from this phone number in a short period of time',
          },
          href: '/documentation/business-messaging/whatsapp/support/error-codes',
        },
      ],
    }),
  )
  assert.deepEqual(events, [
    {
      kind: 'error',
      phoneNumberId: '106540352242922',
      displayPhoneNumber: '15550783881',
      businessAccountId: '102290129340398',
      errors: [
        {
          code: 130429,
          title: 'Rate limit hit',
          details:
            'Message failed to send because there were too many messages sent from this phone number in a short period of time',
        },
      ],
    },
  ])
})

test('bodies without the ids everything is keyed on are unprocessable (422), never half-parsed', () => {
  const reason = (body: string) => {
    try {
      parseWhatsAppWebhook(body)
    } catch (err) {
      if (isBmOAuthError(err, 'ERR_WEBHOOK_UNPROCESSABLE')) return err.status
      throw err
    }
    return 'parsed'
  }
  assert.equal(reason('not json'), 422)
  assert.equal(reason(JSON.stringify({ object: 'page', entry: [] })), 422)
  assert.equal(reason(JSON.stringify({ object: 'whatsapp_business_account' })), 422)
  assert.equal(reason(TEXT_SAMPLE.replace('"phone_number_id":"106540352242922"', '"phone_number_id":""')), 422)
  assert.equal(reason(TEXT_SAMPLE.replace('"id":"wamid.', '"idx":"wamid.')), 422)
  assert.equal(reason(wrap({ messages: [{ id: 'wamid.N', timestamp: '1', type: 'text', text: { body: 'x' } }] })), 422)
  assert.equal(reason(wrap({ statuses: [{ id: 'wamid.S', timestamp: '1' }] })), 422)
  assert.equal(reason(JSON.stringify({ object: 'whatsapp_business_account', entry: [] })), 'parsed')
})

test('toE164 normalises WhatsApp ids and written numbers, and refuses what is not a phone number', () => {
  assert.equal(toE164('16505551234'), '+16505551234')
  assert.equal(toE164('+1 (650) 555-1234'), '+16505551234')
  assert.equal(toE164('0044 20 7946 0958'), '+442079460958')
  assert.equal(toE164('US.13491208655302741918'), undefined)
  assert.equal(toE164('1234567'), undefined)
  assert.equal(toE164('1'.repeat(16)), undefined)
})
