/**
 * Sign-in transcripts when things go wrong: authorization errors, failed exchanges, crashes,
 * hand-off to a live agent, refresh failure, revocation and sign-out.
 */
import assert from 'node:assert/strict'
import { describe, test } from 'node:test'
import { renderMessage } from './messages.ts'
import { T0, transcript } from './test-support/transcript.ts'
import type { ExchangeFailureKind, SignInAction } from './types.ts'

const MINUTE = 60_000
const SIGNED_IN = { kind: 'signed-in', subject: 'user-42', scopes: ['accounts.read'], since: T0 } as const

describe('P10 authorization errors', () => {
  for (const error of ['access_denied', 'ACCESS_DENIED', ' Access_Denied ']) {
    test(`P10 "${error}": a kind "you cancelled" with a fresh chip, question kept`, () => {
      const chat = transcript().user('balance?').authorizationError(error)
      chat.expectActions('send-sign-in-prompt', 'emit').expectSays('prompt.after-cancel')
      chat.expectState('awaiting-sign-in', { promptId: 'prompt-2', attempt: 2, parkedQuestion: 'balance?' })
      assert.deepEqual(chat.action('emit'), {
        type: 'emit',
        hook: 'sign-in-failed',
        reason: 'authorization:access_denied',
      })
    })
  }

  for (const error of ['server_error', 'TEMPORARILY_UNAVAILABLE']) {
    test(`P10 "${error}": try again later, with a fresh chip`, () => {
      transcript()
        .user('balance?')
        .authorizationError(error)
        .expectSays('prompt.provider-busy')
        .expectState('awaiting-sign-in', { attempt: 2 })
    })
  }

  for (const error of ['invalid_scope', 'UNAUTHORIZED_CLIENT', 'unsupported_response_type', 'invalid_request']) {
    test(`P10 X5 "${error}" is our configuration: no chip loop, a live agent offered at once`, () => {
      const chat = transcript().user('balance?').authorizationError(error)
      chat.expectActions('discard-sign-in-prompt', 'offer-live-agent', 'emit')
      chat.expectSays('live-agent.sign-in-unavailable').expectState('signed-out')
      assert.equal(chat.action('emit').reason, `authorization:${error.toLowerCase()}`)
    })
  }

  test('P10 an unknown error string is an ordinary failed try', () => {
    const chat = transcript().user('balance?').authorizationError('login_required')
    chat.expectSays('prompt.after-failure')
    assert.equal(chat.action('emit').reason, 'authorization:login_required')
  })

  test('P10 a response with neither code nor error is a failed try, never an exchange', () => {
    transcript()
      .user('balance?')
      .code({ hasCode: false })
      .expectActions('send-sign-in-prompt', 'emit')
      .expectSays('prompt.after-failure')
  })

  test('a stray error after sign-in changes nothing and tells only the developer', () => {
    transcript({ start: SIGNED_IN }).authorizationError('access_denied').expectActions('emit').expectState('signed-in')
  })
})

describe('hand-off after repeated failure', () => {
  test('three cancelled prompts: the third failure offers a live agent instead of a fourth chip', () => {
    const chat = transcript().user('balance?')
    chat.authorizationError('access_denied').expectState('awaiting-sign-in', { attempt: 2 })
    chat.authorizationError('access_denied').expectState('awaiting-sign-in', { attempt: 3, promptId: 'prompt-3' })
    chat
      .authorizationError('access_denied')
      .expectActions('discard-sign-in-prompt', 'offer-live-agent', 'emit')
      .expectSays('live-agent.too-many-attempts')
      .expectState('signed-out')
    assert.equal(chat.action('discard-sign-in-prompt').promptId, 'prompt-3')
    // Asking again starts over.
    chat.user('balance?').expectSays('prompt.sign-in').expectState('awaiting-sign-in', { attempt: 1 })
  })

  test('maxAttempts counts every kind of failed try (cancel, then a failed exchange)', () => {
    transcript({ maxAttempts: 2 })
      .user('balance?')
      .authorizationError('access_denied')
      .code()
      .exchangeFails('invalid_grant')
      .expectActions('offer-live-agent', 'emit')
      .expectSays('live-agent.too-many-attempts')
  })
})

describe('X exchange failures', () => {
  const expected: Record<ExchangeFailureKind, string> = {
    invalid_grant: 'prompt.after-failure',
    'unknown-outcome': 'prompt.after-failure',
    'provider-error': 'prompt.provider-busy',
    network: 'prompt.provider-busy',
    'client-misconfigured': 'live-agent.sign-in-unavailable',
  }
  for (const [kind, messageKey] of Object.entries(expected) as [ExchangeFailureKind, string][]) {
    test(`X2 X3 X5 exchange fails with ${kind}: says ${messageKey}, never exchanges again`, () => {
      const chat = transcript().user('balance?').code().exchangeFails(kind)
      assert.deepEqual(
        chat.lastActions.flatMap((a) => ('messageKey' in a ? [a.messageKey] : [])),
        [messageKey],
      )
      assert.ok(!chat.lastActions.some((a) => a.type === 'exchange-code'))
      assert.equal(chat.action('emit').reason, `exchange:${kind}`)
    })
  }

  test('X3 docs/contract-decisions.md §10 "crash semantics": a crash after the token request may have gone out: fresh prompt, the old code is never exchanged', () => {
    const chat = transcript().user('balance?').code().expectState('exchanging', { promptId: 'prompt-1' })
    // The restarted runner finds `exchanging` and reports the outcome as unknown.
    chat
      .exchangeFails('unknown-outcome')
      .expectSays('prompt.after-failure')
      .expectState('awaiting-sign-in', { promptId: 'prompt-2', parkedQuestion: 'balance?' })
    // Google redelivers the old code (marker seen), or the channel names the old prompt: no exchange.
    chat.duplicateCode().expectActions()
    chat.code({ promptId: 'prompt-1' }).expectSays('prompt.after-stale')
    assert.equal(chat.allActions.filter((a) => a.type === 'exchange-code').length, 1)
  })

  test('X3 an exchange that never reported back is treated as unknown when the user returns', () => {
    transcript()
      .user('balance?')
      .code()
      .wait(10 * MINUTE)
      .user('hello? my balance?')
      .expectActions('send-sign-in-prompt', 'emit')
      .expectSays('prompt.after-failure')
      .expectState('awaiting-sign-in', { parkedQuestion: 'hello? my balance?', attempt: 2 })
  })

  test('a question during a short exchange is told to wait; the first question is answered', () => {
    transcript()
      .user('balance?')
      .code()
      .wait(2000)
      .user('and payments?')
      .expectSays('still-signing-in')
      .exchangeSucceeds()
      .expectActions('store-tokens', 'reply', 'answer-parked-question', 'emit')
  })

  test('exchange results outside an exchange are ignored', () => {
    transcript().exchangeSucceeds().expectActions().expectState('signed-out')
    transcript({ start: SIGNED_IN }).exchangeFails('invalid_grant').expectActions().expectState('signed-in')
  })
})

describe('P10 S5 provider text never reaches the user', () => {
  const marker = 'PROVIDER-SAYS-\u202Esecret detail\nline two'
  const visible = (actions: readonly SignInAction[]): string =>
    JSON.stringify(actions.filter((a) => a.type !== 'emit')) +
    actions.map((a) => ('messageKey' in a ? renderMessage(a.messageKey, { params: a.params }) : '')).join('\n')

  const errors = ['access_denied', 'server_error', 'invalid_scope', 'something_new', '<b>weird</b> code']
  const kinds: ExchangeFailureKind[] = [
    'invalid_grant',
    'provider-error',
    'client-misconfigured',
    'network',
    'unknown-outcome',
  ]
  const runs = [
    ...errors.map((error) => transcript().user('balance?').authorizationError(error, marker)),
    ...kinds.map((kind) => transcript().user('balance?').code().exchangeFails(kind, marker)),
  ]

  test('P10 no reply, prompt or offer carries the description; the hook gets it sanitised', () => {
    for (const chat of runs) {
      assert.ok(!visible(chat.allActions).includes('PROVIDER-SAYS'))
      const detail = chat.action('emit').detail
      assert.equal(detail, 'PROVIDER-SAYS- secret detail line two')
    }
  })

  test('P10 a hook reason never carries provider text, only a code', () => {
    const chat = transcript().user('balance?').authorizationError('<b>weird</b> code')
    assert.equal(chat.action('emit').reason, 'authorization:unrecognised')
  })
})

describe('R refresh, revocation, sign-out', () => {
  test('R3 refresh gets invalid_grant: tokens deleted, needs-reconnect; the next question prompts to reconnect', () => {
    transcript({ start: SIGNED_IN })
      .refreshFails()
      .expectActions('delete-tokens', 'emit')
      .expectState('needs-reconnect', { reason: 'refresh-invalid-grant', scopes: ['accounts.read'] })
      .user('balance?')
      .expectSays('prompt.reconnect')
      .expectState('awaiting-sign-in', { parkedQuestion: 'balance?', attempt: 1 })
  })

  test('R10 refresh fails while answering: prompt at once, answer after reconnecting', () => {
    transcript({ start: SIGNED_IN })
      .refreshFails('balance?')
      .expectActions('delete-tokens', 'send-sign-in-prompt', 'emit')
      .expectSays('prompt.reconnect')
      .code()
      .exchangeSucceeds()
      .expectActions('store-tokens', 'reply', 'answer-parked-question', 'emit')
  })

  test('R6 a refresh reporting wider scopes does not widen the grant', () => {
    const chat = transcript({ start: SIGNED_IN }).refreshed(['accounts.read', 'payments.write'])
    chat.expectActions('emit').expectState('signed-in', { scopes: ['accounts.read'] })
    assert.equal(chat.action('emit').hook, 'refreshed')
  })

  test('revoked elsewhere: tokens deleted, hook, needs-reconnect', () => {
    transcript({ start: SIGNED_IN })
      .revoked()
      .expectActions('delete-tokens', 'emit')
      .expectState('needs-reconnect', { reason: 'revoked' })
  })

  test('R7 sign-out revokes, deletes, says so and tells the hook', () => {
    const chat = transcript({ start: SIGNED_IN }).signOut()
    chat.expectActions('revoke-and-delete-tokens', 'reply', 'emit').expectSays('signed-out').expectState('signed-out')
    assert.equal(chat.action('emit').hook, 'signed-out')
  })

  test('S8 sign-out during a sign-in drops the pending prompt; its code is then unsolicited', () => {
    const chat = transcript().user('balance?').signOut()
    chat.expectActions('discard-sign-in-prompt', 'revoke-and-delete-tokens', 'reply', 'emit')
    chat.code().expectSays('no-pending-sign-in')
    assert.equal(chat.allActions.filter((a) => a.type === 'exchange-code').length, 0)
  })
})

describe('X12 S11 a code that can never be exchanged', () => {
  for (const reason of ['used-elsewhere', 'pending-unreadable'] as const) {
    test(`X12 S11 "${reason}" while awaiting: no exchange, "didn't go through" with a fresh chip, question kept`, () => {
      const chat = transcript().user('balance?').send({ type: 'code-unusable', reason })
      chat.expectActions('send-sign-in-prompt', 'emit').expectSays('prompt.after-failure')
      chat.expectState('awaiting-sign-in', { promptId: 'prompt-2', attempt: 2, parkedQuestion: 'balance?' })
      assert.deepEqual(chat.action('emit'), { type: 'emit', hook: 'sign-in-failed', reason: `code:${reason}` })
    })
  }

  test('X12 the failed tries count: after maxAttempts a live agent is offered instead of another chip', () => {
    const chat = transcript({ maxAttempts: 2 })
      .user('balance?')
      .send({ type: 'code-unusable', reason: 'used-elsewhere' })
    chat.send({ type: 'code-unusable', reason: 'used-elsewhere' })
    chat.expectSays('live-agent.too-many-attempts').expectState('signed-out')
  })

  test('X12 outside a prompt it is any code arriving there: signed in stays signed in, nothing asked → generic', () => {
    transcript({ start: SIGNED_IN })
      .send({ type: 'code-unusable', reason: 'used-elsewhere' })
      .expectSays('already-signed-in')
      .expectState('signed-in')
    transcript().send({ type: 'code-unusable', reason: 'used-elsewhere' }).expectSays('no-pending-sign-in')
  })
})
