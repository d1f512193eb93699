import { test } from 'node:test'
import assert from 'node:assert/strict'
import { ManualClock } from '../core/clock.ts'
import { silentLogger } from '../core/logger.ts'
import { openSQLiteDatabase } from '../db/sqlite.ts'
import { createExchangeMarkers, hashAuthorizationCode } from '../signin-store/exchange-markers.ts'
import { migrateSignInStore } from '../signin-store/migrations.ts'
import { createPendingSignInStore } from '../signin-store/pending-signins.ts'
import { parseVaultKeys } from '../tokens/keyring.ts'
import { createVault } from '../tokens/seal.ts'
import { openInboxStore } from '../webhook/inbox-store.ts'
import { runMaintenance, startMaintenance } from './maintenance.ts'

const DAY = 24 * 60 * 60_000

async function stores() {
  const db = openSQLiteDatabase(':memory:')
  await migrateSignInStore(db)
  const vault = createVault(parseVaultKeys(`k1:${Buffer.alloc(32, 7).toString('base64url')}`))
  return {
    db,
    inbox: await openInboxStore(db),
    markers: createExchangeMarkers(db),
    pending: createPendingSignInStore(db, vault, { ttlMs: 10 * 60_000 }),
  }
}

test('S8/W11 maintenance keeps markers through the 7-day redelivery horizon and purges them after', async () => {
  const s = await stores()
  const t0 = Date.parse('2026-01-01T00:00:00Z')
  assert.equal(await s.markers.claim(hashAuthorizationCode('code-1'), t0), true)
  await runMaintenance(s, t0 + 7 * DAY)
  assert.equal(await s.markers.claim(hashAuthorizationCode('code-1'), t0 + 7 * DAY), false, 'still refused on day 7')
  const later = await runMaintenance(s, t0 + 30 * DAY)
  assert.equal(later.markers, 1)
  await s.db.close()
})

test('S8 maintenance drops pending sign-ins only a grace period after they expired', async () => {
  const s = await stores()
  const t0 = Date.parse('2026-01-01T00:00:00Z')
  await s.pending.put(
    {
      channel: 'business-messages',
      agent: 'brands/1/agents/2',
      conversation: 'c1',
      provider: 'p',
      codeVerifier: 'v'.repeat(43),
      scopes: ['openid'],
    },
    t0,
  )
  assert.equal((await runMaintenance(s, t0 + 60 * 60_000)).pendingSignIns, 0, 'expired an hour ago: kept')
  assert.equal((await runMaintenance(s, t0 + 2 * DAY)).pendingSignIns, 1)
  await s.db.close()
})

test('startMaintenance runs a pass at once and stops cleanly', async () => {
  const s = await stores()
  const clock = new ManualClock(Date.parse('2026-01-01T00:00:00Z') + 30 * DAY)
  await s.markers.claim(hashAuthorizationCode('old'), Date.parse('2026-01-01T00:00:00Z'))
  const running = startMaintenance(s, { clock, logger: silentLogger, intervalMs: 60_000 })
  await running.stop()
  assert.equal(await s.markers.claim(hashAuthorizationCode('old'), clock.now()), true, 'the old marker was purged')
  await s.db.close()
})
