/**
 * @module sandbox/agent-server
 * The demo agent's HTTP front: the production host ({@link createAgentHost}, docs/operations.md)
 * with one extra route, `GET /agent-state?conversation=` (the agent's token-free sign-in state, for
 * the inspector; only with the per-start bearer token the sandbox hands to the emulator's relay and
 * the page, security case E5). It listens before the agent exists, because the emulator needs the
 * webhook URL to start and the agent needs the emulator's keys; requests that arrive in between
 * (the emulator's verification handshake, deliveries left from the last run) wait for the agent
 * (up to 30 s, then 503: Google retries) instead of being refused.
 */
import { hasBearerToken } from '../core/bearer.ts'
import type { HTTPResponse, Route } from '../core/route.ts'
import { createAgentHost, type Logger, type SignInAgent } from '../index.ts'
import type { AgentStateReader } from './agent-state.ts'

/** Where the sandbox mounts the agent's webhook (the emulator posts there). */
export const SANDBOX_WEBHOOK_PATH = '/webhook'

export interface AgentServer {
  /** e.g. `http://127.0.0.1:8793` */
  url: string
  webhookUrl: string
  stateUrl: string
  /** The admin listener's `/metrics` (loopback). */
  metricsUrl: string
  /** Starts `agent` and serves it, `/agent-state` reading with `state`; waiting requests go through. */
  attach(agent: SignInAgent, state: AgentStateReader): Promise<void>
  /** The host's one drain path: in-flight requests finish, then the attached agent stops. */
  close(): Promise<void>
}

export interface AgentServerOptions {
  port: number
  host: string
  /** The admin listener's port (`/metrics`, `/readyz`); 0: any free port. */
  adminPort: number
  logger: Logger
  /** The bearer token `/agent-state` requires (a fresh one per start, from `newBearerToken`). */
  stateToken: string
}

/** Listens on `port` (and the admin port); the agent is attached later. */
export async function startAgentServer(options: AgentServerOptions): Promise<AgentServer> {
  let state: AgentStateReader | undefined
  const host = await createAgentHost({
    listen: { host: options.host, port: options.port },
    admin: { host: options.host, port: options.adminPort },
    routes: [agentStateRoute(options, () => state)],
  })
  return {
    url: host.url,
    webhookUrl: `${host.url}${SANDBOX_WEBHOOK_PATH}`,
    stateUrl: `${host.url}/agent-state`,
    metricsUrl: `${host.adminUrl}/metrics`,
    async attach(agent, reader) {
      state = reader
      await host.attach(agent)
    },
    close: () => host.close(),
  }
}

function agentStateRoute(options: AgentServerOptions, stateOf: () => AgentStateReader | undefined): Route {
  return {
    method: 'GET',
    path: '/agent-state',
    maxBodyBytes: 0,
    handler: async (request) => {
      // Conversation ids, subjects and scopes: not for any other process on the machine (E5).
      if (!hasBearerToken(request.headers.authorization, options.stateToken))
        return json(401, { error: 'unauthorized' }, { 'www-authenticate': 'Bearer' })
      const state = stateOf()
      if (state === undefined) return json(503, { error: 'the agent is starting' }, { 'retry-after': '1' })
      const conversation = request.query.get('conversation') ?? ''
      try {
        return json(200, await state(conversation === '' ? undefined : conversation))
      } catch (err) {
        options.logger.error({ errName: err instanceof Error ? err.name : 'error' }, 'agent state unavailable')
        return json(500, { error: 'agent state unavailable' })
      }
    },
  }
}

function json(status: number, body: object, headers: Record<string, string> = {}): HTTPResponse {
  return {
    status,
    headers: { 'content-type': 'application/json; charset=utf-8', 'cache-control': 'no-store', ...headers },
    body: JSON.stringify(body),
  }
}
