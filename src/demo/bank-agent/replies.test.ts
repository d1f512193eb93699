import { test } from 'node:test'
import assert from 'node:assert/strict'
import { balanceText, formatAmount, transactionsText, welcomeText, whoAmIText, type AccountJSON } from './replies.ts'

const ACCOUNTS: AccountJSON[] = [
  {
    id: 's',
    name: 'Savings',
    type: 'savings',
    maskedNumber: '•••• 9034',
    currentBalance: { minorUnits: 1_250_000, currency: 'USD' },
  },
  {
    id: 'c',
    name: 'Everyday Checking',
    type: 'checking',
    maskedNumber: '•••• 4821',
    currentBalance: { minorUnits: 254_310, currency: 'USD' },
  },
]

test('money is formatted from minor units', () => {
  assert.equal(formatAmount({ minorUnits: 254_310, currency: 'USD' }), '$2,543.10')
  assert.equal(formatAmount({ minorUnits: -450, currency: 'USD' }), '-$4.50')
  assert.equal(formatAmount({ minorUnits: 1234, currency: 'JPY' }), '¥1,234')
})

test('the balance answer leads with the checking account', () => {
  assert.equal(
    balanceText(ACCOUNTS, { minorUnits: 249_810, currency: 'USD' }),
    'Your Everyday Checking balance is $2,543.10 (available $2,498.10). Savings: $12,500.00.',
  )
  assert.match(balanceText([]), /couldn't find any accounts/)
})

test('transactions are listed one per line with UTC dates', () => {
  const text = transactionsText(ACCOUNTS[1]!, [
    {
      bookedAt: '2026-07-07T10:00:00Z',
      description: 'Cheshire Coffee Co.',
      amount: { minorUnits: -450, currency: 'USD' },
    },
  ])
  assert.equal(text, 'Recent transactions on your Everyday Checking (•••• 4821):\n• Jul 7: Cheshire Coffee Co., -$4.50')
  assert.match(transactionsText(ACCOUNTS[1]!, []), /no recent transactions/)
})

test('welcome and who-am-i texts', () => {
  assert.match(welcomeText('Alice'), /^Welcome to Growing Tree Bank, Alice! /)
  assert.match(welcomeText(undefined), /^Welcome to Growing Tree Bank! /)
  assert.equal(
    whoAmIText('Alice Liddell', 'user-alice', ['openid', 'accounts.read']),
    "You're signed in as Alice Liddell (user id user-alice). I may read: openid, accounts.read.",
  )
})
