/**
 * The Business Messages client against the real emulator over loopback: every sending method and
 * message shape, the transcript the emulator keeps (Google's resource names), the documented
 * failures (403 for an unknown conversation, 409 for a reused id), and agreement between the
 * client's validator and the emulator's independent one
 * (docs/contract-decisions.md §2.1–§2.6, §10 Q1, §10 Q8).
 */
import { after, before, describe, test } from 'node:test'
import assert from 'node:assert/strict'
import { randomUUID } from 'node:crypto'
import type { RunningEmulator } from '../../src/emulator/index.ts'
import { GoogleAPIError, InvalidArgumentError } from '../../src/errors.ts'
import { businessMessages } from '../../src/index.ts'
import { systemClock } from '../../src/core/clock.ts'
import { silentLogger } from '../../src/core/logger.ts'
import {
  BusinessMessagesClient,
  authenticationRequestSuggestion,
  openUrlSuggestion,
  replySuggestion,
  type CreateMessageOptions,
  type Message,
  type ServiceAccountCredentials,
  type Suggestion,
} from '../../src/google/index.ts'
import {
  emulatorCredentials,
  loggedAgentMessages,
  openConversation,
  recordingFetch,
  startTestEmulator,
  transcript,
  userSays,
  type TestEmulator,
} from './support.ts'

const IMAGE_URL = 'https://example.com/images/tree.png'
const BOT = { representativeType: 'BOT' } as const

// One emulator for the whole file.
let running: TestEmulator
let emulator: RunningEmulator
let credentials: ServiceAccountCredentials

before(async () => {
  running = await startTestEmulator()
  emulator = running.emulator
  credentials = await emulatorCredentials(emulator, { scopes: ['businessmessages'] })
})
after(() => running.stop())

describe('BusinessMessagesClient against the emulator', () => {
  let bm: BusinessMessagesClient
  before(() => {
    bm = new BusinessMessagesClient({ credentials, baseUrl: emulator.url })
  })

  test("docs/contract-decisions.md §2.1 §2.2 §2.3 createMessage: every content kind and suggestion kind lands in the transcript under Google's names", async () => {
    const conversationId = await openConversation(emulator)
    const everySuggestion: Suggestion[] = [
      replySuggestion('Check balance', 'balance'),
      openUrlSuggestion('Open website', 'https://example.com/', 'open-site'),
      { action: { text: 'Call us', postbackData: 'call', dialAction: { phoneNumber: '+1-201-555-0123' } } },
      { liveAgentRequest: {} },
      authenticationRequestSuggestion({
        clientId: 'bank-agent',
        codeChallenge: 'E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM',
        scopes: ['openid', 'accounts'],
      }),
    ]
    const sends: Array<{ message: Message; options?: CreateMessageOptions }> = [
      { message: { text: 'Hello from the bank.', representative: BOT } },
      {
        message: {
          text: '**Bold**, *italic* and [a link](https://example.com/help).',
          containsRichText: true,
          representative: BOT,
        },
      },
      {
        message: {
          representative: BOT,
          richCard: {
            standaloneCard: {
              cardContent: {
                title: 'Savings account',
                description: 'Earn interest every month.',
                media: { height: 'MEDIUM', contentInfo: { fileUrl: IMAGE_URL, altText: 'A tree' } },
                suggestions: [replySuggestion('Tell me more', 'more')],
              },
            },
          },
          fallback: 'Savings account: earn interest every month.',
        },
      },
      {
        message: {
          representative: BOT,
          richCard: {
            carouselCard: {
              cardWidth: 'MEDIUM',
              cardContents: [
                {
                  title: 'Checking',
                  description: 'Everyday banking',
                  suggestions: [replySuggestion('Checking', 'checking')],
                },
                { title: 'Savings', media: { height: 'SHORT', contentInfo: { fileUrl: IMAGE_URL } } },
              ],
            },
          },
          fallback: 'Checking or savings?',
        },
      },
      {
        message: {
          image: { contentInfo: { fileUrl: IMAGE_URL, altText: 'A tree', forceRefresh: false } },
          representative: BOT,
        },
      },
      {
        message: {
          text: 'Sign in to continue the conversation.',
          fallback: 'Visit https://example.com/signin to continue.',
          representative: {
            representativeType: 'HUMAN',
            displayName: 'Alex',
            avatarImage: 'https://example.com/alex.png',
          },
          suggestions: everySuggestion,
        },
      },
      {
        message: { text: 'Only the fallback is shown.', fallback: 'The fallback text.', representative: BOT },
        options: { forceFallback: true },
      },
    ]

    const created: Message[] = []
    for (const { message, options } of sends) created.push(await bm.createMessage(conversationId, message, options))

    const entries = (await transcript(emulator, conversationId)).filter((e) => e.kind === 'message')
    assert.equal(entries.length, sends.length)
    entries.forEach((entry, i) => {
      const sent = created[i] as Message
      assert.equal(typeof sent.messageId, 'string', 'the client generated a messageId')
      assert.equal(sent.name, `conversations/${conversationId}/messages/${sent.messageId}`)
      assert.equal(entry.direction, 'agent')
      assert.equal(entry.name, sent.name)
      assert.equal(entry.id, sent.messageId)
      const expected = sends[i]?.options?.forceFallback === true ? { ...sent, forceFallback: true } : sent
      assert.deepEqual(entry.content, expected, `message ${i} is stored as sent`)
    })
    // docs/contract-decisions.md §10 Q1: the builder's chip carries S256 explicitly, so the
    // emulator's `plain` default never applies.
    const chips = entries[5]?.content['suggestions'] as Suggestion[]
    assert.equal(chips.length, everySuggestion.length)
    const auth = chips.find((s) => 'authenticationRequest' in s)
    assert.ok(auth !== undefined && 'authenticationRequest' in auth)
    assert.equal(auth.authenticationRequest.oauth.codeChallengeMethod, 'S256')
  })

  test('docs/contract-decisions.md §2.5 createEvent (TYPING_STARTED / TYPING_STOPPED) returns and logs the event by name', async () => {
    const conversationId = await openConversation(emulator)
    const started = await bm.createEvent(conversationId, 'typing-1', {
      eventType: 'TYPING_STARTED',
      representative: BOT,
    })
    const stopped = await bm.createEvent(conversationId, 'typing-2', {
      eventType: 'TYPING_STOPPED',
      representative: BOT,
    })
    assert.equal(started.name, `conversations/${conversationId}/events/typing-1`)
    assert.equal(started.eventType, 'TYPING_STARTED')
    assert.equal(stopped.name, `conversations/${conversationId}/events/typing-2`)
    const events = (await transcript(emulator, conversationId)).filter((e) => e.kind === 'event')
    assert.deepEqual(
      events.map((e) => [e.name, e.content['eventType']]),
      [
        [started.name, 'TYPING_STARTED'],
        [stopped.name, 'TYPING_STOPPED'],
      ],
    )
  })

  test("docs/contract-decisions.md §2.5 updateReceipt marks the user's message READ", async () => {
    const conversationId = await openConversation(emulator)
    const userMessageId = await userSays(emulator, conversationId, 'What is my balance?')
    const receipt = await bm.updateReceipt(conversationId, userMessageId, { receiptType: 'READ' })
    const name = `conversations/${conversationId}/messages/${userMessageId}/receipt`
    assert.deepEqual(receipt, { name, receiptType: 'READ' })
    const logged = (await transcript(emulator, conversationId)).filter((e) => e.kind === 'receipt')
    assert.deepEqual(
      logged.map((e) => [e.direction, e.name, e.content['receiptType']]),
      [['agent', name, 'READ']],
    )
  })

  test('docs/contract-decisions.md §2.5 createSurvey names the survey; a second one within 24 h is RESOURCE_EXHAUSTED', async () => {
    const conversationId = await openConversation(emulator)
    const survey = await bm.createSurvey(conversationId, 'survey-1')
    assert.deepEqual(survey, { name: `conversations/${conversationId}/surveys/survey-1` })
    // default retry policy: the 24 h survey quota is not retried (it could never succeed within a backoff)
    const rf = recordingFetch()
    const generated = new BusinessMessagesClient({ credentials, baseUrl: emulator.url, fetch: rf.fetch })
    await assert.rejects(generated.createSurvey(conversationId), (err: unknown) => {
      assert.ok(err instanceof GoogleAPIError)
      assert.equal(err.rpcStatus, 'RESOURCE_EXHAUSTED')
      return true
    })
    assert.equal(rf.to('/v1/conversations/').length, 1, 'one attempt, no backoff')
    const logged = (await transcript(emulator, conversationId)).filter((e) => e.kind === 'survey')
    assert.deepEqual(
      logged.map((e) => e.name),
      [survey.name],
    )
  })

  test('docs/contract-decisions.md §2.6 unknown conversation → GoogleAPIError 403 PERMISSION_DENIED (not 404), one attempt each', async () => {
    const rf = recordingFetch()
    const client = new BusinessMessagesClient({ credentials, baseUrl: emulator.url, fetch: rf.fetch })
    const unknown = randomUUID()
    const calls = [
      () => client.createMessage(unknown, { text: 'Hi', representative: BOT }),
      () => client.createEvent(unknown, 'e1', { eventType: 'TYPING_STARTED' }),
      () => client.updateReceipt(unknown, 'm1', { receiptType: 'READ' }),
      () => client.createSurvey(unknown),
    ]
    for (const call of calls) {
      await assert.rejects(call(), (err: unknown) => {
        assert.ok(err instanceof GoogleAPIError)
        assert.equal(err.httpStatus, 403)
        assert.equal(err.rpcStatus, 'PERMISSION_DENIED')
        assert.equal(err.googleMessage, 'The caller does not have permission')
        return true
      })
    }
    assert.equal(rf.to('/v1/conversations/').length, calls.length)
  })

  test('docs/contract-decisions.md §2.6 A3 the same messageId sent twice explicitly → 409 ALREADY_EXISTS on a first attempt is an error', async () => {
    const rf = recordingFetch()
    const client = new BusinessMessagesClient({ credentials, baseUrl: emulator.url, fetch: rf.fetch })
    const conversationId = await openConversation(emulator)
    const messageId = randomUUID()
    await client.createMessage(conversationId, { messageId, text: 'First', representative: BOT })
    const second = client.createMessage(conversationId, { messageId, text: 'Second', representative: BOT })
    await assert.rejects(second, (err: unknown) => {
      assert.ok(err instanceof GoogleAPIError)
      assert.equal(err.httpStatus, 409)
      assert.equal(err.rpcStatus, 'ALREADY_EXISTS')
      return true
    })
    assert.equal(rf.to('/v1/conversations/').length, 2, 'the 409 was not retried')
    const logged = await loggedAgentMessages(emulator, conversationId)
    assert.deepEqual(
      logged.map((m) => [m.itemId, m.body['text']]),
      [[messageId, 'First']],
    )
  })
})

/**
 * The client's validator and the emulator's were written independently
 * (docs/contract-decisions.md §10 Q8). For each limit, the client refuses the message without
 * sending anything, the emulator refuses the same body sent raw with 400 INVALID_ARGUMENT naming
 * the same field, and both accept the value at the limit.
 */
describe('client and emulator validators agree on the documented limits (docs/contract-decisions.md §2.2, §2.3)', () => {
  const chips = (n: number): Suggestion[] => Array.from({ length: n }, (_, i) => replySuggestion(`Chip ${i}`, `p${i}`))
  const cases: Array<{ rule: string; field: string; over: Message; at: Message; options?: CreateMessageOptions }> = [
    {
      rule: 'text ≤ 3,072 characters',
      field: 'message.text',
      over: { text: 'x'.repeat(3073) },
      at: { text: 'x'.repeat(3072) },
    },
    {
      rule: '≤ 13 suggestions',
      field: 'message.suggestions',
      over: { text: 'Pick one', suggestions: chips(14) },
      at: { text: 'Pick one', suggestions: chips(13) },
    },
    {
      rule: 'chip text ≤ 25 characters',
      field: 'message.suggestions[0].reply.text',
      over: { text: 'Pick', suggestions: [replySuggestion('y'.repeat(26), 'p')] },
      at: { text: 'Pick', suggestions: [replySuggestion('y'.repeat(25), 'p')] },
    },
    {
      rule: 'forceFallback requires fallback',
      field: 'message.fallback',
      over: { text: 'No fallback' },
      at: { text: 'With fallback', fallback: 'Fallback' },
      options: { forceFallback: true },
    },
    {
      rule: 'containsRichText requires well-formed formatting',
      field: 'message.text',
      over: { text: '**never closed', containsRichText: true },
      at: { text: '**closed**', containsRichText: true },
    },
  ]

  /** POSTs a body straight to the emulator, bypassing the client's validation. */
  async function sendRaw(
    conversationId: string,
    body: Message,
    forceFallback: boolean,
  ): Promise<{ status: number; error?: { status: string; message: string } }> {
    const query = forceFallback ? '?forceFallback=true' : ''
    const res = await fetch(`${emulator.url}/v1/conversations/${conversationId}/messages${query}`, {
      method: 'POST',
      headers: { authorization: `Bearer ${await credentials.getAccessToken()}`, 'content-type': 'application/json' },
      body: JSON.stringify(body),
    })
    const json = (await res.json()) as { error?: { status: string; message: string } }
    return json.error === undefined ? { status: res.status } : { status: res.status, error: json.error }
  }

  for (const { rule, field, over, at, options } of cases) {
    test(`${rule}: the client refuses before sending, the emulator refuses the same body`, async () => {
      const rf = recordingFetch()
      const client = new BusinessMessagesClient({ credentials, baseUrl: emulator.url, fetch: rf.fetch })
      const conversationId = await openConversation(emulator)
      const forceFallback = options?.forceFallback === true

      const refused = client.createMessage(conversationId, { ...over, representative: BOT }, options)
      await assert.rejects(refused, (err: unknown) => {
        assert.ok(err instanceof InvalidArgumentError)
        assert.equal(err.field, field)
        return true
      })
      assert.equal(rf.requests.length, 0, 'a client-side validation failure never reaches the emulator')

      const rawBody = { ...over, messageId: randomUUID(), representative: BOT } as Message
      const raw = await sendRaw(conversationId, rawBody, forceFallback)
      assert.equal(raw.status, 400)
      assert.equal(raw.error?.status, 'INVALID_ARGUMENT')
      assert.ok(raw.error?.message.startsWith(`${field}:`), `emulator names ${field}: ${raw.error?.message}`)

      const accepted = await client.createMessage(conversationId, { ...at, representative: BOT }, options)
      assert.equal(rf.requests.length, 1)
      const logged = await loggedAgentMessages(emulator, conversationId)
      assert.deepEqual(
        logged.map((m) => m.name),
        [accepted.name],
        'only the message at the limit was accepted',
      )
    })
  }
})

describe('the Business Messages channel client', () => {
  test('docs/contract-decisions.md §10 "crash semantics" a message id already sent by an earlier attempt counts as sent', async () => {
    const channel = businessMessages({
      agents: [emulator.agentName],
      credentials,
      baseUrl: emulator.url,
      webhook: { keys: ['k'] },
      typingIndicators: false,
    })
    const client = await channel.connect({ fetch: globalThis.fetch, clock: systemClock, logger: silentLogger })
    const conversationId = await openConversation(emulator)
    const key = { channel: channel.id, agent: emulator.agentName, conversation: conversationId }
    const messageId = randomUUID()
    await client.send(key, { type: 'text', text: 'once' }, messageId)
    await client.send(key, { type: 'text', text: 'once' }, messageId) // a retried turn re-sends the same id
    const sent = (await loggedAgentMessages(emulator, conversationId)).filter((m) => m.body['messageId'] === messageId)
    assert.equal(sent.length, 1, 'one bubble')
  })
})
