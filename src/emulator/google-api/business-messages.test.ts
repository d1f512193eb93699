/**
 * The emulated Business Messages API (docs/contract-decisions.md §2.1–2.6, §7 item 2, §10 Q1/Q8),
 * driven over HTTP with plain fetch against a conversation opened through the control API.
 */
import assert from 'node:assert/strict'
import { describe, test } from 'node:test'
import type { RunningEmulator } from '../index.ts'
import { BC_SCOPE, BM_SCOPE, call, mintAccessToken, startTestEmulator } from '../test-support/harness.ts'

interface Setup {
  emu: RunningEmulator
  token: string
  conversationId: string
  messages: string
}

async function setUp(t: Parameters<typeof startTestEmulator>[0]): Promise<Setup> {
  const emu = await startTestEmulator(t)
  const token = await mintAccessToken(emu, [BM_SCOPE, BC_SCOPE])
  const opened = await call(`${emu.url}/emulator/v1/conversations`, { body: {} })
  assert.equal(opened.status, 201)
  const conversationId = opened.body.conversationId as string
  return { emu, token, conversationId, messages: `${emu.url}/v1/conversations/${conversationId}/messages` }
}

const AUTH_CHIP = {
  authenticationRequest: { oauth: { clientId: 'demo', codeChallenge: 'x'.repeat(43), scopes: ['openid'] } },
}

async function expect400(s: Setup, body: unknown, message: string | RegExp, query = ''): Promise<void> {
  const res = await call(`${s.messages}${query}`, { token: s.token, body })
  assert.equal(res.status, 400, JSON.stringify(body).slice(0, 80))
  assert.equal(res.body.error.status, 'INVALID_ARGUMENT')
  if (typeof message === 'string') assert.equal(res.body.error.message, message)
  else assert.match(res.body.error.message, message)
}

describe('conversations.messages.create (docs/contract-decisions.md §2.2–2.4)', () => {
  test('accepts the canonical sign-in message, returns it with its name, stores codeChallengeMethod=plain', async (t) => {
    const s = await setUp(t)
    const body = {
      messageId: 'm-1',
      text: 'Sign in to continue the conversation.',
      fallback: 'Visit https://example.com to continue.',
      suggestions: [AUTH_CHIP],
      representative: { representativeType: 'BOT' },
    }
    const res = await call(s.messages, { token: s.token, body })
    assert.equal(res.status, 200)
    assert.deepEqual(res.body, { name: `conversations/${s.conversationId}/messages/m-1`, ...body })
    const view = await call(`${s.emu.url}/emulator/v1/conversations/${s.conversationId}`)
    const entry = view.body.transcript[0]
    assert.equal(entry.content.suggestions[0].authenticationRequest.oauth.codeChallengeMethod, 'plain')
    assert.equal(entry.chipsActive, true)
  })

  test('each limit of docs/contract-decisions.md §2.2–2.4 is a 400 naming the field and the rule', async (t) => {
    const s = await setUp(t)
    const reply = (text: string, postbackData = 'p') => ({ reply: { text, postbackData } })
    await expect400(s, { messageId: 'a', text: 'x'.repeat(3073) }, 'message.text: at most 3072 characters')
    await expect400(
      s,
      { messageId: 'a', text: 'hi', fallback: 'x'.repeat(3073) },
      'message.fallback: at most 3072 characters',
    )
    await expect400(
      s,
      { messageId: 'a', text: 'hi', suggestions: Array.from({ length: 14 }, () => reply('ok')) },
      'message.suggestions: at most 13',
    )
    await expect400(
      s,
      { messageId: 'a', text: 'hi', suggestions: [reply('x'.repeat(26))] },
      'message.suggestions[0].reply.text: at most 25 characters',
    )
    await expect400(
      s,
      { messageId: 'a', text: 'hi', suggestions: [reply('ok', 'p'.repeat(2049))] },
      'message.suggestions[0].reply.postbackData: at most 2048 characters',
    )
    await expect400(s, { text: 'hi' }, 'message.messageId: required')
    await expect400(s, { messageId: 'a' }, 'message: exactly one of text, image, richCard must be set')
    await expect400(
      s,
      { messageId: 'a', text: 'hi', image: { contentInfo: { fileUrl: 'https://e.com/a.png' } } },
      /exactly one of text, image, richCard/,
    )
    await expect400(
      s,
      { messageId: 'a', text: 'hi', suggestions: [{ ...reply('ok'), liveAgentRequest: {} }] },
      /^message\.suggestions\[0\]: exactly one of/,
    )
    await expect400(
      s,
      {
        messageId: 'a',
        text: 'hi',
        suggestions: [{ authenticationRequest: { oauth: { clientId: 'c', codeChallenge: 'x' } } }],
      },
      'message.suggestions[0].authenticationRequest.oauth.scopes: required',
    )
    await expect400(
      s,
      {
        messageId: 'a',
        text: 'hi',
        suggestions: [
          {
            authenticationRequest: {
              oauth: { clientId: 'c', codeChallenge: 'x', codeChallengeMethod: 'S512', scopes: ['a'] },
            },
          },
        ],
      },
      /codeChallengeMethod: must be one of plain, S256/,
    )
    await expect400(
      s,
      { messageId: 'a', text: 'hi', representative: { representativeType: 'ROBOT' } },
      /representativeType: must be one of BOT, HUMAN/,
    )
    await expect400(s, { messageId: 'a', text: 'hi', colour: 'red' }, /Unknown name "colour"/)
    const card = (title: string) => ({ title })
    await expect400(
      s,
      { messageId: 'a', richCard: { carouselCard: { cardWidth: 'SMALL', cardContents: [card('one')] } } },
      'message.richCard.carouselCard.cardContents: between 2 and 10 cards',
    )
    await expect400(
      s,
      { messageId: 'a', richCard: { standaloneCard: { cardContent: { title: 't'.repeat(201) } } } },
      'message.richCard.standaloneCard.cardContent.title: at most 200 characters',
    )
  })

  test('containsRichText with invalid markdown, and forceFallback without fallback, are 400', async (t) => {
    const s = await setUp(t)
    await expect400(
      s,
      { messageId: 'a', text: 'a **bold claim', containsRichText: true },
      'message.text: invalid rich text: unclosed **',
    )
    const ok = await call(s.messages, {
      token: s.token,
      body: { messageId: 'r', text: '**Hi** *there* [site](https://e.com)', containsRichText: true },
    })
    assert.equal(ok.status, 200)
    await expect400(
      s,
      { messageId: 'f', text: 'hi' },
      'message.fallback: required when forceFallback is true',
      '?forceFallback=true',
    )
    const forced = await call(`${s.messages}?forceFallback=true`, {
      token: s.token,
      body: { messageId: 'f', text: 'hi', fallback: 'plain' },
    })
    assert.equal(forced.status, 200)
  })

  test('duplicate messageId → 409 ALREADY_EXISTS; unknown or foreign conversation → 403', async (t) => {
    const s = await setUp(t)
    const body = { messageId: 'dup', text: 'hello' }
    assert.equal((await call(s.messages, { token: s.token, body })).status, 200)
    const again = await call(s.messages, { token: s.token, body })
    assert.equal(again.status, 409)
    assert.equal(again.body.error.status, 'ALREADY_EXISTS')
    const unknown = await call(`${s.emu.url}/v1/conversations/no-such/messages`, { token: s.token, body })
    assert.equal(unknown.status, 403)
    assert.equal(unknown.body.error.status, 'PERMISSION_DENIED')
    // A conversation whose agent no longer belongs to this partner (deleted) is foreign too.
    const brand = s.emu.agentName.split('/agents/')[0]
    const other = await call(`${s.emu.url}/v1/${brand}/agents`, { token: s.token, body: { displayName: 'Other' } })
    const opened = await call(`${s.emu.url}/emulator/v1/conversations`, { body: { agent: other.body.name } })
    await call(`${s.emu.url}/v1/${other.body.name}`, { method: 'DELETE', token: s.token })
    const foreign = await call(`${s.emu.url}/v1/conversations/${opened.body.conversationId}/messages`, {
      token: s.token,
      body,
    })
    assert.equal(foreign.status, 403)
  })

  test('the 61st message within 60 s in one conversation → 429 RESOURCE_EXHAUSTED (docs/contract-decisions.md §2.6)', async (t) => {
    const s = await setUp(t)
    for (let i = 0; i < 60; i++) {
      const res = await call(s.messages, { token: s.token, body: { messageId: `burst-${i}`, text: `n${i}` } })
      assert.equal(res.status, 200, `message ${i + 1}`)
    }
    const over = await call(s.messages, { token: s.token, body: { messageId: 'burst-60', text: 'one too many' } })
    assert.equal(over.status, 429)
    assert.equal(over.body.error.status, 'RESOURCE_EXHAUSTED')
    s.emu.clock.advance(60_000)
    assert.equal(
      (await call(s.messages, { token: s.token, body: { messageId: 'burst-60', text: 'later' } })).status,
      200,
    )
  })
})

describe('events, receipts, surveys (docs/contract-decisions.md §2.5)', () => {
  test('events.create needs eventId and a known eventType; a duplicate is 409', async (t) => {
    const s = await setUp(t)
    const url = `${s.emu.url}/v1/conversations/${s.conversationId}/events`
    const body = { eventType: 'TYPING_STARTED', representative: { representativeType: 'BOT' } }
    const ok = await call(`${url}?eventId=e-1`, { token: s.token, body })
    assert.equal(ok.status, 200)
    assert.equal(ok.body.name, `conversations/${s.conversationId}/events/e-1`)
    assert.equal((await call(`${url}?eventId=e-1`, { token: s.token, body })).status, 409)
    assert.equal((await call(url, { token: s.token, body })).status, 400)
    const bad = await call(`${url}?eventId=e-2`, { token: s.token, body: { eventType: 'DANCING' } })
    assert.equal(bad.status, 400)
    assert.match(bad.body.error.message, /^event\.eventType: must be one of/)
  })

  test('updateReceipt marks a user message READ; unknown message 404; wrong type 400', async (t) => {
    const s = await setUp(t)
    const sent = await call(`${s.emu.url}/emulator/v1/conversations/${s.conversationId}/messages`, {
      body: { text: 'Hi' },
    })
    const url = `${s.emu.url}/v1/conversations/${s.conversationId}/messages/${sent.body.messageId}/receipt`
    const ok = await call(url, { method: 'PATCH', token: s.token, body: { receiptType: 'READ' } })
    assert.deepEqual(
      [ok.status, ok.body],
      [200, { name: `conversations/${s.conversationId}/messages/${sent.body.messageId}/receipt`, receiptType: 'READ' }],
    )
    assert.equal((await call(url, { method: 'PATCH', token: s.token, body: { receiptType: 'DELIVERED' } })).status, 400)
    const missing = `${s.emu.url}/v1/conversations/${s.conversationId}/messages/nope/receipt`
    assert.equal((await call(missing, { method: 'PATCH', token: s.token, body: { receiptType: 'READ' } })).status, 404)
  })

  test('surveys.create: no body needed, duplicate 409, second survey within 24 h 429', async (t) => {
    const s = await setUp(t)
    const url = `${s.emu.url}/v1/conversations/${s.conversationId}/surveys`
    const first = await fetch(`${url}?surveyId=s-1`, {
      method: 'POST',
      headers: { authorization: `Bearer ${s.token}` },
    })
    assert.equal(first.status, 200)
    assert.deepEqual(await first.json(), { name: `conversations/${s.conversationId}/surveys/s-1` })
    assert.equal((await call(`${url}?surveyId=s-1`, { token: s.token, body: {} })).status, 409)
    const second = await call(`${url}?surveyId=s-2`, { token: s.token, body: {} })
    assert.equal(second.status, 429)
    assert.equal(second.body.error.status, 'RESOURCE_EXHAUSTED')
    s.emu.clock.advance(24 * 3600_000)
    const later = await mintAccessToken(s.emu) // the first token expired; assertions use the unshifted time
    assert.equal((await call(`${url}?surveyId=s-2`, { token: later, body: {} })).status, 200)
  })
})
