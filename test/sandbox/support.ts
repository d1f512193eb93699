/**
 * @module test/sandbox/support
 * Plays the user against a running sandbox through the emulator's control API, with bounded waits.
 */
import type { RunningSandbox } from '../../src/sandbox/index.ts'
import {
  agentMessages,
  controlAPI,
  waitForAgentText as waitForText,
  type AgentMessage,
} from '../support/emulator-control.ts'

/** An agent message as the emulator's transcript shows it. */
export type SandboxAgentMessage = AgentMessage

/** Calls `/emulator/v1/<path>`: GET without a body, POST with one. Throws on a non-2xx answer. */
export function control<T = Record<string, unknown>>(
  sandbox: RunningSandbox,
  path: string,
  body?: unknown,
): Promise<T> {
  return controlAPI<T>(sandbox.services.emulator.url, path, body)
}

/** The agent's messages in a conversation, oldest first. */
export function agentTexts(sandbox: RunningSandbox, conversationId: string): Promise<SandboxAgentMessage[]> {
  return agentMessages(sandbox.services.emulator.url, conversationId)
}

/** Waits (at most `timeoutMs`) for an agent message matching `pattern` after the first `after` ones. */
export function waitForAgentText(
  sandbox: RunningSandbox,
  conversationId: string,
  pattern: RegExp,
  after = 0,
  timeoutMs = 15_000,
): Promise<SandboxAgentMessage> {
  return waitForText(sandbox.services.emulator.url, conversationId, pattern, after, { timeoutMs, intervalMs: 50 })
}
