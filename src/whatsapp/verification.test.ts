import { test } from 'node:test'
import assert from 'node:assert/strict'
import { answerWhatsAppVerification } from './verification.ts'

// Meta's sample verification request (docs/whatsapp-decisions.md §1, "Webhooks — Get Started"):
// GET /webhooks?hub.mode=subscribe&hub.challenge=1158201444&hub.verify_token=meatyhamhock
const META_SAMPLE = 'hub.mode=subscribe&hub.challenge=1158201444&hub.verify_token=meatyhamhock'

const answer = (query: string, token = 'meatyhamhock') => answerWhatsAppVerification(new URLSearchParams(query), token)

test("Meta's sample request is answered 200 with the challenge echoed", () => {
  assert.deepEqual(answer(META_SAMPLE), { status: 200, body: '1158201444' })
})

test('a wrong, missing or differently-sized token, another mode or no challenge is 403 without an echo', () => {
  const refused = { status: 403, body: 'Forbidden' }
  assert.deepEqual(answer(META_SAMPLE, 'meatyhamhocks'), refused)
  assert.deepEqual(answer(META_SAMPLE, 'meaty'), refused)
  assert.deepEqual(answer('hub.mode=subscribe&hub.challenge=1158201444'), refused)
  assert.deepEqual(answer(META_SAMPLE.replace('subscribe', 'unsubscribe')), refused)
  assert.deepEqual(answer('hub.mode=subscribe&hub.verify_token=meatyhamhock'), refused)
})

test('a challenge that is not a short token is refused, so the endpoint reflects no markup', () => {
  const withChallenge = (challenge: string) =>
    answer(`hub.mode=subscribe&hub.verify_token=meatyhamhock&hub.challenge=${encodeURIComponent(challenge)}`)
  assert.equal(withChallenge('<script>alert(1)</script>').status, 403)
  assert.equal(withChallenge('1'.repeat(257)).status, 403)
  assert.equal(withChallenge('abc-DEF_1.2').status, 200)
})

test('an empty configured token is refused at once', () => {
  assert.throws(() => answer(META_SAMPLE, ''), { code: 'ERR_INVALID_ARGUMENT' })
})
