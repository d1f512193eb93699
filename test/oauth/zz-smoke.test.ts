import { test } from 'node:test'
import assert from 'node:assert/strict'
import { startStrictProvider } from '../../test/support/strict-provider.ts'
import { loginAndConsent, codeFromLocation } from '../../test/support/oidc-login.ts'
import { deviceAuthorizationURL } from '../../test/support/bm-authorization.ts'
import { resolveProvider, exchangeAuthorizationCode } from '../../src/oauth/index.ts'
import { generateCodeVerifier, calculateS256Challenge } from '../../src/pkce/index.ts'
import { inspect } from 'node:util'

test('smoke', async (t) => {
  const running = await startStrictProvider({ clients: [{ clientId: 'c1', clientSecret: 's3cret-s3cret' }] })
  t.after(() => running.close())
  const p = await resolveProvider({ provider: { issuer: running.issuer }, client: { clientId: 'c1', clientSecret: 's3cret-s3cret', tokenEndpointAuthMethod: 'client_secret_basic' } }, { allowInsecureLoopback: true })
  console.log(inspect(p))
  const verifier = generateCodeVerifier()
  const redirectUri = 'https://business.google.com/message?az-intent-type=1&'
  const url = deviceAuthorizationURL(p.authorizationEndpoint, { clientId: 'c1', redirectUri, scopes: ['openid', 'offline_access'], codeChallenge: calculateS256Challenge(verifier), codeChallengeMethod: 'S256' })
  const loc = await loginAndConsent(url)
  console.log(loc)
  const ts = await exchangeAuthorizationCode(p, { code: codeFromLocation(loc), codeVerifier: verifier, redirectUri })
  console.log(inspect(ts), JSON.stringify(ts), String(ts))
  assert.ok(ts.refreshToken)
})
