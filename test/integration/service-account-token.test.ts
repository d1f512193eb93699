/**
 * Service-account tokens against the emulator's `/token` (security case A5;
 * docs/contract-decisions.md §5.2, §5.3, §10 "service-account tokens"): the key file's `token_uri` is
 * honoured, the RS256 assertion carries Google's claims, tokens are cached and fetched single-flight,
 * and an assertion signed by another key is refused with `invalid_grant`.
 */
import { after, before, describe, test } from 'node:test'
import assert from 'node:assert/strict'
import { decodeJwt, decodeProtectedHeader, exportPKCS8, generateKeyPair } from 'jose'
import type { RunningEmulator } from '../../src/emulator/index.ts'
import {
  BusinessCommunicationsClient,
  BusinessMessagesClient,
  GOOGLE_TOKEN_URL,
  ServiceAccountCredentials,
  ServiceAccountTokenError,
  readServiceAccountKey,
  type ServiceAccountKey,
} from '../../src/google/index.ts'
import { openConversation, recordingFetch, startTestEmulator, type TestEmulator } from './support.ts'

const SCOPES = ['businessmessages', 'businesscommunications']

describe("ServiceAccountCredentials against the emulator's /token", () => {
  let running: TestEmulator
  let emulator: RunningEmulator
  let key: ServiceAccountKey

  before(async () => {
    running = await startTestEmulator()
    emulator = running.emulator
    key = await readServiceAccountKey(emulator.keyFilePath)
  })
  after(() => running.stop())

  test('docs/contract-decisions.md §5.3, §10 "service-account tokens": the token_uri of the key file is honoured: the token request goes to the emulator, not Google', async () => {
    assert.equal(key.token_uri, `${emulator.url}/token`)
    const rf = recordingFetch()
    const credentials = new ServiceAccountCredentials(key, { scopes: SCOPES, fetch: rf.fetch })
    assert.equal(credentials.tokenUrl, `${emulator.url}/token`)
    assert.notEqual(credentials.tokenUrl, GOOGLE_TOKEN_URL)

    const token = await credentials.getAccessToken()
    assert.ok(token.length > 0)
    assert.deepEqual(
      rf.requests.map((r) => [r.method, r.url.href, r.status]),
      [['POST', `${emulator.url}/token`, 200]],
    )

    // The token is one the emulator issued: both APIs accept it.
    const bc = new BusinessCommunicationsClient({ credentials, baseUrl: emulator.url })
    assert.equal((await bc.getAgent(emulator.agentName)).name, emulator.agentName)
    const bm = new BusinessMessagesClient({ credentials, baseUrl: emulator.url })
    const conversationId = await openConversation(emulator)
    const event = await bm.createEvent(conversationId, 'typing', { eventType: 'TYPING_STARTED' })
    assert.equal(event.name, `conversations/${conversationId}/events/typing`)
    assert.equal(rf.requests.length, 1, 'both calls reused the cached token')
  })

  test('docs/contract-decisions.md §5.2 the assertion is RS256, issued by client_email, addressed to token_uri, one hour long, scopes expanded', async () => {
    const rf = recordingFetch()
    await new ServiceAccountCredentials(key, { scopes: SCOPES, fetch: rf.fetch }).getAccessToken()
    const form = new URLSearchParams(rf.requests[0]?.body ?? '')
    assert.equal(form.get('grant_type'), 'urn:ietf:params:oauth:grant-type:jwt-bearer')
    const assertion = form.get('assertion') ?? ''
    assert.equal(decodeProtectedHeader(assertion).alg, 'RS256')
    const claims = decodeJwt(assertion)
    assert.equal(claims.iss, key.client_email)
    assert.equal(claims.aud, key.token_uri)
    assert.equal((claims.exp ?? 0) - (claims.iat ?? 0), 3600)
    assert.equal(
      claims['scope'],
      'https://www.googleapis.com/auth/businessmessages https://www.googleapis.com/auth/businesscommunications',
    )
  })

  test('A5 concurrent callers share one token request (single flight) and then the cache', async () => {
    const rf = recordingFetch()
    const credentials = new ServiceAccountCredentials(key, { scopes: SCOPES, fetch: rf.fetch })
    const tokens = await Promise.all([1, 2, 3].map(() => credentials.getAccessToken()))
    assert.equal(new Set(tokens).size, 1)
    assert.equal(await credentials.getAccessToken(), tokens[0])
    assert.equal(rf.requests.length, 1)
    credentials.invalidate()
    assert.notEqual(await credentials.getAccessToken(), tokens[0], 'invalidate() forces a new token')
    assert.equal(rf.requests.length, 2)
  })

  test('A5 docs/contract-decisions.md §10 "service-account tokens": an assertion signed by a different key → invalid_grant → ServiceAccountTokenError, no API call made', async () => {
    const { privateKey } = await generateKeyPair('RS256', { extractable: true, modulusLength: 2048 })
    const impostor: ServiceAccountKey = { ...key, private_key: await exportPKCS8(privateKey) }
    const tokenFetch = recordingFetch()
    const credentials = new ServiceAccountCredentials(impostor, { scopes: SCOPES, fetch: tokenFetch.fetch })

    await assert.rejects(credentials.getAccessToken(), (err: unknown) => {
      assert.ok(err instanceof ServiceAccountTokenError)
      assert.equal(err.code, 'ERR_SERVICE_ACCOUNT_TOKEN')
      assert.equal(err.error, 'invalid_grant')
      assert.equal(err.httpStatus, 400)
      assert.equal(err.error_description, 'Invalid JWT Signature.')
      const assertion = new URLSearchParams(tokenFetch.requests[0]?.body ?? '').get('assertion') ?? ''
      assert.ok(assertion.length > 0 && !err.message.includes(assertion), 'the assertion is never in the message')
      return true
    })

    const apiFetch = recordingFetch()
    const bm = new BusinessMessagesClient({ credentials, baseUrl: emulator.url, fetch: apiFetch.fetch })
    const conversationId = await openConversation(emulator)
    const message = { text: 'Hi', representative: { representativeType: 'BOT' } } as const
    await assert.rejects(bm.createMessage(conversationId, message), ServiceAccountTokenError)
    assert.equal(apiFetch.requests.length, 0, 'the message was never sent without a token')
  })
})
