/**
 * @module flow/policy
 * Defaults for the sign-in machine's {@link FlowPolicy}, checked once when the runner is built so
 * `transition` itself never validates or reads the clock.
 */

import { InvalidArgumentError } from '../errors.ts'
import { DEFAULT_PENDING_SIGNIN_TTL_MS } from '../signin-store/pending-signins.ts'
import type { FlowPolicy } from './types.ts'

/** 10 minutes: the code lifetime OAuth 2.1 §4.1.2 recommends (P7); the pending sign-in store's default. */
export const DEFAULT_PENDING_TTL_MS = DEFAULT_PENDING_SIGNIN_TTL_MS

/**
 * Three prompts per sign-in, then a failure offers a live agent (docs/contract-decisions.md §4.4 UX
 * guidance).
 */
export const DEFAULT_MAX_ATTEMPTS = 3

/**
 * Returns a complete policy: the given fields over the defaults. Prompt ids default to random
 * UUIDs; tests pass a counter so transcripts are deterministic.
 *
 * @throws {InvalidArgumentError} when `pendingTtlMs` or `maxAttempts` is not a positive integer.
 */
export function createFlowPolicy(overrides: Partial<FlowPolicy> = {}): FlowPolicy {
  const policy: FlowPolicy = {
    pendingTtlMs: overrides.pendingTtlMs ?? DEFAULT_PENDING_TTL_MS,
    maxAttempts: overrides.maxAttempts ?? DEFAULT_MAX_ATTEMPTS,
    newPromptId: overrides.newPromptId ?? ((): string => globalThis.crypto.randomUUID()),
  }
  for (const field of ['pendingTtlMs', 'maxAttempts'] as const) {
    if (!Number.isSafeInteger(policy[field]) || policy[field] < 1) {
      throw new InvalidArgumentError(`flowPolicy.${field}`, 'a positive integer')
    }
  }
  return policy
}
