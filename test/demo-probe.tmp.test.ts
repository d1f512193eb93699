import { test } from 'node:test'
import { exchangeAuthorizationCode, resolveProvider } from '../src/oauth/index.ts'
import { calculateS256Challenge, generateCodeVerifier } from '../src/pkce/index.ts'
import { deviceAuthorizationURL } from './support/bm-authorization.ts'
import { codeFromLocation, loginAndConsent } from './support/oidc-login.ts'
import { startStrictProvider } from './support/strict-provider.ts'
test('probe', async () => {
  const running = await startStrictProvider({ clients: [{ clientId: 'agent', clientSecret: 's3cret-agent' }], extraScopes: ['accounts.read', 'transactions.read'], resourceServers: [{ clientId: 'bank', clientSecret: 'bank-secret' }] })
  try {
    const provider = await resolveProvider({ provider: { issuer: running.issuer }, client: { clientId: 'agent', clientSecret: 's3cret-agent', tokenEndpointAuthMethod: 'client_secret_basic' } }, { allowInsecureLoopback: true })
    const v = generateCodeVerifier()
    const redirectUri = 'https://business.google.com/callback'
    const url = deviceAuthorizationURL(provider.authorizationEndpoint, { clientId: 'agent', redirectUri, scopes: ['openid', 'offline_access', 'accounts.read', 'transactions.read'], codeChallenge: calculateS256Challenge(v), codeChallengeMethod: 'S256' })
    const code = codeFromLocation(await loginAndConsent(url))
    const tokens = await exchangeAuthorizationCode(provider, { code, codeVerifier: v, redirectUri })
    console.log('scope', tokens.scope)
    for (const t of [tokens.accessToken, tokens.refreshToken ?? '', 'garbage']) {
      const r = await fetch(`${running.issuer}/token/introspection`, { method: 'POST', headers: { authorization: `Basic ${Buffer.from('bank:bank-secret').toString('base64')}`, 'content-type': 'application/x-www-form-urlencoded' }, body: new URLSearchParams({ token: t }) })
      console.log(r.status, await r.text())
    }
    const d = await (await fetch(`${running.issuer}/.well-known/openid-configuration`)).json()
    console.log(d.introspection_endpoint, d.scopes_supported, d.introspection_endpoint_auth_methods_supported)
  } finally { await running.close() }
})
