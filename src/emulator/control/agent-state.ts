/**
 * @module emulator/control/agent-state
 * Control API, relay part: `GET /emulator/v1/agent-state?…` fetches the JSON the agent publishes
 * about its sign-in state (at the `agentStateUrl` the emulator was started with) and answers it on
 * the emulator's own origin, so the web page's inspector can show it under its same-origin CSP.
 * The emulator only relays: it forwards the query string, checks that the answer is JSON, and knows
 * nothing about what it means. Without `agentStateUrl` the route answers 404.
 *
 * The state names conversations, subjects and scopes, so the relay answers only a request that
 * carries the per-start `agentStateToken` as a bearer token (the page receives it in its URL
 * fragment), and forwards that token to the agent, which checks it too (security case E5). Without
 * a token configured it answers nobody (fail closed).
 *
 * | route | body | answer |
 * |---|---|---|
 * | `GET /emulator/v1/agent-state?…` | — | the agent's JSON (its status, or 502 when it is unreachable); 401 without the token |
 */
import { bearerHeader, hasBearerToken } from '../../core/bearer.ts'
import type { FetchLike } from '../../core/fetch.ts'
import type { Logger } from '../../core/logger.ts'
import { errorEnvelope, EmulatorError } from '../http/errors.ts'
import { jsonReply, type Reply } from '../http/http-io.ts'
import type { RequestContext, Router } from '../http/router.ts'

export interface AgentStateRelayOptions {
  /** The agent's state endpoint; the route answers 404 when absent. */
  agentStateUrl: string | undefined
  /** The bearer token the page must send and the agent requires; without one every request gets 401. */
  agentStateToken: string | undefined
  fetch: FetchLike
  logger: Logger
  /** Default 5000. */
  timeoutMs?: number
}

/** Registers `GET /emulator/v1/agent-state`. */
export function addAgentStateRelay(router: Router, options: AgentStateRelayOptions): void {
  router.add('GET', '/emulator/v1/agent-state', (ctx) => relay(options, ctx))
}

async function relay(options: AgentStateRelayOptions, ctx: RequestContext): Promise<Reply> {
  if (options.agentStateUrl === undefined) {
    throw new EmulatorError('NOT_FOUND', 'No agent state URL is configured (start the emulator with agentStateUrl).')
  }
  const token = options.agentStateToken ?? ''
  if (!hasBearerToken(ctx.headers.authorization, token)) {
    throw new EmulatorError('UNAUTHENTICATED', 'The agent state needs the token from the page URL.')
  }
  const target = new URL(options.agentStateUrl)
  for (const [name, value] of ctx.url.searchParams) target.searchParams.set(name, value)
  let response: Response
  let text: string
  try {
    response = await options.fetch(target, {
      headers: { accept: 'application/json', authorization: bearerHeader(token) },
      signal: AbortSignal.timeout(options.timeoutMs ?? 5_000),
    })
    // The body is read under the same timeout: a stream that fails midway is as unreachable as no answer.
    text = await response.text()
  } catch (err) {
    options.logger.warn(
      { event: 'emulator.agent-state.unreachable', err: err instanceof Error ? err.name : 'error' },
      'agent state unreachable',
    )
    return unavailable('The agent state endpoint is unreachable.')
  }
  let body: unknown
  try {
    body = JSON.parse(text)
  } catch {
    body = undefined
  }
  if (typeof body !== 'object' || body === null) return unavailable('The agent state endpoint did not answer JSON.')
  return jsonReply(body, response.ok ? 200 : 502)
}

function unavailable(message: string): Reply {
  return jsonReply(errorEnvelope(502, 'UNAVAILABLE', message), 502)
}
