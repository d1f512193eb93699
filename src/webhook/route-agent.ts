/**
 * @module webhook/route-agent
 * Which of the served Business Messages agents an event is for. One partner webhook serves every
 * agent of the partner, so the receiver and the runner both route by the event's `agent`.
 */

/**
 * The listed agent an event is for (W18, docs/api.md §5): its `agent` when that is listed. An event
 * without `agent` (Google's console test payloads) belongs to the sole listed agent, and to nobody
 * when several are listed. `undefined`: not ours, so it is acknowledged and ignored.
 */
export function routedAgent(agents: readonly string[], agent: string | undefined): string | undefined {
  if (agent === undefined || agent === '') return agents.length === 1 ? agents[0] : undefined
  return agents.includes(agent) ? agent : undefined
}
