/**
 * The emulator's own Message rules (docs/contract-decisions.md §2.2–2.4) and rich-text checker, as
 * pure functions.
 */
import assert from 'node:assert/strict'
import { describe, test } from 'node:test'
import { richTextProblem } from './rich-text.ts'
import { normaliseMessage, validateMessage } from './validate-message.ts'

function problem(body: unknown): string | undefined {
  try {
    validateMessage(body)
    return undefined
  } catch (err) {
    return (err as Error).message
  }
}

describe('validateMessage', () => {
  test('accepts text, image, standalone and carousel cards within the limits', () => {
    const media = { height: 'MEDIUM', contentInfo: { fileUrl: 'https://e.com/a.png' } }
    assert.equal(
      problem({
        messageId: 'a',
        text: 'x'.repeat(3072),
        suggestions: Array(13).fill({ reply: { text: 'x'.repeat(25), postbackData: 'p' } }),
      }),
      undefined,
    )
    assert.equal(
      problem({ messageId: 'a', image: { contentInfo: { fileUrl: 'https://e.com/a.png', altText: 'a' } } }),
      undefined,
    )
    assert.equal(
      problem({ messageId: 'a', richCard: { standaloneCard: { cardContent: { title: 'T', media } } } }),
      undefined,
    )
    const cards = [
      { title: 'a' },
      {
        description: 'b',
        suggestions: [{ action: { text: 'Call', postbackData: 'c', dialAction: { phoneNumber: '+1-201-555-0123' } } }],
      },
    ]
    assert.equal(
      problem({ messageId: 'a', richCard: { carouselCard: { cardWidth: 'MEDIUM', cardContents: cards } } }),
      undefined,
    )
  })

  test('names field and rule for card and action rules', () => {
    const tall = { media: { height: 'TALL', contentInfo: { fileUrl: 'https://e.com/a.png' } } }
    assert.equal(
      problem({ messageId: 'a', richCard: { carouselCard: { cardWidth: 'SMALL', cardContents: [tall, tall] } } }),
      'message.richCard.carouselCard.cardContents[0].media.height: TALL is not allowed with cardWidth SMALL',
    )
    const five = Array(5).fill({ reply: { text: 'r', postbackData: 'p' } })
    assert.equal(
      problem({ messageId: 'a', richCard: { standaloneCard: { cardContent: { title: 't', suggestions: five } } } }),
      'message.richCard.standaloneCard.cardContent.suggestions: at most 4',
    )
    assert.equal(
      problem({ messageId: 'a', text: 'x', suggestions: [{ action: { text: 'Go', postbackData: 'p' } }] }),
      'message.suggestions[0].action: exactly one of openUrlAction, dialAction must be set',
    )
    assert.equal(
      problem({
        messageId: 'a',
        text: 'x',
        suggestions: [{ action: { text: 'Go', openUrlAction: { url: 'javascript:alert(1)' } } }],
      }),
      'message.suggestions[0].action.openUrlAction.url: must be an absolute http(s) URL',
    )
    assert.equal(
      problem({
        messageId: 'a',
        richCard: { standaloneCard: { cardContent: { title: 't', suggestions: [{ liveAgentRequest: {} }] } } },
      }),
      'message.richCard.standaloneCard.cardContent.suggestions[0].liveAgentRequest: not supported in rich cards',
    )
  })

  test('normaliseMessage defaults codeChallengeMethod to plain and keeps an explicit one', () => {
    const oauth = (m?: string) => ({
      authenticationRequest: {
        oauth: { clientId: 'c', codeChallenge: 'x', scopes: ['s'], ...(m ? { codeChallengeMethod: m } : {}) },
      },
    })
    const out = normaliseMessage({ messageId: 'a', text: 't', suggestions: [oauth(), oauth('S256')] }) as any
    assert.equal(out.suggestions[0].authenticationRequest.oauth.codeChallengeMethod, 'plain')
    assert.equal(out.suggestions[1].authenticationRequest.oauth.codeChallengeMethod, 'S256')
  })
})

describe('richTextProblem', () => {
  test('accepts bold, italic, links and plain asterisk pairs; refuses unclosed, overlapping, bad links', () => {
    assert.equal(richTextProblem('**Hi** *there*, see [docs](https://e.com/x) \n [not a link'), undefined)
    assert.equal(richTextProblem('*open'), 'invalid rich text: unclosed *')
    assert.equal(richTextProblem('**a *b** c*'), 'invalid rich text: overlapping ** and *')
    assert.equal(richTextProblem('[x](ftp://e.com)'), 'invalid rich text: link URL must be an absolute http(s) URL')
    assert.equal(richTextProblem('[](https://e.com)'), 'invalid rich text: link without text')
    assert.equal(richTextProblem('[x](https://e.com'), 'invalid rich text: link without closing )')
  })
})
