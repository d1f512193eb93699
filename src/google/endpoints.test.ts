import { describe, test } from 'node:test'
import assert from 'node:assert/strict'
import { resolveGoogleEndpoints, resolveKeyFile } from './endpoints.ts'

describe('resolveGoogleEndpoints', () => {
  test('defaults to Google production origins', () => {
    assert.deepEqual(resolveGoogleEndpoints({}), {
      businessCommunicationsUrl: 'https://businesscommunications.googleapis.com/',
      businessMessagesUrl: 'https://businessmessages.googleapis.com/',
    })
  })

  test('one base URL points both APIs at the emulator', () => {
    assert.deepEqual(resolveGoogleEndpoints({ BM_OAUTH_GOOGLE_BASE_URL: 'http://127.0.0.1:8787' }), {
      businessCommunicationsUrl: 'http://127.0.0.1:8787/',
      businessMessagesUrl: 'http://127.0.0.1:8787/',
    })
  })

  test('per-API variables beat the shared one; overrides beat the environment', () => {
    const env = {
      BM_OAUTH_GOOGLE_BASE_URL: 'http://shared:1/',
      BM_OAUTH_BUSINESS_MESSAGES_URL: 'http://bm:2/',
      BM_OAUTH_BUSINESS_COMMUNICATIONS_URL: '',
    }
    assert.deepEqual(resolveGoogleEndpoints(env), {
      businessCommunicationsUrl: 'http://shared:1/',
      businessMessagesUrl: 'http://bm:2/',
    })
    assert.deepEqual(resolveGoogleEndpoints(env, { baseUrl: 'http://flag:3' }), {
      businessCommunicationsUrl: 'http://flag:3/',
      businessMessagesUrl: 'http://flag:3/',
    })
    assert.equal(
      resolveGoogleEndpoints(env, { businessMessagesUrl: 'https://x.example/p' }).businessMessagesUrl,
      'https://x.example/p/',
    )
  })

  test('a bad URL names its source', () => {
    assert.throws(() => resolveGoogleEndpoints({ BM_OAUTH_BUSINESS_MESSAGES_URL: 'localhost:8080' }), {
      code: 'ERR_CONFIG',
      message: 'configuration BM_OAUTH_BUSINESS_MESSAGES_URL: must be an absolute http(s) URL',
    })
    assert.throws(() => resolveGoogleEndpoints({}, { baseUrl: 'ftp://x' }), {
      message: /^configuration baseUrl: must be/,
    })
  })
})

describe('resolveKeyFile', () => {
  test('override, then BM_OAUTH_KEY_FILE, then GOOGLE_APPLICATION_CREDENTIALS', () => {
    const env = { BM_OAUTH_KEY_FILE: '/a.json', GOOGLE_APPLICATION_CREDENTIALS: '/b.json' }
    assert.equal(resolveKeyFile(env, '/flag.json'), '/flag.json')
    assert.equal(resolveKeyFile(env), '/a.json')
    assert.equal(resolveKeyFile({ BM_OAUTH_KEY_FILE: ' ', GOOGLE_APPLICATION_CREDENTIALS: '/b.json' }), '/b.json')
    assert.throws(() => resolveKeyFile({}), { code: 'ERR_CONFIG', message: /BM_OAUTH_KEY_FILE/ })
  })
})
