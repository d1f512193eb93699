/**
 * @module test/support/emulator-control
 * The emulator's control API (`/emulator/v1/…`) as the suites use it to play the user and read the
 * transcript: one JSON call, the agent's messages of a conversation, and a bounded wait for an agent
 * message matching a pattern.
 */
import { waitFor, type WaitOptions } from './wait.ts'

/** HTTP methods of the control API. */
export type ControlMethod = 'GET' | 'POST' | 'PATCH' | 'DELETE'

/**
 * Calls `${emulatorUrl}/emulator/v1/<path>` (a leading `/` in `path` is optional) and returns the
 * parsed JSON answer. Without `method`: GET without a body, POST with one. Throws on a non-2xx answer.
 */
export async function controlAPI<T = Record<string, unknown>>(
  emulatorUrl: string,
  path: string,
  body?: unknown,
  method: ControlMethod = body === undefined ? 'GET' : 'POST',
): Promise<T> {
  const init: RequestInit =
    body === undefined
      ? { method }
      : { method, headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) }
  const res = await fetch(`${emulatorUrl}/emulator/v1/${path.replace(/^\//, '')}`, init)
  const text = await res.text()
  if (!res.ok) throw new Error(`control ${method} ${path} answered ${res.status}: ${text}`)
  return (text === '' ? undefined : JSON.parse(text)) as T
}

/** An agent message as the emulator's transcript shows it. */
export interface AgentMessage {
  name?: string
  content: {
    text?: string
    fallback?: string
    messageId?: string
    suggestions?: Array<
      Record<string, { oauth?: { codeChallenge: string; codeChallengeMethod?: string; scopes: string[] } }>
    >
  }
}

/** The agent's messages in a conversation, oldest first (from the emulator's transcript). */
export async function agentMessages(emulatorUrl: string, conversationId: string): Promise<AgentMessage[]> {
  const view = await controlAPI<{ transcript: Array<AgentMessage & { direction: string; kind: string }> }>(
    emulatorUrl,
    `conversations/${conversationId}`,
  )
  return view.transcript.filter((e) => e.direction === 'agent' && e.kind === 'message')
}

/**
 * Waits (bounded) for an agent message whose text matches `pattern`, sent after the first `after`
 * messages. On timeout the error lists what the agent did say.
 */
export function waitForAgentText(
  emulatorUrl: string,
  conversationId: string,
  pattern: RegExp,
  after = 0,
  options: WaitOptions = {},
): Promise<AgentMessage> {
  return waitFor(
    async () => {
      const seen = (await agentMessages(emulatorUrl, conversationId)).map((m) => m.content.text)
      return `agent text ${pattern}; agent said: ${JSON.stringify(seen)}`
    },
    async () =>
      (await agentMessages(emulatorUrl, conversationId)).slice(after).find((m) => pattern.test(m.content.text ?? '')),
    options,
  )
}
