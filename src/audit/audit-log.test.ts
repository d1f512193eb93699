import assert from 'node:assert/strict'
import { test } from 'node:test'
import { openSQLiteDatabase } from '../db/sqlite.ts'
import { createAuditLog, describeAuditLog, migrateAuditLog, redactURL } from './audit-log.ts'

test('paths lose their query and identifier-like segments; the origin stays', () => {
  assert.deepEqual(redactURL('https://api.bank.example/accounts/12345/balance?token=x'), {
    origin: 'https://api.bank.example',
    path: '/accounts/:id/balance',
  })
  assert.deepEqual(
    redactURL('https://api.bank.example/v1/users/3f2a9c1e-8d4b-4c6a-9e1f-0a2b3c4d5e6f/me').path,
    '/v1/users/:id/me',
  )
  assert.equal(redactURL('https://api.bank.example/cards/AbCdEfGhIjKlMnOpQrStUv').path, '/cards/:id')
  assert.equal(redactURL('https://api.bank.example/me').path, '/me')
})

test('record, list newest first, erase to one fingerprint entry, purge by age', async () => {
  const db = openSQLiteDatabase(':memory:')
  await migrateAuditLog(db)
  const log = createAuditLog(db)
  const key = { channel: 'business-messages', agent: 'brands/1/agents/2', conversation: 'conv-1' }
  const other = { ...key, conversation: 'conv-2' }
  await log.record(key, { kind: 'grant', at: 1000, event: 'granted', scopes: ['openid'] })
  const access = {
    kind: 'access',
    at: 2000,
    origin: 'https://api.bank.example',
    path: '/me',
    method: 'GET',
    purpose: 'read balance',
    scopes: ['openid'],
    outcome: '200',
  } as const
  await log.record(key, access)
  await log.record(other, { kind: 'grant', at: 1500, event: 'granted', scopes: [] })
  assert.deepEqual(await log.list(key), [access, { kind: 'grant', at: 1000, event: 'granted', scopes: ['openid'] }])
  assert.equal((await log.list(key, { limit: 1 })).length, 1)
  assert.equal(await log.erase(key, 3000), 2)
  assert.deepEqual(await log.list(key), [])
  assert.equal((await log.list(other)).length, 1, 'other conversations keep theirs')
  assert.equal(await log.purgeOlderThan(2500), 1, 'the other conversation’s old entry goes; the erasure record stays')
  const { rows } = await db.query<{ kind: string }>('SELECT kind FROM bm_audit_log')
  assert.deepEqual(
    rows.map((r) => r.kind),
    ['erased'],
  )
  await db.close()
})

test('described for the user, newest first, in plain words', () => {
  assert.equal(describeAuditLog([]), 'I have not used your account access yet.')
  const text = describeAuditLog([
    {
      kind: 'access',
      at: Date.UTC(2026, 11, 4, 9, 30),
      origin: 'https://api.bank.example',
      path: '/me',
      method: 'GET',
      purpose: 'read balance',
      scopes: [],
      outcome: '200',
    },
    { kind: 'grant', at: Date.UTC(2026, 11, 4, 9, 29), event: 'granted', scopes: [] },
  ])
  assert.equal(
    text,
    [
      'What I did with your account access, newest first:',
      '4 Dec 2026, 09:30 UTC: read balance (GET https://api.bank.example/me, 200)',
      '4 Dec 2026, 09:29 UTC: access granted by you',
    ].join('\n'),
  )
})
