import assert from 'node:assert/strict'
import { test } from 'node:test'
import { isBmOAuthError } from '../errors.ts'
import { createFlowPolicy, DEFAULT_MAX_ATTEMPTS, DEFAULT_PENDING_TTL_MS } from './policy.ts'

test('defaults: 10-minute prompts, 3 attempts, random distinct prompt ids', () => {
  const policy = createFlowPolicy()
  assert.equal(policy.pendingTtlMs, DEFAULT_PENDING_TTL_MS)
  assert.equal(DEFAULT_PENDING_TTL_MS, 600_000)
  assert.equal(policy.maxAttempts, DEFAULT_MAX_ATTEMPTS)
  assert.notEqual(policy.newPromptId(), policy.newPromptId())
})

test('a policy that cannot work is refused up front', () => {
  for (const bad of [{ maxAttempts: 0 }, { pendingTtlMs: -1 }, { maxAttempts: 1.5 }, { pendingTtlMs: Number.NaN }]) {
    assert.throws(
      () => createFlowPolicy(bad),
      (err: unknown) => isBmOAuthError(err, 'ERR_INVALID_ARGUMENT'),
    )
  }
})
