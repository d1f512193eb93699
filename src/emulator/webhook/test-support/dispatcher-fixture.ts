/**
 * @module emulator/webhook/test-support/dispatcher-fixture
 * Builds a dispatcher on an in-memory (or given) SQLite database with a ManualClock, deterministic
 * jitter and a recording webhook, and registers cleanup on the test context. Test-only.
 */
import { DatabaseSync } from 'node:sqlite'
import type { TestContext } from 'node:test'
import { ManualClock } from '../../../core/clock.ts'
import { WebhookDispatcher, type DispatcherOptions, type WebhookTarget } from '../dispatcher.ts'
import { startTestWebhook, type TestWebhook } from './webhook-server.ts'
import { waitFor } from '../../../../test/support/wait.ts'

export { recordingLogger } from '../../test-support/harness.ts'

export const AGENT = 'brands/1111/agents/2222'
export const SIGNING_KEY = 'SJENCPGJESMGUFPY'

export interface DispatcherFixture {
  hook: TestWebhook
  db: DatabaseSync
  clock: ManualClock
  dispatcher: WebhookDispatcher
  /** agent name → target; edit to reconfigure. */
  targets: Map<string, WebhookTarget>
}

export async function setUpDispatcher(
  t: TestContext,
  options: Partial<DispatcherOptions> & { dbPath?: string; clock?: ManualClock } = {},
): Promise<DispatcherFixture> {
  const hook = await startTestWebhook()
  const db = options.db ?? new DatabaseSync(options.dbPath ?? ':memory:')
  const clock = options.clock ?? new ManualClock()
  const targets = new Map<string, WebhookTarget>([[AGENT, { url: hook.url, signingKey: SIGNING_KEY }]])
  const dispatcher = new WebhookDispatcher({
    random: () => 0.5,
    timeoutMs: 2_000,
    ...options,
    db,
    clock,
    resolveTarget: (agent) => targets.get(agent),
  })
  t.after(async () => {
    await dispatcher.stop()
    await hook.close()
    if (db.isOpen) db.close()
  })
  return { hook, db, clock, dispatcher, targets }
}

/** A UserMessage-shaped payload with the given requestId. */
export function samplePayload(requestId: string, text = 'Add 5 credits'): Record<string, unknown> {
  return {
    agent: AGENT,
    conversationId: '3333',
    customAgentId: 'oauth',
    requestId,
    message: {
      messageId: `m-${requestId}`,
      name: `conversations/3333/messages/m-${requestId}`,
      text,
      createTime: '2020-10-02T15:05:23.045123456Z',
    },
    context: {
      entryPoint: 'PLACESHEET',
      userInfo: { displayName: 'Michael', userDeviceLocale: 'en' },
      resolvedLocale: 'en',
    },
    sendTime: '2020-10-02T15:05:24.045123456Z',
  }
}

/** Polls `predicate` every 10 ms until it holds (bounded by `timeoutMs`). */
export async function waitUntil(predicate: () => boolean, timeoutMs = 5_000): Promise<void> {
  await waitFor('a condition', () => (predicate() ? true : undefined), { timeoutMs, intervalMs: 10 })
}
