import { describe, test } from 'node:test'
import assert from 'node:assert/strict'
import { createMemoryAdapterFactory } from './memory-adapter.ts'

describe('demo provider memory adapter', () => {
  test('E3 upsert/find, consume marks single use, expiry by TTL', async () => {
    let now = 1_000_000
    const factory = createMemoryAdapterFactory(() => now)
    const codes = factory('AuthorizationCode')
    await codes.upsert('c1', { grantId: 'g1', uid: 'u1' }, 60)
    assert.equal((await codes.find('c1'))?.grantId, 'g1')
    assert.equal((await codes.findByUid('u1'))?.grantId, 'g1')
    await codes.consume('c1')
    assert.equal(typeof (await codes.find('c1'))?.consumed, 'number')
    now += 61_000
    assert.equal(await codes.find('c1'), undefined)
  })

  test('E3 revokeByGrantId removes every model entry of that grant, and only those', async () => {
    const factory = createMemoryAdapterFactory()
    const access = factory('AccessToken')
    const refresh = factory('RefreshToken')
    await access.upsert('a1', { grantId: 'g1' }, 60)
    await refresh.upsert('r1', { grantId: 'g1' }, 60)
    await access.upsert('a2', { grantId: 'g2' }, 60)
    await access.revokeByGrantId('g1')
    assert.equal(await access.find('a1'), undefined)
    assert.equal(await refresh.find('r1'), undefined)
    assert.equal((await access.find('a2'))?.grantId, 'g2')
  })

  test('separate factories do not share state', async () => {
    const a = createMemoryAdapterFactory()('Session')
    const b = createMemoryAdapterFactory()('Session')
    await a.upsert('s', { accountId: 'x' }, 60)
    assert.equal(await b.find('s'), undefined)
  })
})

describe('demo provider memory adapter: copies and sweeps', () => {
  test('findByUserCode answers a copy: changing it does not change the stored entry', async () => {
    const codes = createMemoryAdapterFactory()('DeviceCode')
    await codes.upsert('d1', { userCode: 'ABCD-EFGH', grantId: 'g1' }, 60)
    const found = await codes.findByUserCode('ABCD-EFGH')
    assert.equal(found?.grantId, 'g1')
    found!.grantId = 'changed'
    assert.equal((await codes.findByUserCode('ABCD-EFGH'))?.grantId, 'g1')
    assert.equal((await codes.find('d1'))?.grantId, 'g1')
  })

  test('E3 the periodic sweep of expired entries keeps live entries, consumed marks and grant revocation', async () => {
    let now = 1_000_000
    const factory = createMemoryAdapterFactory(() => now)
    const codes = factory('AuthorizationCode')
    const tokens = factory('AccessToken')
    await codes.upsert('short', { grantId: 'g-old' }, 1)
    await codes.upsert('used', { grantId: 'g-live' }, 600)
    await codes.consume('used')
    await tokens.upsert('live', { grantId: 'g-live' }, 600)
    now += 2_000
    for (let i = 0; i < 600; i++) await tokens.upsert(`filler-${i}`, { grantId: `g-${i}` }, 1) // several sweeps
    assert.equal(await codes.find('short'), undefined)
    assert.equal(typeof (await codes.find('used'))?.consumed, 'number', 'a consumed live code stays consumed')
    await codes.revokeByGrantId('g-live')
    assert.equal(await codes.find('used'), undefined)
    assert.equal(await tokens.find('live'), undefined)
  })
})
