import { describe, test } from 'node:test'
import assert from 'node:assert/strict'
import { InvalidArgumentError } from '../../errors.ts'
import { validateEvent, validateMessage, validateReceipt } from './validate.ts'

const reply = (text = 'Yes', postbackData = 'yes') => ({ reply: { text, postbackData } })
const card = (extra: object = {}) => ({ title: 'T', description: 'D', ...extra })
const image = { contentInfo: { fileUrl: 'https://example.com/a.png' } }

function rejects(message: unknown, field: string, rule: string | RegExp, options = {}): void {
  assert.throws(
    () => validateMessage(message, options),
    (err: unknown) => {
      assert.ok(err instanceof InvalidArgumentError, String(err))
      assert.equal(err.field, field)
      if (typeof rule === 'string') assert.equal(err.rule, rule)
      else assert.match(err.rule, rule)
      return true
    },
  )
}

const base = { messageId: 'm-1', representative: { representativeType: 'BOT' } }
const withText = (extra: object = {}) => ({ ...base, text: 'hello', ...extra })

describe('validateMessage: one test per limit (docs/contract-decisions.md §2.2–2.4)', () => {
  test('a canonical authentication-request message passes', () => {
    validateMessage(
      withText({
        fallback: 'Visit example.com to continue.',
        suggestions: [
          {
            authenticationRequest: {
              oauth: { clientId: 'c', codeChallenge: 'x'.repeat(43), codeChallengeMethod: 'S256', scopes: ['openid'] },
            },
          },
        ],
      }),
    )
  })

  test('messageId is required', () => {
    rejects({ text: 'hi' }, 'message.messageId', 'is required')
  })

  test('exactly one content field', () => {
    rejects({ ...base }, 'message', 'must set exactly one of: text, image, richCard')
    rejects({ ...base, text: 'a', image }, 'message', 'must set exactly one of: text, image, richCard')
  })

  test('text ≤ 3072 and not empty', () => {
    validateMessage(withText({ text: 'x'.repeat(3072) }))
    rejects(withText({ text: 'x'.repeat(3073) }), 'message.text', 'at most 3072 characters')
    rejects(withText({ text: '' }), 'message.text', 'must not be empty')
  })

  test('fallback ≤ 3072', () => {
    rejects(withText({ fallback: 'x'.repeat(3073) }), 'message.fallback', 'at most 3072 characters')
  })

  test('forceFallback requires fallback', () => {
    rejects(withText(), 'message.fallback', 'is required when forceFallback is true', { forceFallback: true })
    validateMessage(withText({ fallback: 'f' }), { forceFallback: true })
  })

  test('at most 13 suggestions', () => {
    validateMessage(withText({ suggestions: Array.from({ length: 13 }, () => reply()) }))
    rejects(
      withText({ suggestions: Array.from({ length: 14 }, () => reply()) }),
      'message.suggestions',
      'at most 13 items',
    )
  })

  test('each suggestion sets exactly one kind', () => {
    rejects(
      withText({ suggestions: [reply(), { ...reply(), liveAgentRequest: {} }] }),
      'message.suggestions[1]',
      'must set exactly one of: reply, action, liveAgentRequest, authenticationRequest',
    )
    rejects(withText({ suggestions: [{}] }), 'message.suggestions[0]', /exactly one of/)
  })

  test('reply text ≤ 25, required', () => {
    rejects(
      withText({ suggestions: [reply(), reply(), reply('x'.repeat(26))] }),
      'message.suggestions[2].reply.text',
      'at most 25 characters',
    )
    rejects(
      withText({ suggestions: [{ reply: { postbackData: 'p' } }] }),
      'message.suggestions[0].reply.text',
      'is required',
    )
  })

  test('postbackData ≤ 2048', () => {
    rejects(
      withText({ suggestions: [reply('ok', 'p'.repeat(2049))] }),
      'message.suggestions[0].reply.postbackData',
      'at most 2048 characters',
    )
  })

  test('action text ≤ 25, postbackData ≤ 2048, exactly one of openUrlAction/dialAction', () => {
    const url = { openUrlAction: { url: 'https://example.com' } }
    validateMessage(withText({ suggestions: [{ action: { text: 'Open', postbackData: 'o', ...url } }] }))
    validateMessage(
      withText({ suggestions: [{ action: { text: 'Call', dialAction: { phoneNumber: '+1-201-555-0123' } } }] }),
    )
    rejects(
      withText({ suggestions: [{ action: { text: 'x'.repeat(26), ...url } }] }),
      'message.suggestions[0].action.text',
      'at most 25 characters',
    )
    rejects(
      withText({ suggestions: [{ action: { text: 'a', postbackData: 'p'.repeat(2049), ...url } }] }),
      'message.suggestions[0].action.postbackData',
      'at most 2048 characters',
    )
    rejects(
      withText({ suggestions: [{ action: { text: 'a', ...url, dialAction: { phoneNumber: '1' } } }] }),
      'message.suggestions[0].action',
      'must set exactly one of: openUrlAction, dialAction',
    )
    rejects(
      withText({ suggestions: [{ action: { text: 'a', openUrlAction: { url: '/relative' } } }] }),
      'message.suggestions[0].action.openUrlAction.url',
      'must be an absolute http(s) URL',
    )
  })

  test('authenticationRequest: clientId, codeChallenge, non-empty scopes, method S256|plain', () => {
    const auth = (oauth: object) => withText({ suggestions: [{ authenticationRequest: { oauth } }] })
    const good = { clientId: 'c', codeChallenge: 'ch', scopes: ['s'] }
    const path = 'message.suggestions[0].authenticationRequest.oauth'
    validateMessage(auth(good))
    validateMessage(auth({ ...good, codeChallengeMethod: 'plain' }))
    rejects(auth({ ...good, clientId: undefined }), `${path}.clientId`, 'is required')
    rejects(auth({ ...good, codeChallenge: '' }), `${path}.codeChallenge`, 'must not be empty')
    rejects(auth({ ...good, scopes: [] }), `${path}.scopes`, 'at least one scope is required')
    rejects(auth({ ...good, scopes: ['a', ''] }), `${path}.scopes[1]`, 'must be a non-empty string')
    rejects(
      auth({ ...good, codeChallengeMethod: 'S512' }),
      `${path}.codeChallengeMethod`,
      'must be one of: S256, plain',
    )
    rejects(
      withText({ suggestions: [{ authenticationRequest: {} }] }),
      'message.suggestions[0].authenticationRequest.oauth',
      'is required',
    )
  })

  test('card title ≤ 200, description ≤ 2000, ≤ 4 card suggestions', () => {
    const standalone = (cardContent: object) => ({ ...base, richCard: { standaloneCard: { cardContent } } })
    const path = 'message.richCard.standaloneCard.cardContent'
    validateMessage(standalone(card({ suggestions: [reply(), reply(), reply(), reply()] })))
    rejects(standalone(card({ title: 't'.repeat(201) })), `${path}.title`, 'at most 200 characters')
    rejects(standalone(card({ description: 'd'.repeat(2001) })), `${path}.description`, 'at most 2000 characters')
    rejects(
      standalone(card({ suggestions: Array.from({ length: 5 }, () => reply()) })),
      `${path}.suggestions`,
      'at most 4 items',
    )
    rejects(
      standalone(card({ suggestions: [reply('x'.repeat(26))] })),
      `${path}.suggestions[0].reply.text`,
      'at most 25 characters',
    )
  })

  test('carousel has 2–10 cards; card fields checked with their index', () => {
    const carousel = (cardContents: object[], cardWidth?: string) => ({
      ...base,
      richCard: { carouselCard: { ...(cardWidth ? { cardWidth } : {}), cardContents } },
    })
    validateMessage(carousel([card(), card()]))
    validateMessage(carousel(Array.from({ length: 10 }, () => card())))
    const path = 'message.richCard.carouselCard.cardContents'
    rejects(carousel([card()]), path, 'between 2 and 10 items')
    rejects(carousel(Array.from({ length: 11 }, () => card())), path, 'between 2 and 10 items')
    rejects(carousel([card(), card({ title: 't'.repeat(201) })]), `${path}[1].title`, 'at most 200 characters')
    rejects(
      carousel([card(), card()], 'HUGE'),
      'message.richCard.carouselCard.cardWidth',
      'must be one of: CARD_WIDTH_UNSPECIFIED, SMALL, MEDIUM',
    )
  })

  test('TALL media is not allowed with SMALL cards', () => {
    const tall = card({ media: { height: 'TALL', contentInfo: image.contentInfo } })
    const msg = (cardWidth: string) => ({
      ...base,
      richCard: { carouselCard: { cardWidth, cardContents: [card(), tall] } },
    })
    validateMessage(msg('MEDIUM'))
    rejects(
      msg('SMALL'),
      'message.richCard.carouselCard.cardContents[1].media.height',
      'TALL is not allowed when cardWidth is SMALL',
    )
  })

  test('a rich card sets exactly one of standaloneCard/carouselCard', () => {
    rejects({ ...base, richCard: {} }, 'message.richCard', 'must set exactly one of: standaloneCard, carouselCard')
  })

  test('image needs contentInfo.fileUrl as an absolute URL', () => {
    validateMessage({ ...base, image })
    rejects({ ...base, image: {} }, 'message.image.contentInfo', 'is required')
    rejects(
      { ...base, image: { contentInfo: { fileUrl: 'a.png' } } },
      'message.image.contentInfo.fileUrl',
      'must be an absolute http(s) URL',
    )
  })

  test('representativeType must be a valid enum value', () => {
    rejects(withText({ representative: {} }), 'message.representative.representativeType', 'is required')
    rejects(
      withText({ representative: { representativeType: 'ROBOT' } }),
      'message.representative.representativeType',
      'must be one of: REPRESENTATIVE_TYPE_UNSPECIFIED, BOT, HUMAN',
    )
  })

  test('rich text sanity when containsRichText', () => {
    const rich = (text: string) => withText({ text, containsRichText: true })
    validateMessage(rich('**Bold**, *italic*, ***both*** and [a link](https://example.com/x?a=1) \\* star'))
    rejects(rich('**bold'), 'message.text', 'rich text has unbalanced * or ** markers')
    rejects(rich('*italic'), 'message.text', 'rich text has unbalanced * or ** markers')
    rejects(rich('[x](javascript:alert(1))'), 'message.text', /link/)
    rejects(rich('see [docs](https://example.com'), 'message.text', 'rich text has an unclosed link')
    rejects({ ...base, image, containsRichText: true }, 'message.containsRichText', 'is only allowed with text')
    validateMessage(withText({ text: '**not rich' }))
  })

  test('the message itself must be an object', () => {
    rejects(null, 'message', 'must be an object')
  })
})

describe('validateEvent / validateReceipt (docs/contract-decisions.md §2.5)', () => {
  test('enums', () => {
    validateEvent({ eventType: 'TYPING_STARTED' })
    assert.throws(() => validateEvent({ eventType: 'TYPING' }), { field: 'event.eventType' })
    validateReceipt({ receiptType: 'READ' })
    assert.throws(() => validateReceipt({ receiptType: 'DELIVERED' }), { field: 'receipt.receiptType' })
  })
})
