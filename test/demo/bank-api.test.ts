/**
 * The Growing Tree Bank resource API (src/demo/bank) against the real strict demo provider: tokens
 * come from the real authorization-code flow (login page, consent, PKCE, code exchange) and are
 * checked by RFC 7662 introspection with the bank's own resource-server registration. The clock of
 * the bank (and of its introspection cache) is manual, so the cache window is crossed without waiting.
 */
import { after, before, describe, test } from 'node:test'
import assert from 'node:assert/strict'
import { randomBytes } from 'node:crypto'
import { Writable } from 'node:stream'
import { ManualClock } from '../../src/core/clock.ts'
import { createLogger } from '../../src/core/logger.ts'
import { BANK_SCOPE_LIST, startBankAPI } from '../../src/demo/bank/index.ts'
import type { RunningBankAPI } from '../../src/demo/bank/index.ts'
import { exchangeAuthorizationCode, resolveProvider, revokeToken } from '../../src/oauth/index.ts'
import type { OAuthProvider, TokenSet } from '../../src/oauth/index.ts'
import { calculateS256Challenge, generateCodeVerifier } from '../../src/pkce/index.ts'
import { deviceAuthorizationURL } from '../support/bm-authorization.ts'
import { codeFromLocation, loginAndConsent } from '../support/oidc-login.ts'
import { startStrictProvider } from '../support/strict-provider.ts'
import type { RunningProvider } from '../support/strict-provider.ts'

const AGENT_SECRET = `agent-${randomBytes(16).toString('hex')}`
const BANK_SECRET = `bank-${randomBytes(16).toString('hex')}`
const REDIRECT_URI = 'https://business.google.com/callback'
const FULL_SCOPES = ['openid', 'offline_access', 'accounts.read', 'transactions.read']
const CACHE_TTL_MS = 10_000

let running: RunningProvider
let agent: OAuthProvider
let bank: RunningBankAPI
const clock = new ManualClock(Date.now())
const logLines: string[] = []
/** Every token the tests obtained, to prove none reached the logs. */
const issuedTokens: string[] = []

before(async () => {
  running = await startStrictProvider({
    clients: [{ clientId: 'bm-agent', clientSecret: AGENT_SECRET, tokenEndpointAuthMethod: 'client_secret_basic' }],
    extraScopes: BANK_SCOPE_LIST,
    resourceServers: [{ clientId: 'bank-api', clientSecret: BANK_SECRET }],
  })
  agent = await resolveProvider(
    {
      provider: { issuer: running.issuer },
      client: { clientId: 'bm-agent', clientSecret: AGENT_SECRET, tokenEndpointAuthMethod: 'client_secret_basic' },
    },
    { allowInsecureLoopback: true },
  )
  const destination = new Writable({
    write(chunk: Buffer, _encoding, callback) {
      logLines.push(chunk.toString('utf8'))
      callback()
    },
  })
  bank = await startBankAPI({
    issuer: running.issuer,
    introspection: { clientId: 'bank-api', clientSecret: BANK_SECRET },
    clock,
    cacheTtlMs: CACHE_TTL_MS,
    logger: createLogger({ level: 'debug', destination }),
  })
})
after(async () => {
  await bank?.close()
  await running?.close()
})

/** The real sign-in: login page, consent, PKCE, code exchange. */
async function signIn(scopes: string[] = FULL_SCOPES, username = 'alice', password = 'wonderland'): Promise<TokenSet> {
  const codeVerifier = generateCodeVerifier()
  const url = deviceAuthorizationURL(agent.authorizationEndpoint, {
    clientId: agent.clientId,
    redirectUri: REDIRECT_URI,
    scopes,
    codeChallenge: calculateS256Challenge(codeVerifier),
    codeChallengeMethod: 'S256',
  })
  const code = codeFromLocation(await loginAndConsent(url, { username, password }))
  const tokens = await exchangeAuthorizationCode(agent, { code, codeVerifier, redirectUri: REDIRECT_URI })
  issuedTokens.push(tokens.accessToken, ...(tokens.refreshToken === undefined ? [] : [tokens.refreshToken]))
  return tokens
}

interface Answer {
  status: number
  challenge: string | null
  body: Record<string, unknown>
}

async function call(path: string, accessToken?: string, authorization?: string): Promise<Answer> {
  const headers: Record<string, string> = {}
  if (accessToken !== undefined) headers['authorization'] = `Bearer ${accessToken}`
  if (authorization !== undefined) headers['authorization'] = authorization
  const response = await fetch(`${bank.url}${path}`, { headers })
  assert.match(response.headers.get('content-type') ?? '', /^application\/json/)
  assert.equal(response.headers.get('cache-control'), 'no-store')
  return {
    status: response.status,
    challenge: response.headers.get('www-authenticate'),
    body: (await response.json()) as Record<string, unknown>,
  }
}

describe('alice with accounts.read and transactions.read', () => {
  let alice: TokenSet
  before(async () => {
    alice = await signIn()
  })

  test('GET /me names the user behind the token', async () => {
    const me = await call('/me', alice.accessToken)
    assert.equal(me.status, 200)
    assert.equal(me.body['sub'], 'user-alice')
    assert.equal(me.body['displayName'], 'Alice Liddell')
    assert.equal(me.body['clientId'], 'bm-agent')
    assert.deepEqual(me.body['scopes'], ['openid', 'accounts.read', 'transactions.read'])
  })

  test('GET /accounts lists her accounts with balances in minor units', async () => {
    const { status, body } = await call('/accounts', alice.accessToken)
    assert.equal(status, 200)
    const accounts = body['accounts'] as { id: string; name: string; currentBalance: unknown }[]
    assert.deepEqual(
      accounts.map((a) => [a.id, a.name]),
      [
        ['acc-alice-checking', 'Everyday Checking'],
        ['acc-alice-savings', 'Savings'],
      ],
    )
    assert.deepEqual(accounts[0]?.currentBalance, { minorUnits: 254_310, currency: 'USD' })
  })

  test('GET /accounts/:id/balance', async () => {
    const { status, body } = await call('/accounts/acc-alice-savings/balance', alice.accessToken)
    assert.equal(status, 200)
    assert.equal(body['accountId'], 'acc-alice-savings')
    assert.deepEqual(body['available'], { minorUnits: 1_250_000, currency: 'USD' })
  })

  test('GET /accounts/:id/transactions?limit= returns the newest, dated by the bank clock', async () => {
    const { status, body } = await call('/accounts/acc-alice-checking/transactions?limit=3', alice.accessToken)
    assert.equal(status, 200)
    const transactions = body['transactions'] as { bookedAt: string; accountId: string }[]
    assert.equal(transactions.length, 3)
    assert.ok(transactions.every((t) => t.accountId === 'acc-alice-checking' && Date.parse(t.bookedAt) <= clock.now()))
    const all = await call('/accounts/acc-alice-checking/transactions', alice.accessToken)
    assert.ok((all.body['transactions'] as unknown[]).length >= 5)
    const bad = await call('/accounts/acc-alice-checking/transactions?limit=0', alice.accessToken)
    assert.equal(bad.status, 400)
    assert.equal(bad.body['error'], 'invalid_request')
  })

  test("bob's account ids answer 404 exactly like ids that do not exist", async () => {
    const missing = await call('/accounts/acc-does-not-exist/balance', alice.accessToken)
    for (const path of ['/accounts/acc-bob-checking/balance', '/accounts/acc-bob-savings/transactions']) {
      const answer = await call(path, alice.accessToken)
      assert.equal(answer.status, 404, path)
      assert.deepEqual(answer.body, missing.body)
    }
    assert.equal(missing.status, 404)
  })

  test('RFC 6750 §2.3: a token in the query string is refused with invalid_request', async () => {
    const answer = await call(`/accounts?access_token=${alice.accessToken}`)
    assert.equal(answer.status, 400)
    assert.match(answer.challenge ?? '', /error="invalid_request"/)
  })

  test('the refresh token is not an access token → 401 invalid_token', async () => {
    assert.ok(alice.refreshToken)
    const answer = await call('/me', alice.refreshToken)
    assert.equal(answer.status, 401)
    assert.match(answer.challenge ?? '', /^Bearer realm="Growing Tree Bank", error="invalid_token"/)
  })
})

test('bob sees his own accounts only', async () => {
  const bob = await signIn(FULL_SCOPES, 'bob', 'builder')
  const { body } = await call('/accounts', bob.accessToken)
  const ids = (body['accounts'] as { id: string }[]).map((a) => a.id)
  assert.ok(ids.length >= 2 && ids.every((id) => id.startsWith('acc-bob-')))
  assert.equal((await call('/accounts/acc-alice-checking/transactions', bob.accessToken)).status, 404)
})

test('a token without transactions.read → 403 insufficient_scope on transactions, accounts still work', async () => {
  const tokens = await signIn(['openid', 'offline_access', 'accounts.read'])
  assert.equal((await call('/accounts/acc-alice-checking/balance', tokens.accessToken)).status, 200)
  const answer = await call('/accounts/acc-alice-checking/transactions', tokens.accessToken)
  assert.equal(answer.status, 403)
  assert.match(answer.challenge ?? '', /error="insufficient_scope"/)
  assert.match(answer.challenge ?? '', /scope="transactions\.read"/)
  assert.equal(answer.body['error'], 'insufficient_scope')
  assert.equal(answer.body['scope'], 'transactions.read')
  // Scope is checked before the account is looked up: no existence leak through 403 vs 404.
  assert.equal((await call('/accounts/acc-bob-checking/transactions', tokens.accessToken)).status, 403)
})

test('a token with neither bank scope works for /me only', async () => {
  const tokens = await signIn(['openid'])
  assert.equal((await call('/me', tokens.accessToken)).status, 200)
  const answer = await call('/accounts', tokens.accessToken)
  assert.equal(answer.status, 403)
  assert.match(answer.challenge ?? '', /scope="accounts\.read"/)
})

describe('401 answers (RFC 6750 §3.1)', () => {
  test('no token → 401 with a Bearer challenge and no error code', async () => {
    for (const authorization of [undefined, 'Basic YWxpY2U6d29uZGVybGFuZA==']) {
      const answer = await call('/accounts', undefined, authorization)
      assert.equal(answer.status, 401)
      assert.equal(answer.challenge, 'Bearer realm="Growing Tree Bank"')
    }
  })

  test('a garbage or malformed token → 401 invalid_token', async () => {
    for (const authorization of [`Bearer ${randomBytes(32).toString('base64url')}`, 'Bearer not a token', 'Bearer']) {
      const answer = await call('/me', undefined, authorization)
      assert.equal(answer.status, 401, authorization)
      assert.match(answer.challenge ?? '', /error="invalid_token"/)
      assert.equal(answer.body['error'], 'invalid_token')
    }
  })

  test('R7 a revoked token still works inside the cache window, then → 401 once it has passed', async () => {
    const tokens = await signIn()
    assert.equal((await call('/me', tokens.accessToken)).status, 200)
    await revokeToken(agent, tokens.accessToken, 'access_token')
    // Cached positive answer: documented staleness of at most cacheTtlMs.
    assert.equal((await call('/me', tokens.accessToken)).status, 200)
    clock.advance(CACHE_TTL_MS)
    const answer = await call('/me', tokens.accessToken)
    assert.equal(answer.status, 401)
    assert.match(answer.challenge ?? '', /error="invalid_token"/)
  })

  test('a token revoked before its first use is refused at once', async () => {
    const tokens = await signIn()
    await revokeToken(agent, tokens.accessToken, 'access_token')
    assert.equal((await call('/me', tokens.accessToken)).status, 401)
  })

  test('an expired token → 401 (the bank clock passes the token expiry)', async () => {
    const tokens = await signIn()
    assert.equal((await call('/me', tokens.accessToken)).status, 200)
    const saved = clock.now()
    clock.set((tokens.expiresAt ?? 0) + 1000)
    try {
      assert.equal((await call('/me', tokens.accessToken)).status, 401)
    } finally {
      clock.set(saved + CACHE_TTL_MS)
    }
  })
})

test('introspection unreachable → 503 temporarily_unavailable, not a verdict on the token', async () => {
  const down = await startBankAPI({
    issuer: running.issuer,
    introspection: { clientId: 'bank-api', clientSecret: BANK_SECRET, endpoint: 'http://127.0.0.1:1/introspect' },
  })
  try {
    const response = await fetch(`${down.url}/me`, { headers: { authorization: 'Bearer abc' } })
    assert.equal(response.status, 503)
    assert.equal(response.headers.get('www-authenticate'), null)
    assert.equal(((await response.json()) as { error: string }).error, 'temporarily_unavailable')
  } finally {
    await down.close()
  }
})

test('unknown routes → 404, other methods → 405', async () => {
  assert.equal((await call('/admin')).status, 404)
  const response = await fetch(`${bank.url}/accounts`, { method: 'POST' })
  assert.equal(response.status, 405)
  assert.equal(response.headers.get('allow'), 'GET, HEAD')
})

test('S5 every request was logged, and no token or secret appears in the logs', () => {
  const log = logLines.join('')
  assert.match(log, /"msg":"bank api request"/)
  assert.match(log, /"sub":"user-alice"/)
  assert.match(log, /"tokenFingerprint":"sha256:[0-9a-f]{8}"/)
  assert.ok(issuedTokens.length >= 10)
  for (const secret of [...issuedTokens, AGENT_SECRET, BANK_SECRET]) {
    assert.equal(log.includes(secret), false, 'a token or secret leaked into the logs')
  }
})
