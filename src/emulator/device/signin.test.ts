import assert from 'node:assert/strict'
import { describe, test } from 'node:test'
import { isBmOAuthError } from '../../errors.ts'
import {
  GOOGLE_REDIRECT_URIS,
  SURFACES,
  buildAuthorizationURL,
  errorEnumFromOAuth,
  newState,
  readAuthorizationRedirect,
  redirectURIForSurface,
  type OAuthChip,
} from './signin.ts'

// oidc-provider's own redirect builder (lib/helpers/redirect_uri.js: URL + searchParams.set), loaded
// from the installed package so the test follows the provider the demo really runs.
type FormatUri = (uri: string, payload: Record<string, string>, mode: string) => string
const oidcRedirectModule = 'oidc-provider/lib/helpers/redirect_uri.js'
const { default: oidcFormatUri } = (await import(oidcRedirectModule)) as { default: FormatUri }

const chip: OAuthChip = {
  clientId: 'bank-client',
  codeChallenge: 'E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM',
  codeChallengeMethod: 'S256',
  scopes: ['openid', 'accounts:read'],
}
const STATE = 'state-123'

const isInvalidArgument = (err: unknown): boolean => isBmOAuthError(err, 'ERR_INVALID_ARGUMENT')

describe('redirect URIs (docs/contract-decisions.md §4.1, §10 Q3)', () => {
  test('the four exact strings, one per surface', () => {
    assert.deepEqual(GOOGLE_REDIRECT_URIS, [
      'https://business.google.com/callback',
      'https://business.google.com/callback?',
      'https://business.google.com/message?az-intent-type=1',
      'https://business.google.com/message?az-intent-type=1&',
    ])
    assert.deepEqual(
      SURFACES.map((s) => redirectURIForSurface(s)),
      [...GOOGLE_REDIRECT_URIS],
    )
  })

  test('a stand-in origin keeps path and query, including the trailing ? and &', () => {
    assert.equal(redirectURIForSurface('web-query', 'http://127.0.0.1:8790/'), 'http://127.0.0.1:8790/callback?')
    assert.equal(
      redirectURIForSurface('android-amp', 'http://127.0.0.1:8790'),
      'http://127.0.0.1:8790/message?az-intent-type=1&',
    )
  })
})

describe('buildAuthorizationURL (docs/contract-decisions.md §4.2, §10 Q1–Q2)', () => {
  for (const redirectUri of GOOGLE_REDIRECT_URIS) {
    test(`redirect_uri round-trips byte-for-byte: ${redirectUri}`, () => {
      const url = new URL(buildAuthorizationURL('https://bank.example/authorize', chip, redirectUri, STATE))
      assert.equal(url.searchParams.get('redirect_uri'), redirectUri)
    })
  }

  test('appends every parameter, scope space-joined, and keeps the endpoint query verbatim', () => {
    const built = buildAuthorizationURL(
      'https://bank.example/oauth/authorize?tenant=a%20b&x=1',
      chip,
      GOOGLE_REDIRECT_URIS[0],
      STATE,
    )
    assert.ok(built.startsWith('https://bank.example/oauth/authorize?tenant=a%20b&x=1&response_type=code&'))
    const params = new URL(built).searchParams
    assert.deepEqual(
      [...params.keys()],
      [
        'tenant',
        'x',
        'response_type',
        'client_id',
        'redirect_uri',
        'scope',
        'state',
        'code_challenge',
        'code_challenge_method',
      ],
    )
    assert.equal(params.get('tenant'), 'a b')
    assert.equal(params.get('client_id'), 'bank-client')
    assert.equal(params.get('scope'), 'openid accounts:read')
    assert.equal(params.get('state'), STATE)
    assert.equal(params.get('code_challenge'), chip.codeChallenge)
    assert.equal(params.get('code_challenge_method'), 'S256')
  })

  test('an omitted codeChallengeMethod is sent as the documented default plain', () => {
    const { codeChallengeMethod: _omit, ...withoutMethod } = chip
    const built = buildAuthorizationURL('https://bank.example/authorize', withoutMethod, GOOGLE_REDIRECT_URIS[0], STATE)
    assert.equal(new URL(built).searchParams.get('code_challenge_method'), 'plain')
  })

  test('an endpoint ending in ? or & gets no extra separator', () => {
    assert.match(
      buildAuthorizationURL('https://bank.example/a?', chip, GOOGLE_REDIRECT_URIS[0], STATE),
      /^https:\/\/bank\.example\/a\?response_type=code&/,
    )
    assert.match(
      buildAuthorizationURL('https://bank.example/a?x=1&', chip, GOOGLE_REDIRECT_URIS[0], STATE),
      /\/a\?x=1&response_type=code&/,
    )
  })

  test('rejects a relative endpoint or one with a fragment', () => {
    assert.throws(() => buildAuthorizationURL('/authorize', chip, GOOGLE_REDIRECT_URIS[0], STATE), isInvalidArgument)
    assert.throws(
      () => buildAuthorizationURL('https://bank.example/a#f', chip, GOOGLE_REDIRECT_URIS[0], STATE),
      isInvalidArgument,
    )
  })
})

describe('readAuthorizationRedirect (docs/contract-decisions.md §4.2, §10 Q3–Q4)', () => {
  for (const redirectUri of GOOGLE_REDIRECT_URIS) {
    test(`reads oidc-provider's redirect to ${redirectUri}`, () => {
      const location = oidcFormatUri(redirectUri, { code: 'c-1', state: STATE, iss: 'https://bank.example' }, 'query')
      assert.deepEqual(readAuthorizationRedirect(location, { redirectUri, state: STATE }), {
        kind: 'code',
        code: 'c-1',
      })
      const denied = oidcFormatUri(
        redirectUri,
        { error: 'access_denied', error_description: 'user cancelled', state: STATE },
        'query',
      )
      assert.deepEqual(readAuthorizationRedirect(denied, { redirectUri, state: STATE }), {
        kind: 'error',
        error: 'access_denied',
        errorDescription: 'user cancelled',
      })
    })

    test(`reads a concatenating provider's redirect to ${redirectUri}`, () => {
      const location = `${redirectUri}${redirectUri.includes('?') ? '&' : '?'}code=c%2B1&state=${STATE}`
      assert.deepEqual(readAuthorizationRedirect(location, { redirectUri, state: STATE }), {
        kind: 'code',
        code: 'c+1',
      })
    })
  }

  test('tolerates callback??code= and callback?&code= forms', () => {
    const expected = { redirectUri: GOOGLE_REDIRECT_URIS[1], state: STATE }
    for (const location of [
      'https://business.google.com/callback??code=c&state=state-123',
      'https://business.google.com/callback?&code=c&state=state-123',
    ]) {
      assert.deepEqual(readAuthorizationRedirect(location, expected), { kind: 'code', code: 'c' })
    }
  })

  test('an error without description; error wins over code', () => {
    const expected = { redirectUri: GOOGLE_REDIRECT_URIS[0], state: STATE }
    assert.deepEqual(
      readAuthorizationRedirect(`${expected.redirectUri}?error=server_error&code=x&state=${STATE}`, expected),
      {
        kind: 'error',
        error: 'server_error',
        errorDescription: undefined,
      },
    )
  })

  test('throws on a missing or different state', () => {
    const expected = { redirectUri: GOOGLE_REDIRECT_URIS[0], state: STATE }
    assert.throws(() => readAuthorizationRedirect(`${expected.redirectUri}?code=c`, expected), isInvalidArgument)
    assert.throws(
      () => readAuthorizationRedirect(`${expected.redirectUri}?code=c&state=other`, expected),
      isInvalidArgument,
    )
    assert.throws(
      () => readAuthorizationRedirect(`${expected.redirectUri}?error=access_denied`, expected),
      isInvalidArgument,
    )
  })

  test('throws when the Location is not the expected redirect URI', () => {
    const android = { redirectUri: GOOGLE_REDIRECT_URIS[2], state: STATE }
    const bad = [
      `https://evil.example/message?az-intent-type=1&code=c&state=${STATE}`,
      `https://business.google.com/callback?az-intent-type=1&code=c&state=${STATE}`,
      `https://business.google.com/message?code=c&state=${STATE}`,
      `https://business.google.com/message?az-intent-type=2&code=c&state=${STATE}`,
      '/message?az-intent-type=1&code=c',
    ]
    for (const location of bad)
      assert.throws(() => readAuthorizationRedirect(location, android), isInvalidArgument, location)
  })

  test('throws when neither code nor error is present', () => {
    const expected = { redirectUri: GOOGLE_REDIRECT_URIS[0], state: STATE }
    assert.throws(
      () => readAuthorizationRedirect(`${expected.redirectUri}?state=${STATE}`, expected),
      isInvalidArgument,
    )
  })

  test('works with a stand-in origin', () => {
    const redirectUri = redirectURIForSurface('android-amp', 'http://127.0.0.1:8790')
    const location = oidcFormatUri(redirectUri, { code: 'c', state: STATE }, 'query')
    assert.deepEqual(readAuthorizationRedirect(location, { redirectUri, state: STATE }), { kind: 'code', code: 'c' })
  })
})

describe('helpers', () => {
  test('errorEnumFromOAuth upper-cases RFC 6749 §4.1.2.1 codes (docs/contract-decisions.md §10 Q4)', () => {
    assert.equal(errorEnumFromOAuth('access_denied'), 'ACCESS_DENIED')
    assert.equal(errorEnumFromOAuth('TEMPORARILY_UNAVAILABLE'), 'TEMPORARILY_UNAVAILABLE')
    assert.equal(errorEnumFromOAuth('bad value!'), 'ERROR_UNSPECIFIED')
  })

  test('newState is url-safe and fresh', () => {
    const a = newState()
    assert.match(a, /^[A-Za-z0-9_-]{43}$/)
    assert.notEqual(a, newState())
  })
})
