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

/** The per-start agent-state token the sandbox put in its page URL's fragment. */
export function agentStateToken(sandbox: RunningSandbox): string {
  const token = new URLSearchParams(new URL(sandbox.url).hash.slice(1)).get('agentStateToken')
  if (token === null) throw new Error(`no agentStateToken in ${sandbox.url}`)
  return token
}

/** `GET <url>` with `token` as the bearer token (`undefined`: no Authorization header). */
export async function getWithBearer(url: string, token: string | undefined): Promise<Response> {
  return fetch(url, token === undefined ? {} : { headers: { authorization: `Bearer ${token}` } })
}

/** The agent's sign-in state through the emulator's relay, as the page asks for it. Throws on a non-2xx answer. */
export async function agentState<T>(sandbox: RunningSandbox, query: string): Promise<T> {
  const res = await getWithBearer(
    `${sandbox.services.emulator.url}/emulator/v1/agent-state?${query}`,
    agentStateToken(sandbox),
  )
  const text = await res.text()
  if (!res.ok) throw new Error(`agent-state answered ${res.status}: ${text}`)
  return JSON.parse(text) as T
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
