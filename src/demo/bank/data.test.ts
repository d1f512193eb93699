import { test } from 'node:test'
import assert from 'node:assert/strict'
import { balanceOf, findAccount, findCustomer, listAccounts, recentTransactions } from './data.ts'

const NOW = Date.parse('2026-03-14T15:09:26.535Z')

test('alice and bob each have named accounts; an unknown user has none', () => {
  const alice = listAccounts('user-alice')
  assert.deepEqual(
    alice.map((a) => a.name),
    ['Everyday Checking', 'Savings'],
  )
  assert.ok(listAccounts('user-bob').length >= 2)
  assert.deepEqual(listAccounts('user-nobody'), [])
  assert.equal(findCustomer('user-alice')?.displayName, 'Alice Liddell')
  for (const account of [...alice, ...listAccounts('user-bob')]) assert.match(account.maskedNumber, /^•••• \d{4}$/)
})

test('an account of another user is not found, exactly like a missing one', () => {
  const bobs = listAccounts('user-bob')[0]
  assert.ok(bobs)
  assert.equal(findAccount('user-alice', bobs.id), undefined)
  assert.equal(balanceOf('user-alice', bobs.id, NOW), undefined)
  assert.equal(recentTransactions('user-alice', bobs.id, NOW), undefined)
  assert.equal(balanceOf('user-alice', 'acc-missing', NOW), undefined)
})

test('balances are integers in minor units with a currency', () => {
  const balance = balanceOf('user-alice', 'acc-alice-checking', NOW)
  assert.deepEqual(balance?.current, { minorUnits: 254_310, currency: 'USD' })
  assert.ok(Number.isInteger(balance?.available.minorUnits))
  assert.equal(balance?.asOf, '2026-03-14T15:09:00.000Z')
})

test('5–10 transactions per account, newest first, dated relative to the clock and never in the future', () => {
  for (const sub of ['user-alice', 'user-bob']) {
    for (const account of listAccounts(sub)) {
      const txs = recentTransactions(sub, account.id, NOW) ?? []
      assert.ok(txs.length >= 5 && txs.length <= 10, `${account.id} has ${txs.length}`)
      const times = txs.map((t) => Date.parse(t.bookedAt))
      assert.deepEqual(
        times,
        [...times].sort((a, b) => b - a),
      )
      assert.ok(times.every((t) => t <= NOW && t > NOW - 90 * 24 * 3600_000))
      assert.equal(new Set(txs.map((t) => t.id)).size, txs.length)
      assert.ok(txs.every((t) => t.accountId === account.id && Number.isInteger(t.amount.minorUnits)))
    }
  }
  const later = recentTransactions('user-alice', 'acc-alice-checking', NOW + 86_400_000) ?? []
  const first = recentTransactions('user-alice', 'acc-alice-checking', NOW) ?? []
  assert.equal(Date.parse(later[0]?.bookedAt ?? '') - Date.parse(first[0]?.bookedAt ?? ''), 86_400_000)
})

test('deterministic, and limit keeps the newest', () => {
  assert.deepEqual(
    recentTransactions('user-bob', 'acc-bob-checking', NOW),
    recentTransactions('user-bob', 'acc-bob-checking', NOW),
  )
  const two = recentTransactions('user-bob', 'acc-bob-checking', NOW, 2) ?? []
  assert.deepEqual(two, (recentTransactions('user-bob', 'acc-bob-checking', NOW) ?? []).slice(0, 2))
})
