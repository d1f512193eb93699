/**
 * @module sandbox/agent-state
 * A read-only JSON view of the agent's sign-in state per conversation, for the web page's
 * inspector (relayed by the emulator at `/emulator/v1/agent-state`): the flow state's kind, prompt
 * expiry and attempt, the signed-in subject and granted scopes, and the stored grant's status. It
 * never shows a token, a code, a verifier or the user's parked question (only whether there is one).
 */
import { FLOW_STATE_TABLE, createFlowStateStore } from '../agent/flow-state-store.ts'
import type { FlowRecord } from '../agent/flow-state-store.ts'
import { createSQLTokenStore, createVault, parseVaultKeys } from '../stores/index.ts'
import { systemClock } from '../core/clock.ts'
import type { Database } from '../index.ts'
import type { Row, TokenSummary } from '../stores/index.ts'

/** One conversation's sign-in state, token-free. */
export interface ConversationStateView {
  readonly conversationId: string
  readonly updatedAt: string
  readonly signIn: Readonly<Record<string, string | number | boolean | readonly string[]>>
  readonly grant: {
    readonly status: TokenSummary['status']
    readonly subject: string | null
    readonly scopes: readonly string[]
    readonly accessTokenExpiresAt: string | null
  } | null
}

/** What the endpoint answers: the newest conversations first. */
export interface AgentStateView {
  readonly agent: string
  readonly conversations: readonly ConversationStateView[]
}

export interface AgentStateReaderOptions {
  readonly db: Database
  readonly vaultKeys: string
  readonly agentName: string
  /** The id grants are stored under (the provider's issuer). */
  readonly providerId: string
  /** Conversations listed when none is asked for (default 5). */
  readonly limit?: number
}

/** Reads the state of one conversation, or of the most recently active ones. */
export type AgentStateReader = (conversationId?: string) => Promise<AgentStateView>

type SignInState = FlowRecord['state']

interface ConversationRow extends Row {
  conversation: string
  updated_at: number | string
}

/** Builds the reader over the agent's database. */
export function createAgentStateReader(options: AgentStateReaderOptions): AgentStateReader {
  const vault = createVault(parseVaultKeys(options.vaultKeys))
  // Read-only here: the store's clock only stamps writes.
  const states = createFlowStateStore(options.db, vault, () => systemClock.now())
  const tokens = createSQLTokenStore(options.db, vault)
  const { agentName } = options
  return async (conversationId) => {
    const rows = await options.db.query<ConversationRow>(
      conversationId === undefined
        ? `SELECT conversation, updated_at FROM ${FLOW_STATE_TABLE} WHERE agent = $1 ORDER BY updated_at DESC LIMIT $2`
        : `SELECT conversation, updated_at FROM ${FLOW_STATE_TABLE} WHERE agent = $1 AND conversation = $2`,
      [agentName, conversationId ?? options.limit ?? 5],
    )
    const conversations = await Promise.all(
      rows.rows.map(async (row): Promise<ConversationStateView> => {
        const stored = await states.get({
          channel: 'business-messages',
          agent: agentName,
          conversation: row.conversation,
        })
        const [grant] = await tokens.list({ agent: agentName, conversation: row.conversation })
        return {
          conversationId: row.conversation,
          updatedAt: new Date(Number(row.updated_at)).toISOString(),
          signIn: describeState(stored?.record.state ?? { kind: 'signed-out' }),
          grant: grant === undefined || grant.provider !== options.providerId ? null : describeGrant(grant),
        }
      }),
    )
    return { agent: agentName, conversations }
  }
}

/** The token-free fields of a flow state; times as ISO 8601. */
function describeState(state: SignInState): ConversationStateView['signIn'] {
  const iso = (ms: number): string => new Date(ms).toISOString()
  switch (state.kind) {
    case 'signed-out':
      return { kind: state.kind }
    case 'awaiting-sign-in':
      return {
        kind: state.kind,
        scopes: state.scopes,
        expiresAt: iso(state.expiresAt),
        attempt: state.attempt,
        parkedQuestion: state.parkedQuestion !== undefined,
      }
    case 'prompt-expired':
      return {
        kind: state.kind,
        scopes: state.scopes,
        expiredAt: iso(state.expiredAt),
        parkedQuestion: state.parkedQuestion !== undefined,
      }
    case 'exchanging':
      return { kind: state.kind, scopes: state.scopes, startedAt: iso(state.startedAt), attempt: state.attempt }
    case 'signed-in':
      return {
        kind: state.kind,
        ...(state.subject === undefined ? {} : { subject: state.subject }),
        scopes: state.scopes,
        since: iso(state.since),
      }
    case 'needs-reconnect':
      return { kind: state.kind, reason: state.reason, scopes: state.scopes, since: iso(state.since) }
  }
}

function describeGrant(grant: TokenSummary): NonNullable<ConversationStateView['grant']> {
  return {
    status: grant.status,
    subject: grant.subject ?? null,
    scopes: grant.scopes,
    accessTokenExpiresAt: grant.expiresAt === undefined ? null : new Date(grant.expiresAt).toISOString(),
  }
}
