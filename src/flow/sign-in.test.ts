/**
 * Sign-in transcripts: the happy path, duplicates and late codes, expiry, replaced prompts.
 * Failures, hand-off, refresh and sign-out are in `sign-in-failures.test.ts`.
 */
import assert from 'node:assert/strict'
import { describe, test } from 'node:test'
import { T0, transcript } from './test-support/transcript.ts'

const MINUTE = 60_000

describe('happy path', () => {
  test('signs in and answers the parked question without asking again', () => {
    const chat = transcript()
      .user('what is my balance?')
      .expectActions('send-sign-in-prompt')
      .expectSays('prompt.sign-in')
    assert.deepEqual(chat.action('send-sign-in-prompt'), {
      type: 'send-sign-in-prompt',
      promptId: 'prompt-1',
      scopes: ['accounts.read'],
      reason: 'account',
      attempt: 1,
      messageKey: 'prompt.sign-in',
      params: { reason: 'account' },
    })
    chat.expectState('awaiting-sign-in', {
      promptId: 'prompt-1',
      expiresAt: T0 + 10 * MINUTE,
      attempt: 1,
      parkedQuestion: 'what is my balance?',
    })

    chat
      .wait(MINUTE)
      .code()
      .expectActions('exchange-code')
      .expectState('exchanging', { startedAt: T0 + MINUTE })
    assert.equal(chat.action('exchange-code').promptId, 'prompt-1')

    chat
      .exchangeSucceeds({ subject: 'user-42' })
      .expectActions('store-tokens', 'reply', 'answer-parked-question', 'emit')
      .expectSays('signed-in')
      .expectState('signed-in', { subject: 'user-42', scopes: ['accounts.read'], since: T0 + MINUTE })
    assert.equal(chat.action('answer-parked-question').question, 'what is my balance?')
    assert.deepEqual(chat.action('emit'), { type: 'emit', hook: 'signed-in' })
    assert.equal('parkedQuestion' in chat.state, false)

    chat.user('and my last payment?').expectActions('answer-question')
    assert.equal(chat.action('answer-question').question, 'and my last payment?')
  })

  test('X9 the provider grants fewer scopes: signed in, but the question is not answered with a grant that cannot work', () => {
    transcript()
      .user('what is my balance?')
      .code()
      .exchangeSucceeds({ scopes: ['profile'] })
      .expectActions('store-tokens', 'reply', 'emit')
      .expectSays('signed-in.scopes-missing')
      .expectState('signed-in', { scopes: ['profile'] })
      .user('what is my balance?')
      .expectSays('prompt.more-access')
      .expectState('awaiting-sign-in', { scopes: ['profile', 'accounts.read'], attempt: 1 })
  })

  test('offline_access is not an access scope: a grant that omits it still answers the parked question', () => {
    const chat = transcript()
      .user('what is my balance?', { scopes: ['openid', 'offline_access', 'accounts.read'] })
      .code()
      .exchangeSucceeds({ scopes: ['openid', 'accounts.read'] })
      .expectState('signed-in', { scopes: ['openid', 'accounts.read'] })
    assert.equal(chat.action('answer-parked-question').question, 'what is my balance?')
    chat.user('and now?', { scopes: ['openid', 'offline_access', 'accounts.read'] }).expectActions('answer-question')
  })

  test('a question needing more scopes than granted asks to sign in for both (step-up)', () => {
    const chat = transcript({ start: { kind: 'signed-in', scopes: ['accounts.read'], since: T0 } })
    chat.user('move 5 credits', { scopes: ['payments.write'] }).expectSays('prompt.more-access')
    assert.deepEqual(chat.action('send-sign-in-prompt').scopes, ['accounts.read', 'payments.write'])
  })
})

describe('X1 exactly one exchange per code', () => {
  test('X1 the same code delivered again after sign-in: no second exchange, "already signed in"', () => {
    const chat = transcript().user('balance?').code().exchangeSucceeds()
    chat.code().expectActions('reply').expectSays('already-signed-in').expectState('signed-in')
    chat.duplicateCode().expectActions('reply').expectSays('already-signed-in')
    assert.equal(chat.allActions.filter((a) => a.type === 'exchange-code').length, 1)
  })

  test('X1 a second code while the exchange is under way starts nothing and says nothing', () => {
    transcript().user('balance?').code().code().expectActions().expectState('exchanging', { promptId: 'prompt-1' })
  })

  test('X1 W10 a redelivered, already-exchanged code while a newer prompt waits changes nothing', () => {
    transcript()
      .user('balance?')
      .code()
      .exchangeFails('invalid_grant')
      .duplicateCode()
      .expectActions()
      .expectState('awaiting-sign-in', { promptId: 'prompt-2' })
  })
})

describe('P8 codes nobody asked for', () => {
  test('P8 a code arrives with no pending prompt: no exchange, a generic reply', () => {
    const chat = transcript().code().expectActions('reply', 'emit').expectSays('no-pending-sign-in')
    assert.deepEqual(chat.action('emit'), { type: 'emit', hook: 'sign-in-failed', reason: 'no-pending-prompt' })
    chat.expectState('signed-out')
  })

  test('P8 the same while the grant needs reconnecting', () => {
    const start = { kind: 'needs-reconnect', reason: 'revoked', scopes: ['a'], since: T0 } as const
    transcript({ start }).code().expectSays('no-pending-sign-in').expectState('needs-reconnect')
  })

  test('W17 the runner finds no pending record although a prompt is out: fresh prompt, no exchange', () => {
    transcript()
      .user('balance?')
      .codeWithoutPending()
      .expectActions('send-sign-in-prompt', 'emit')
      .expectSays('prompt.after-expiry')
      .expectState('awaiting-sign-in', { promptId: 'prompt-2', parkedQuestion: 'balance?' })
  })
})

describe('P7 pending prompt lifetime', () => {
  test('P7 a code inside the lifetime is exchanged', () => {
    transcript()
      .user('balance?')
      .wait(10 * MINUTE - 1)
      .code()
      .expectActions('exchange-code')
  })

  test('P7 a code after the lifetime is not exchanged: the old record goes, a fresh prompt keeps the question', () => {
    const chat = transcript()
      .user('balance?')
      .wait(10 * MINUTE)
      .code()
    chat.expectActions('discard-sign-in-prompt', 'emit', 'send-sign-in-prompt').expectSays('prompt.after-expiry')
    assert.deepEqual(chat.action('discard-sign-in-prompt').promptId, 'prompt-1')
    assert.deepEqual(chat.action('emit'), { type: 'emit', hook: 'expired' })
    chat.expectState('awaiting-sign-in', { promptId: 'prompt-2', parkedQuestion: 'balance?', attempt: 1 })
    chat
      .code()
      .expectActions('exchange-code')
      .exchangeSucceeds()
      .expectActions('store-tokens', 'reply', 'answer-parked-question', 'emit')
  })

  test('P7 S8 the store reports expiry: record dropped quietly; the user coming back gets a fresh chip', () => {
    transcript()
      .user('balance?')
      .wait(10 * MINUTE)
      .pendingExpires()
      .expectActions('discard-sign-in-prompt', 'emit')
      .expectState('prompt-expired', { parkedQuestion: 'balance?', expiredAt: T0 + 10 * MINUTE })
      .wait(60 * MINUTE)
      .code()
      .expectActions('send-sign-in-prompt')
      .expectSays('prompt.after-expiry')
      .expectState('awaiting-sign-in', { promptId: 'prompt-2', parkedQuestion: 'balance?' })
  })

  test('P7 after expiry a new question gets an ordinary prompt for that question', () => {
    transcript()
      .user('balance?')
      .pendingExpires()
      .user('last payment?')
      .expectSays('prompt.sign-in')
      .expectState('awaiting-sign-in', { parkedQuestion: 'last payment?', attempt: 1 })
  })

  test('an expiry report for a prompt that was already replaced is ignored', () => {
    transcript()
      .user('balance?')
      .user('last payment?')
      .pendingExpires('prompt-1')
      .expectActions()
      .expectState('awaiting-sign-in', { promptId: 'prompt-2' })
  })
})

describe('P6 one pending prompt per conversation', () => {
  test('P6 a new question while waiting replaces the prompt; a code for the old prompt is never exchanged', () => {
    const chat = transcript().user('balance?').user('last payment?').expectSays('prompt.sign-in')
    chat.expectState('awaiting-sign-in', { promptId: 'prompt-2', parkedQuestion: 'last payment?' })
    chat
      .code({ promptId: 'prompt-1' })
      .expectActions('send-sign-in-prompt', 'emit')
      .expectSays('prompt.after-stale')
      .expectState('awaiting-sign-in', { promptId: 'prompt-3', parkedQuestion: 'last payment?' })
    chat.code({ promptId: 'prompt-3' }).expectActions('exchange-code')
    assert.equal(chat.action('exchange-code').promptId, 'prompt-3')
  })

  test('something unrelated while waiting: the chip is re-sent on the last message, same question', () => {
    transcript()
      .user('balance?')
      .chat()
      .expectActions('send-sign-in-prompt')
      .expectSays('prompt.reminder')
      .expectState('awaiting-sign-in', { promptId: 'prompt-2', parkedQuestion: 'balance?', attempt: 1 })
  })

  test('unrelated messages outside a sign-in need nothing from the flow', () => {
    transcript().chat().expectActions()
    transcript({ start: { kind: 'signed-in', scopes: [], since: T0 } })
      .chat()
      .expectActions()
  })
})

describe('state', () => {
  test('S5 state holds no token, code or verifier, only prompt ids (checked across a whole transcript)', () => {
    const chat = transcript().user('balance?').code().exchangeFails('invalid_grant').code().exchangeSucceeds()
    for (const step of chat.steps) {
      const keys = Object.keys(step.state)
      assert.ok(!keys.some((key) => /token|verifier|^code$|secret/i.test(key)), keys.join(','))
    }
  })
})
