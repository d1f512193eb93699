/**
 * The agent-operations commands end to end, in-process through `runCLI`, against real parts: the
 * emulator (BM API + control API transcript), the strict OIDC provider, SQLite temp files and a
 * throwaway PostgreSQL. Covers send-auth-request, signins list/revoke, rekey, keys generate and
 * configuration errors.
 */
import { after, before, describe, test } from 'node:test'
import assert from 'node:assert/strict'
import { randomBytes } from 'node:crypto'
import { mkdtemp, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { startEmulator } from '../../src/emulator/index.ts'
import type { RunningEmulator } from '../../src/emulator/index.ts'
import { OAuthProtocolError, calculateS256Challenge, fetchUserInfo, resolveProvider } from '../../src/oauth/index.ts'
import {
  createPendingSignInStore,
  createSQLTokenStore,
  createVault,
  generateVaultKey,
  parseVaultKeys,
} from '../../src/stores/index.ts'
import { openSQLiteDatabase } from '../../src/index.ts'
import type { OAuthProvider } from '../../src/oauth/index.ts'
import { loadConfig } from '../../src/ops/config.ts'
import { SQLITE_NOTICE, openStores } from '../../src/ops/stores.ts'
import { sharedPostgres } from '../support/postgres.ts'
import { startStrictProvider } from '../support/strict-provider.ts'
import type { RunningProvider } from '../support/strict-provider.ts'
import { control, run, signInAtProvider } from './ops-support.ts'

const postgres = sharedPostgres()
const SECRET = `secret-${randomBytes(12).toString('hex')}`
const KEY_A = generateVaultKey({ keyId: 'key-a' })
const KEY_B = generateVaultKey({ keyId: 'key-b' })

let dir: string
let emulator: RunningEmulator
let idp: RunningProvider
let provider: OAuthProvider
let env: Record<string, string>

before(async () => {
  dir = await mkdtemp(join(tmpdir(), 'bm-oauth-ops-'))
  emulator = await startEmulator({ port: 0, dataDir: join(dir, 'emulator') })
  idp = await startStrictProvider({ clients: [{ clientId: 'bm-agent', clientSecret: SECRET }] })
  provider = await resolveProvider(
    {
      provider: { issuer: idp.issuer },
      client: { clientId: 'bm-agent', clientSecret: SECRET, tokenEndpointAuthMethod: 'client_secret_basic' },
    },
    { allowInsecureLoopback: true },
  )
  env = {
    BM_OAUTH_GOOGLE_BASE_URL: emulator.url,
    BM_OAUTH_KEY_FILE: emulator.keyFilePath,
    BM_OAUTH_AGENT: emulator.agentName,
    BM_OAUTH_ISSUER: idp.issuer,
    BM_OAUTH_LOCAL: '1',
    BM_OAUTH_CLIENT_ID: 'bm-agent',
    BM_OAUTH_CLIENT_SECRET: SECRET,
    BM_OAUTH_SQLITE_PATH: join(dir, 'store', 'agent.sqlite'),
    BM_OAUTH_VAULT_KEYS: KEY_A,
  }
})
after(async () => {
  await idp?.close()
  await emulator?.close()
  await rm(dir, { recursive: true, force: true })
})

async function openConversation(): Promise<string> {
  return (await control(emulator.url, 'POST', '/conversations', {})).conversationId as string
}

describe('send-auth-request', () => {
  test('sends exactly one message with the S256 chip and stores the sealed verifier behind its challenge', async () => {
    const conversation = await openConversation()
    const out = await run(
      [
        'send-auth-request',
        '--conversation',
        conversation,
        '--client-id',
        'bm-agent',
        '--scope',
        'openid',
        '--scope',
        'offline_access',
      ],
      env,
    )
    assert.equal(out.code, 0, out.stderr)
    assert.match(out.stdout, new RegExp(`message: +conversations/${conversation}/messages/\\S+`))
    assert.match(out.stdout, /never printed/)
    assert.ok(
      out.stderr.includes(SQLITE_NOTICE),
      'the embedded store announces itself (first store use in this process)',
    )

    const view = await control(emulator.url, 'GET', `/conversations/${conversation}`)
    const sent = view.transcript.filter(
      (e: { direction: string; kind: string }) => e.direction === 'agent' && e.kind === 'message',
    )
    assert.equal(sent.length, 1)
    const message = sent[0].content
    assert.equal(message.representative.representativeType, 'BOT')
    assert.equal(typeof message.text, 'string')
    assert.equal(typeof message.fallback, 'string')
    const oauth = message.suggestions[0].authenticationRequest.oauth
    assert.deepEqual(
      { clientId: oauth.clientId, codeChallengeMethod: oauth.codeChallengeMethod, scopes: oauth.scopes },
      { clientId: 'bm-agent', codeChallengeMethod: 'S256', scopes: ['openid', 'offline_access'] },
    )

    const db = openSQLiteDatabase(env.BM_OAUTH_SQLITE_PATH!)
    try {
      const pending = await createPendingSignInStore(db, createVault(parseVaultKeys(KEY_A))).get(
        { channel: 'business-messages', agent: emulator.agentName, conversation },
        Date.now(),
      )
      assert.ok(pending)
      assert.equal(pending.provider, idp.issuer)
      assert.deepEqual(pending.scopes, ['openid', 'offline_access'])
      assert.equal(calculateS256Challenge(pending.codeVerifier), oauth.codeChallenge)
      assert.ok(!out.stdout.includes(pending.codeVerifier) && !out.stderr.includes(pending.codeVerifier))
      const raw = await db.query<{ sealed: Uint8Array }>(
        'SELECT sealed FROM bm_pending_signins WHERE conversation = $1',
        [conversation],
      )
      assert.ok(!Buffer.from(raw.rows[0]!.sealed).includes(pending.codeVerifier), 'verifier is sealed at rest')
    } finally {
      await db.close()
    }
  })

  test('uses the configured client id and scopes; --json output carries no verifier', async () => {
    const conversation = await openConversation()
    const out = await run(['send-auth-request', '--conversation', conversation, '--json', '--text', 'Please sign in'], {
      ...env,
      BM_OAUTH_SCOPES: 'openid profile',
    })
    assert.equal(out.code, 0, out.stderr)
    const result = JSON.parse(out.stdout)
    assert.equal(result.codeChallengeMethod, 'S256')
    assert.deepEqual(result.scopes, ['openid', 'profile'])
    assert.equal(result.verifierStored, true)
    assert.equal(
      Object.keys(result).some((k) => /verifier$/i.test(k) && k !== 'verifierStored'),
      false,
    )
    const view = await control(emulator.url, 'GET', `/conversations/${conversation}`)
    assert.equal(view.transcript.at(-1).content.text, 'Please sign in')
  })

  test('without BM_OAUTH_VAULT_KEYS nothing is sent and the error (exit 2) says how to make a key', async () => {
    const conversation = await openConversation()
    const out = await run(['send-auth-request', '--conversation', conversation, '--scope', 'openid'], {
      ...env,
      BM_OAUTH_VAULT_KEYS: '',
    })
    assert.equal(out.code, 2)
    assert.match(out.stderr, /BM_OAUTH_VAULT_KEYS.*keys generate/)
    const view = await control(emulator.url, 'GET', `/conversations/${conversation}`)
    assert.equal(view.transcript.filter((e: { direction: string }) => e.direction === 'agent').length, 0)
  })
})

describe('signins list and revoke', () => {
  test('list shows grants and pending sign-ins without secrets; revoke revokes at the provider and deletes', async () => {
    const conversation = await openConversation()
    const tokens = await signInAtProvider(provider, ['openid', 'offline_access', 'profile'])
    assert.ok(tokens.refreshToken)
    const stores = await openStores(await loadConfig({ env }))
    const key = { channel: 'business-messages', agent: emulator.agentName, conversation, provider: idp.issuer }
    await stores.tokens.put(key, {
      subject: tokens.idTokenClaims?.sub ?? 'unknown',
      tokens: {
        accessToken: tokens.accessToken,
        refreshToken: tokens.refreshToken,
        scopes: (tokens.scope ?? 'openid').split(' '),
        ...(tokens.expiresAt === undefined ? {} : { expiresAt: tokens.expiresAt }),
      },
    })
    await stores.pendingSignIns.put(
      {
        channel: 'business-messages',
        agent: emulator.agentName,
        conversation,
        provider: idp.issuer,
        scopes: ['openid'],
        codeVerifier: 'v'.repeat(43),
      },
      Date.now(),
    )
    const auditKey = { channel: 'business-messages', agent: emulator.agentName, conversation }
    await stores.audit.record(auditKey, { kind: 'grant', at: Date.now(), event: 'granted', scopes: ['openid'] })
    await stores.close()

    const audited = await run(['audit', '--conversation', conversation], { ...env, BM_OAUTH_VAULT_KEYS: '' })
    assert.equal(audited.code, 0, audited.stderr)
    const badLimit = await run(['audit', '--conversation', conversation, '--limit', 'lots'], env)
    assert.equal(badLimit.code, 2, 'a bad --limit is a usage error')
    assert.match(badLimit.stderr, /--limit: a whole number from 1 to 1000/)
    assert.match(audited.stdout, /^What I did with your account access, newest first:\n.* UTC: access granted by you$/m)

    const listed = await run(['signins', 'list', '--conversation', conversation, '--json'], {
      ...env,
      BM_OAUTH_VAULT_KEYS: '',
    })
    assert.equal(listed.code, 0, listed.stderr)
    const rows = JSON.parse(listed.stdout).signins as Array<Record<string, unknown>>
    assert.deepEqual(rows.map((r) => r['status']).sort(), ['active', 'pending'])
    const active = rows.find((r) => r['status'] === 'active')!
    assert.equal(active['subject'], tokens.idTokenClaims?.sub)
    assert.equal(active['provider'], idp.issuer)
    for (const secret of [tokens.accessToken, tokens.refreshToken, 'v'.repeat(43)])
      assert.ok(!listed.stdout.includes(secret))
    const human = await run(['signins', 'list'], env)
    assert.match(human.stdout, new RegExp(`${conversation}\\t${idp.issuer}`))

    const revoked = await run(['signins', 'revoke', '--conversation', conversation, '--json'], env)
    assert.equal(revoked.code, 0, revoked.stderr + revoked.stdout)
    const report = JSON.parse(revoked.stdout)
    assert.deepEqual(
      report.grants.map((g: Record<string, unknown>) => [g['revocation'], g['deletedLocally']]),
      [['revoked', true]],
    )
    assert.equal(report.pendingSignInDeleted, true)
    assert.equal(report.auditEntriesErased, 1, 'the access log went with the grant')
    const auditAfter = await run(['audit', '--conversation', conversation, '--json'], {
      ...env,
      BM_OAUTH_VAULT_KEYS: '',
    })
    assert.deepEqual(JSON.parse(auditAfter.stdout).entries, [])
    await assert.rejects(
      fetchUserInfo(provider, tokens.accessToken),
      (err) => err instanceof OAuthProtocolError && err.error === 'invalid_token',
    )
    const after = await run(['signins', 'list', '--conversation', conversation, '--json'], env)
    assert.deepEqual(JSON.parse(after.stdout).signins, [])
  })

  test('revoke with the provider unreachable still deletes locally, says so, and exits 1', async () => {
    const conversation = await openConversation()
    const downIssuer = 'http://127.0.0.1:9' // discard port: nothing listens
    const downEnv = { ...env, BM_OAUTH_ISSUER: downIssuer }
    const stores = await openStores(await loadConfig({ env: downEnv }))
    await stores.tokens.put(
      { channel: 'business-messages', agent: emulator.agentName, conversation, provider: downIssuer },
      { subject: 'alice', tokens: { accessToken: 'at-unreachable', scopes: ['openid'] } },
    )
    await stores.close()
    const out = await run(['signins', 'revoke', '--conversation', conversation], downEnv)
    assert.equal(out.code, 1)
    assert.match(out.stdout, /NOT revoked: provider unreachable.*deleted locally/)
    assert.doesNotMatch(out.stdout + out.stderr, /at-unreachable/)
    const listed = await run(['signins', 'list', '--conversation', conversation, '--json'], downEnv)
    assert.deepEqual(JSON.parse(listed.stdout).signins, [])
  })
})

describe('rekey', () => {
  test('PostgreSQL: moves every row to the new key, after which the old key can be dropped', async (t) => {
    const cluster = await postgres
    if ('skip' in cluster) return t.skip(cluster.skip)
    const pgEnv = { ...env, BM_OAUTH_SQLITE_PATH: '', BM_OAUTH_DATABASE_URL: await cluster.createDatabase('ops_rekey') }
    const tokenKey = {
      channel: 'business-messages',
      agent: emulator.agentName,
      conversation: 'rekey-1',
      provider: idp.issuer,
    }
    const stores = await openStores(await loadConfig({ env: pgEnv }))
    await stores.tokens.put(tokenKey, {
      subject: 'alice',
      tokens: { accessToken: 'at-rekey', refreshToken: 'rt-rekey', scopes: ['openid'] },
    })
    await stores.pendingSignIns.put(
      {
        channel: 'business-messages',
        agent: emulator.agentName,
        conversation: 'rekey-2',
        provider: idp.issuer,
        scopes: ['openid'],
        codeVerifier: 'w'.repeat(43),
      },
      Date.now(),
    )
    await stores.close()

    const rotated = { ...pgEnv, BM_OAUTH_VAULT_KEYS: `${KEY_B},${KEY_A}` }
    const out = await run(['rekey', '--batch-size', '1', '--json'], rotated)
    assert.equal(out.code, 0, out.stderr + out.stdout)
    const report = JSON.parse(out.stdout)
    assert.deepEqual(
      { rekeyed: report.rekeyed, failed: report.failed, remaining: report.remaining },
      { rekeyed: 2, failed: 0, remaining: 0 },
    )
    assert.equal(report.activeKeyId, 'key-b')

    const onlyNew = await openStores(await loadConfig({ env: { ...pgEnv, BM_OAUTH_VAULT_KEYS: KEY_B } }))
    try {
      const record = await onlyNew.tokens.get(tokenKey)
      assert.equal(record?.status === 'active' && record.tokens.refreshToken, 'rt-rekey')
      const pending = await onlyNew.pendingSignIns.get(
        { channel: 'business-messages', agent: emulator.agentName, conversation: 'rekey-2' },
        Date.now(),
      )
      assert.equal(pending?.codeVerifier, 'w'.repeat(43))
    } finally {
      await onlyNew.close()
    }
    const again = await run(['rekey'], { ...pgEnv, BM_OAUTH_VAULT_KEYS: KEY_B })
    assert.equal(again.code, 0)
    assert.match(again.stdout, /rekeyed: +0/)
    assert.match(again.stdout, /old keys can be removed/)
  })

  test('rows under a key that is not listed are reported as failed and remaining (exit 1)', async () => {
    const path = join(dir, 'unlisted.sqlite')
    const db = openSQLiteDatabase(path)
    const stores = await openStores(await loadConfig({ env: { ...env, BM_OAUTH_SQLITE_PATH: path } }))
    await stores.close()
    await createSQLTokenStore(db, createVault(parseVaultKeys(generateVaultKey({ keyId: 'lost' })))).put(
      { channel: 'business-messages', agent: emulator.agentName, conversation: 'lost-1', provider: idp.issuer },
      { tokens: { accessToken: 'at-lost', scopes: [] } },
    )
    await db.close()
    const out = await run(['rekey'], { ...env, BM_OAUTH_SQLITE_PATH: path })
    assert.equal(out.code, 1)
    assert.match(out.stdout, /failed: +1/)
    assert.match(out.stdout, /remaining: +1/)
  })
})

describe('keys generate and rekey --help', () => {
  test('keys generate prints one vault key line that the keyring accepts', async () => {
    const out = await run(['keys', 'generate'], {})
    assert.equal(out.code, 0)
    assert.match(out.stdout, /^k-\d{8}-[0-9a-f]{4}:[A-Za-z0-9_-]{43}\n$/)
    assert.equal(parseVaultKeys(out.stdout.trim()).keyIds.length, 1)
  })

  test('rekey --help explains the rotation procedure', async () => {
    const out = await run(['rekey', '--help'], {})
    assert.equal(out.code, 0)
    assert.match(out.stdout, /keys generate[\s\S]*FIRST[\s\S]*bm-oauth rekey[\s\S]*Remove the old entry/)
  })
})

describe('configuration errors', () => {
  test('exit 2, the field and its source named, no secret echoed', async () => {
    const port = await run(['signins', 'list'], { ...env, BM_OAUTH_WEBHOOK_PORT: 'SECRET-PORT' })
    assert.equal(port.code, 2)
    assert.match(port.stderr, /webhook\.port.*BM_OAUTH_WEBHOOK_PORT/)
    assert.doesNotMatch(port.stderr, /SECRET/)

    const file = join(dir, 'bad.json')
    await writeFile(
      file,
      JSON.stringify({
        client: { clientId: 'x', clientSecret: 'SECRET-in-file', tokenEndpointAuthMethod: 'SECRET-method' },
      }),
    )
    const bad = await run(['signins', 'list', '--config', file, '--json'], { ...env, BM_OAUTH_CLIENT_SECRET: '' })
    assert.equal(bad.code, 2)
    const error = JSON.parse(bad.stderr).error
    assert.equal(error.code, 'ERR_CONFIG')
    assert.match(error.message, /client\.tokenEndpointAuthMethod/)
    assert.doesNotMatch(bad.stderr, /SECRET/)

    await writeFile(file, JSON.stringify({ vaultKeys: KEY_A }))
    const inFile = await run(['rekey', '--config', file], env)
    assert.equal(inFile.code, 2)
    assert.match(inFile.stderr, /vaultKeys.*BM_OAUTH_VAULT_KEYS/)
    assert.ok(!inFile.stderr.includes(KEY_A.split(':')[1]!))

    const vault = await run(['rekey'], { ...env, BM_OAUTH_VAULT_KEYS: 'k1:SECRET-short' })
    assert.equal(vault.code, 2)
    assert.match(vault.stderr, /BM_OAUTH_VAULT_KEYS/)
    assert.doesNotMatch(vault.stderr, /SECRET/)
  })
})
