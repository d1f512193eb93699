import assert from 'node:assert/strict'
import { test } from 'node:test'
import { defaultMessages, renderMessage } from './messages.ts'
import type { MessageKey } from './types.ts'

test('every message key has a short default text with no placeholder left unfilled', () => {
  for (const [key, text] of Object.entries(defaultMessages) as [MessageKey, string][]) {
    assert.ok(text.length > 0 && text.length <= 160, key)
    assert.equal(renderMessage(key), text)
    assert.doesNotMatch(text, /\{/, key)
  }
})

test('the author overrides a text, and params fill its placeholders', () => {
  const overrides = { 'signed-in': 'Welcome back, {name}! ({unknown})' }
  assert.equal(renderMessage('signed-in', { overrides, params: { name: 'Ana' } }), 'Welcome back, Ana! ({unknown})')
  assert.equal(renderMessage('signed-out', { overrides }), defaultMessages['signed-out'])
})

test('params are data, not templates: a value with braces is not expanded again', () => {
  const overrides = { 'prompt.sign-in': 'Sign in for {reason}' }
  assert.equal(renderMessage('prompt.sign-in', { overrides, params: { reason: '{reason}' } }), 'Sign in for {reason}')
  assert.equal(renderMessage('prompt.sign-in', { overrides, params: {} }), 'Sign in for {reason}')
})
