import { describe, test } from 'node:test'
import assert from 'node:assert/strict'
import { mkdtemp, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { BmOAuthError, InvalidArgumentError } from '../errors.ts'
import { parseServiceAccountKey, readServiceAccountKey } from './service-account-key.ts'
import { SCOPES, expandScope, expandScopes } from './scopes.ts'

const SECRET_PEM = '-----BEGIN PRIVATE KEY-----\nTOPSECRETKEYMATERIAL\n-----END PRIVATE KEY-----\n'
const VALID = {
  type: 'service_account',
  project_id: 'demo',
  private_key_id: 'kid-1',
  private_key: SECRET_PEM,
  client_email: 'agent@demo.iam.gserviceaccount.com',
  client_id: '123',
  token_uri: 'http://127.0.0.1:8080/token',
  auth_uri: 'https://accounts.google.com/o/oauth2/auth',
}

function keyError(messagePart: string) {
  return (err: unknown): boolean => {
    assert.ok(err instanceof BmOAuthError)
    assert.equal(err.code, 'ERR_SERVICE_ACCOUNT_KEY')
    assert.ok(err.message.includes(messagePart), err.message)
    assert.ok(!err.message.includes('TOPSECRET'), 'message must not contain key material')
    assert.ok(!JSON.stringify({ ...err, cause: String(err.cause) }).includes('TOPSECRET'))
    return true
  }
}

describe('parseServiceAccountKey (docs/contract-decisions.md §5)', () => {
  test('accepts a key file as text or object and keeps the known fields', () => {
    const key = parseServiceAccountKey(JSON.stringify(VALID))
    assert.equal(key.client_email, VALID.client_email)
    assert.equal(key.token_uri, VALID.token_uri)
    assert.equal(key.private_key_id, 'kid-1')
    assert.equal('auth_uri' in key, false)
    assert.deepEqual(parseServiceAccountKey(VALID), key)
  })

  test('optional fields may be absent', () => {
    const { type, private_key, client_email } = VALID
    const key = parseServiceAccountKey({ type, private_key, client_email })
    assert.deepEqual(Object.keys(key).sort(), ['client_email', 'private_key', 'type'])
  })

  test('names a missing field', () => {
    const { client_email: _, ...rest } = VALID
    assert.throws(() => parseServiceAccountKey(rest), keyError('field "client_email" is required'))
    const { private_key: __, ...noKey } = VALID
    assert.throws(() => parseServiceAccountKey(noKey), keyError('field "private_key" is required'))
  })

  test('names a bad field without echoing its value', () => {
    assert.throws(
      () => parseServiceAccountKey({ ...VALID, type: 'TOPSECRET-user' }),
      keyError('field "type" must be "service_account"'),
    )
    assert.throws(
      () => parseServiceAccountKey({ ...VALID, private_key: 'TOPSECRET not a pem' }),
      keyError('field "private_key" must be a PEM string'),
    )
    assert.throws(
      () => parseServiceAccountKey({ ...VALID, token_uri: 'ftp://TOPSECRET' }),
      keyError('field "token_uri" must be an absolute http(s) URL'),
    )
    assert.throws(() => parseServiceAccountKey({ ...VALID, client_email: 42 }), keyError('client_email'))
  })

  test('invalid JSON never quotes the input', () => {
    const broken = JSON.stringify(VALID).slice(0, -5)
    assert.throws(() => parseServiceAccountKey(broken), keyError('not valid JSON'))
    assert.throws(() => parseServiceAccountKey('[1]'), keyError('must be a JSON object'))
  })

  test('readServiceAccountKey: reads a file, reports a missing one by path', async (t) => {
    const dir = await mkdtemp(join(tmpdir(), 'bm-key-'))
    t.after(() => rm(dir, { recursive: true, force: true }))
    const path = join(dir, 'key.json')
    await writeFile(path, JSON.stringify(VALID))
    assert.equal((await readServiceAccountKey(path)).client_email, VALID.client_email)
    const missing = join(dir, 'nope.json')
    await assert.rejects(readServiceAccountKey(missing), keyError(`key file not found: ${missing}`))
  })
})

describe('scopes (oauth2l short names, docs/contract-decisions.md §5.1)', () => {
  test('short names expand, URLs and OIDC scopes pass through', () => {
    assert.equal(expandScope('businessmessages'), SCOPES.businessmessages)
    assert.equal(expandScope('businesscommunications'), SCOPES.businesscommunications)
    assert.equal(expandScope('cloud-platform'), 'https://www.googleapis.com/auth/cloud-platform')
    assert.equal(expandScope('https://example.com/scope'), 'https://example.com/scope')
    assert.equal(expandScope('openid'), 'openid')
    assert.throws(() => expandScope('bad scope!'), InvalidArgumentError)
  })

  test('lists split on commas and spaces and drop duplicates', () => {
    assert.deepEqual(expandScopes('businessmessages,cloud-platform businessmessages'), [
      SCOPES.businessmessages,
      SCOPES['cloud-platform'],
    ])
    assert.throws(() => expandScopes([]), /scopes: at least one scope is required/)
  })
})
