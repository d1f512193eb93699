import { test } from 'node:test'
import assert from 'node:assert/strict'
import { classifyIntent } from './intents.ts'

test('classifies what customers type', () => {
  const cases: Array<[string, string]> = [
    ['What is my balance?', 'balance'],
    ['how much money do I have', 'balance'],
    ['Show my recent transactions', 'transactions'],
    ['what did I spend', 'transactions'],
    ['When are you open?', 'hours'],
    ['opening hours', 'hours'],
    ['Where is your nearest branch?', 'branches'],
    ['contact', 'branches'],
    ['who am I', 'who-am-i'],
    ['Am I signed in?', 'who-am-i'],
    ['sign out', 'sign-out'],
    ['Log out please', 'sign-out'],
    ['signout', 'sign-out'],
    ['Hello there', 'greeting'],
    ['help', 'help'],
    ['What can I ask?', 'help'],
    ['thanks!', 'thanks'],
    ['purple elephants', 'unknown'],
  ]
  for (const [text, intent] of cases) assert.equal(classifyIntent(text), intent, text)
})

test('a tapped chip is understood by its postback data, whatever its label', () => {
  assert.equal(classifyIntent('Balance', 'balance'), 'balance')
  assert.equal(classifyIntent('Anything', 'sign-out'), 'sign-out')
  assert.equal(classifyIntent('Recent transactions', 'not-an-intent'), 'transactions')
})
