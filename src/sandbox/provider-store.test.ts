import { test } from 'node:test'
import assert from 'node:assert/strict'
import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { ManualClock } from '../core/clock.ts'
import { openSQLiteDatabase } from '../index.ts'
import { openProviderStore } from './provider-store.ts'

test('provider store: find, uid lookup, single use, expiry, grant revocation, survives reopening', async (t) => {
  const dir = await mkdtemp(join(tmpdir(), 'bm-oauth-provider-store-'))
  t.after(() => rm(dir, { recursive: true, force: true }))
  const path = join(dir, 'store.sqlite')
  const clock = new ManualClock(1_800_000_000_000)
  let db = openSQLiteDatabase(path)
  let factory = await openProviderStore(db, clock)
  const codes = factory('AuthorizationCode')
  const sessions = factory('Session')
  await codes.upsert('c1', { grantId: 'g1', accountId: 'user-alice' }, 60)
  await sessions.upsert('s1', { uid: 'u1', accountId: 'user-alice' }, 3600)
  assert.equal((await codes.find('c1'))?.accountId, 'user-alice')
  assert.equal(await factory('AccessToken').find('c1'), undefined, 'models are separate')
  assert.equal((await sessions.findByUid('u1'))?.accountId, 'user-alice')

  await codes.consume('c1')
  assert.equal((await codes.find('c1'))?.consumed, 1_800_000_000)

  clock.advance(61_000)
  assert.equal(await codes.find('c1'), undefined, 'expired after its TTL')

  const tokens = factory('RefreshToken')
  await tokens.upsert('r1', { grantId: 'g2' }, 3600)
  await db.close()
  db = openSQLiteDatabase(path)
  factory = await openProviderStore(db, clock)
  assert.ok(await factory('RefreshToken').find('r1'), 'kept across a restart')
  await factory('AccessToken').upsert('a1', { grantId: 'g2' }, 3600)
  await factory('Grant').revokeByGrantId('g2')
  assert.equal(await factory('RefreshToken').find('r1'), undefined)
  assert.equal(await factory('AccessToken').find('a1'), undefined)
  await factory('Session').destroy('s1')
  assert.equal(await factory('Session').find('s1'), undefined)
  await db.close()
})
