/**
 * @module test/sandbox/support
 * Plays the user against a running sandbox through the emulator's control API, with bounded waits.
 */
import { setTimeout as delay } from 'node:timers/promises'
import type { RunningSandbox } from '../../src/sandbox/index.ts'

/** An agent message as the emulator's transcript shows it. */
export interface SandboxAgentMessage {
  content: { text?: string; suggestions?: Array<Record<string, unknown>> }
}

/** Calls `/emulator/v1/<path>`: GET without a body, POST with one. Throws on a non-2xx answer. */
export async function control<T = Record<string, unknown>>(sandbox: RunningSandbox, path: string, body?: unknown): Promise<T> {
  const init: RequestInit =
    body === undefined
      ? { method: 'GET' }
      : { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) }
  const res = await fetch(`${sandbox.services.emulator.url}/emulator/v1/${path}`, init)
  const text = await res.text()
  if (!res.ok) throw new Error(`control ${path} answered ${res.status}: ${text}`)
  return JSON.parse(text) as T
}

/** The agent's messages in a conversation, oldest first. */
export async function agentTexts(sandbox: RunningSandbox, conversationId: string): Promise<SandboxAgentMessage[]> {
  const view = await control<{ transcript: Array<SandboxAgentMessage & { direction: string; kind: string }> }>(
    sandbox,
    `conversations/${conversationId}`,
  )
  return view.transcript.filter((e) => e.direction === 'agent' && e.kind === 'message')
}

/** Waits (at most `timeoutMs`) for an agent message matching `pattern` after the first `after` ones. */
export async function waitForAgentText(
  sandbox: RunningSandbox,
  conversationId: string,
  pattern: RegExp,
  after = 0,
  timeoutMs = 15_000,
): Promise<SandboxAgentMessage> {
  const deadline = Date.now() + timeoutMs
  for (;;) {
    const found = (await agentTexts(sandbox, conversationId)).slice(after).find((m) => pattern.test(m.content.text ?? ''))
    if (found !== undefined) return found
    if (Date.now() > deadline) {
      const seen = (await agentTexts(sandbox, conversationId)).map((m) => m.content.text)
      throw new Error(`timed out waiting for agent text ${pattern}; agent said: ${JSON.stringify(seen)}`)
    }
    await delay(50)
  }
}
