import { test } from 'node:test'
import assert from 'node:assert/strict'
import { isBmOAuthError } from '../errors.ts'
import { signWhatsAppBody, verifyWhatsAppSignature } from './signature.ts'

// Meta's text-message sample ("messages webhook reference", docs/whatsapp-decisions.md §3.1), with a
// non-ASCII character escaped as Meta sends it (docs/whatsapp-decisions.md §2: "an escaped unicode
// version of the payload").
const RAW = Buffer.from(
  '{"object":"whatsapp_business_account","entry":[{"id":"102290129340398","changes":[{"value":{"messaging_product":"whatsapp","metadata":{"display_phone_number":"15550783881","phone_number_id":"106540352242922"},"contacts":[{"profile":{"name":"Sheena Nelson"},"wa_id":"16505551234"}],"messages":[{"from":"16505551234","id":"wamid.HBgLMTY1MDM4Nzk0MzkVAgASGBQzQTRBNjU5OUFFRTAzODEwMTQ0RgA=","timestamp":"1749416383","type":"text","text":{"body":"Does it come in another color? \\u00e4"}}]},"field":"messages"}]}]}',
  'utf8',
)
const SECRET = 'app-secret-current'
const PREVIOUS = 'app-secret-previous'

const code = (fn: () => unknown): string | undefined => {
  try {
    fn()
  } catch (err) {
    if (isBmOAuthError(err)) return `${err.code} ${err.status}`
    throw err
  }
  return undefined
}

test('the header is sha256= and the lowercase hex HMAC-SHA256 of the raw body (a known HMAC answer)', () => {
  // HMAC-SHA256(key "secret", "test"), the known answer quoted by public SDKs of this header.
  assert.equal(
    signWhatsAppBody('test', 'secret'),
    'sha256=0329a06b62cd16b33eb6792be8c60b158d89a2ee3a876fce9a881ebb488c0914',
  )
})

test('a body signed with the current or the previous app secret verifies, naming which one', () => {
  const header = signWhatsAppBody(RAW, SECRET)
  assert.equal(verifyWhatsAppSignature({ rawBody: RAW, signatureHeader: header, appSecrets: [SECRET, PREVIOUS] }), 0)
  const old = signWhatsAppBody(RAW, PREVIOUS)
  assert.equal(verifyWhatsAppSignature({ rawBody: RAW, signatureHeader: old, appSecrets: [SECRET, PREVIOUS] }), 1)
  // Uppercase hex is the same bytes.
  const upper = `sha256=${header.slice(7).toUpperCase()}`
  assert.equal(verifyWhatsAppSignature({ rawBody: RAW, signatureHeader: upper, appSecrets: [SECRET] }), 0)
})

test('missing, malformed and wrong signatures are 401 with distinct codes, before any parsing', () => {
  const good = signWhatsAppBody(RAW, SECRET)
  const check = (signatureHeader: string | undefined, rawBody: Uint8Array = RAW) =>
    code(() => verifyWhatsAppSignature({ rawBody, signatureHeader, appSecrets: [SECRET, PREVIOUS] }))
  assert.equal(check(undefined), 'ERR_WEBHOOK_SIGNATURE_MISSING 401')
  assert.equal(check('  '), 'ERR_WEBHOOK_SIGNATURE_MISSING 401')
  for (const malformed of [
    good.slice(7),
    `sha1=${good.slice(7)}`,
    good.slice(0, -2),
    `${good}00`,
    `sha256=${'z'.repeat(64)}`,
  ]) {
    assert.equal(check(malformed), 'ERR_WEBHOOK_SIGNATURE_MISMATCH 401', malformed)
  }
  assert.equal(check(signWhatsAppBody(RAW, 'someone-else')), 'ERR_WEBHOOK_SIGNATURE_MISMATCH 401')
  // One byte changed in the body (the escaped character decoded): the signature no longer holds.
  const reencoded = Buffer.from(RAW.toString('utf8').replace('\\u00e4', 'ä'), 'utf8')
  assert.equal(check(good, reencoded), 'ERR_WEBHOOK_SIGNATURE_MISMATCH 401')
  // A not-JSON body is still only a signature question here.
  assert.equal(check(good, Buffer.from('not json')), 'ERR_WEBHOOK_SIGNATURE_MISMATCH 401')
})

test('an empty secret list or an empty secret is a configuration mistake, not a 401', () => {
  assert.equal(
    code(() => verifyWhatsAppSignature({ rawBody: RAW, signatureHeader: 'x', appSecrets: [] })),
    'ERR_INVALID_ARGUMENT 400',
  )
  assert.equal(
    code(() => verifyWhatsAppSignature({ rawBody: RAW, signatureHeader: 'x', appSecrets: [''] })),
    'ERR_INVALID_ARGUMENT 400',
  )
})

test('errors never quote the signature or a secret', () => {
  const header = signWhatsAppBody(RAW, 'someone-else')
  try {
    verifyWhatsAppSignature({ rawBody: RAW, signatureHeader: header, appSecrets: [SECRET] })
    assert.fail('expected a mismatch')
  } catch (err) {
    const text = `${String(err)} ${JSON.stringify(err)}`
    assert.ok(!text.includes(header.slice(7)) && !text.includes(SECRET))
  }
})
