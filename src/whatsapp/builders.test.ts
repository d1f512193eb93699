/**
 * The builders against Meta's documented bodies and every documented limit
 * (docs/whatsapp-decisions.md §4.2–§4.6): each limit is tested at its edge (accepted) and one past it (refused, naming the field).
 */
import { test } from 'node:test'
import assert from 'node:assert/strict'
import { InvalidArgumentError } from '../errors.ts'
import {
  WHATSAPP_LIMITS as L,
  ctaUrlMessage,
  listMessage,
  readReceipt,
  replyButtonsMessage,
  textMessage,
} from './builders.ts'
import type { ListRow, ListSection } from './builders.ts'

const TO = '+16505551234'
const x = (n: number): string => 'x'.repeat(n)
const refuses = (fn: () => unknown, field: string) =>
  assert.throws(fn, (err: unknown) => err instanceof InvalidArgumentError && err.field === field, field)

test("text: Meta's body shape, at most 4096 characters counted as characters, not UTF-16 units", () => {
  assert.deepEqual(textMessage(TO, 'As requested', { previewUrl: true, replyTo: 'wamid.IN' }), {
    messaging_product: 'whatsapp',
    recipient_type: 'individual',
    to: TO,
    context: { message_id: 'wamid.IN' },
    type: 'text',
    text: { body: 'As requested', preview_url: true },
  })
  textMessage(TO, x(L.textBody))
  textMessage(TO, '\u{1F600}'.repeat(L.textBody)) // 4096 emoji: 8192 UTF-16 units, 4096 characters
  refuses(() => textMessage(TO, x(L.textBody + 1)), 'text.body')
  refuses(() => textMessage(TO, ' '), 'text.body')
})

test('recipients: a phone number or a business-scoped user id, nothing else', () => {
  textMessage('16505551234', 'hi')
  textMessage('US.13491208655302741918', 'hi')
  textMessage('US.ENT.11815799212886844830', 'hi')
  refuses(() => textMessage('', 'hi'), 'to')
  refuses(() => textMessage('sheena', 'hi'), 'to')
})

test("reply buttons: Meta's body shape; 1–3 buttons, titles ≤ 20 and unique, ids ≤ 256 and unique", () => {
  const message = replyButtonsMessage(TO, {
    header: 'Workshop',
    body: 'Hi Pablo! Your gardening workshop is scheduled for 9am tomorrow.',
    footer: 'Lucky Shrub',
    buttons: [
      { id: 'change-button', title: 'Change' },
      { id: 'cancel-button', title: 'Cancel' },
    ],
  })
  assert.deepEqual(message, {
    messaging_product: 'whatsapp',
    recipient_type: 'individual',
    to: TO,
    type: 'interactive',
    interactive: {
      type: 'button',
      header: { type: 'text', text: 'Workshop' },
      body: { text: 'Hi Pablo! Your gardening workshop is scheduled for 9am tomorrow.' },
      footer: { text: 'Lucky Shrub' },
      action: {
        buttons: [
          { type: 'reply', reply: { id: 'change-button', title: 'Change' } },
          { type: 'reply', reply: { id: 'cancel-button', title: 'Cancel' } },
        ],
      },
    },
  })
  const buttons = (n: number) => Array.from({ length: n }, (_, i) => ({ id: `b${i}`, title: `B${i}` }))
  replyButtonsMessage(TO, {
    body: x(L.buttonBody),
    buttons: [{ id: x(L.replyButtonId), title: x(L.replyButtonTitle) }],
  })
  refuses(() => replyButtonsMessage(TO, { body: 'b', buttons: buttons(4) }), 'interactive.action.buttons')
  refuses(() => replyButtonsMessage(TO, { body: 'b', buttons: [] }), 'interactive.action.buttons')
  refuses(() => replyButtonsMessage(TO, { body: x(L.buttonBody + 1), buttons: buttons(1) }), 'interactive.body.text')
  refuses(
    () => replyButtonsMessage(TO, { body: 'b', buttons: [{ id: 'a', title: x(21) }] }),
    'interactive.action.buttons[0].reply.title',
  )
  refuses(
    () => replyButtonsMessage(TO, { body: 'b', buttons: [{ id: x(257), title: 't' }] }),
    'interactive.action.buttons[0].reply.id',
  )
  refuses(
    () => replyButtonsMessage(TO, { body: 'b', buttons: [{ id: ' a', title: 't' }] }),
    'interactive.action.buttons[0].reply.id',
  )
  const dupId = [
    { id: 'a', title: 'One' },
    { id: 'a', title: 'Two' },
  ]
  refuses(() => replyButtonsMessage(TO, { body: 'b', buttons: dupId }), 'interactive.action.buttons[1].reply.id')
  const dupTitle = [
    { id: 'a', title: 'Same' },
    { id: 'b', title: 'Same' },
  ]
  refuses(() => replyButtonsMessage(TO, { body: 'b', buttons: dupTitle }), 'interactive.action.buttons[1].reply.title')
  refuses(() => replyButtonsMessage(TO, { body: 'b', header: x(61), buttons: buttons(1) }), 'interactive.header.text')
  refuses(() => replyButtonsMessage(TO, { body: 'b', footer: x(61), buttons: buttons(1) }), 'interactive.footer.text')
})

test("lists: Meta's body shape; ≤ 10 rows in all, ≤ 10 sections, row title ≤ 24, id ≤ 200, description ≤ 72", () => {
  const row = { id: 'priority_express', title: 'Priority Mail Express', description: 'Next Day to 2 Days' }
  const message = listMessage(TO, {
    body: 'Which shipping option do you prefer?',
    button: 'Shipping Options',
    sections: [{ title: 'I want it ASAP!', rows: [row] }],
  })
  assert.deepEqual(message.type === 'interactive' ? message.interactive : undefined, {
    type: 'list',
    body: { text: 'Which shipping option do you prefer?' },
    action: { button: 'Shipping Options', sections: [{ title: 'I want it ASAP!', rows: [row] }] },
  })
  const rows = (n: number, prefix = 'r') =>
    Array.from({ length: n }, (_, i) => ({ id: `${prefix}${i}`, title: `Row ${i}` }))
  const pick = (sections: ListSection[]) => () => listMessage(TO, { body: 'b', button: 'Pick', sections })
  const two = (a: ListRow[], b: ListRow[]): ListSection[] => [
    { title: 'A', rows: a },
    { title: 'B', rows: b },
  ]
  listMessage(TO, { body: x(L.listBody), button: x(L.listButton), sections: [{ rows: rows(10) }] })
  pick(two(rows(5, 'a'), rows(5, 'b')))()
  refuses(pick([{ rows: rows(11) }]), 'interactive.action.sections[].rows')
  refuses(pick(two(rows(6, 'a'), rows(5, 'b'))), 'interactive.action.sections[].rows')
  refuses(
    pick(Array.from({ length: 11 }, (_, i) => ({ title: `S${i}`, rows: [{ id: `s${i}`, title: 't' }] }))),
    'interactive.action.sections',
  )
  refuses(
    () => listMessage(TO, { body: 'b', button: x(21), sections: [{ rows: rows(1) }] }),
    'interactive.action.button',
  )
  refuses(
    () => listMessage(TO, { body: x(L.listBody + 1), button: 'Pick', sections: [{ rows: rows(1) }] }),
    'interactive.body.text',
  )
  refuses(pick([{ title: x(25), rows: rows(1) }]), 'interactive.action.sections[0].title')
  refuses(pick([{ rows: rows(1, 'a') }, { title: 'B', rows: rows(1, 'b') }]), 'interactive.action.sections[0].title')
  refuses(pick([{ rows: [{ id: 'a', title: x(25) }] }]), 'interactive.action.sections[0].rows[0].title')
  refuses(pick([{ rows: [{ id: x(201), title: 't' }] }]), 'interactive.action.sections[0].rows[0].id')
  refuses(
    pick([{ rows: [{ id: 'a', title: 't', description: x(73) }] }]),
    'interactive.action.sections[0].rows[0].description',
  )
  refuses(pick(two([{ id: 'a', title: 't' }], [{ id: 'a', title: 'u' }])), 'interactive.action.sections[1].rows[0].id')
})

test("cta_url: Meta's body shape; display text ≤ 20 and an absolute http(s) URL", () => {
  const message = ctaUrlMessage(TO, {
    body: 'Tap the button below to see available dates.',
    displayText: 'See Dates',
    url: 'https://www.luckyshrub.com?clickID=kqDGWd24Q5TRwoEQTICY7W1JKoXvaZOXWAS7h1P76s0R7Paec4',
  })
  assert.deepEqual(message.type === 'interactive' ? message.interactive.action : undefined, {
    name: 'cta_url',
    parameters: {
      display_text: 'See Dates',
      url: 'https://www.luckyshrub.com?clickID=kqDGWd24Q5TRwoEQTICY7W1JKoXvaZOXWAS7h1P76s0R7Paec4',
    },
  })
  refuses(
    () => ctaUrlMessage(TO, { body: 'b', displayText: x(21), url: 'https://a.example' }),
    'interactive.action.parameters.display_text',
  )
  refuses(
    () => ctaUrlMessage(TO, { body: x(L.ctaBody + 1), displayText: 'Go', url: 'https://a.example' }),
    'interactive.body.text',
  )
  refuses(
    () => ctaUrlMessage(TO, { body: 'b', displayText: 'Go', url: '/signin/abc' }),
    'interactive.action.parameters.url',
  )
  refuses(
    () => ctaUrlMessage(TO, { body: 'b', displayText: 'Go', url: 'javascript:alert(1)' }),
    'interactive.action.parameters.url',
  )
})

test("read receipt: Meta's typing-indicator body, and the plain mark-as-read", () => {
  assert.deepEqual(readReceipt('wamid.HBgLMTY1MDM4Nzk0MzkVAgARGBJDQjZCMzlEQUE4OTJBMTE4RTUA', { typing: true }), {
    messaging_product: 'whatsapp',
    status: 'read',
    message_id: 'wamid.HBgLMTY1MDM4Nzk0MzkVAgARGBJDQjZCMzlEQUE4OTJBMTE4RTUA',
    typing_indicator: { type: 'text' },
  })
  assert.deepEqual(readReceipt('wamid.A'), { messaging_product: 'whatsapp', status: 'read', message_id: 'wamid.A' })
  refuses(() => readReceipt(' '), 'message_id')
})
