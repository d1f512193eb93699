/**
 * @module agent/flow-state-store
 * One row per (channel, agent, conversation): the sign-in {@link SignInState} plus the runner's journal (the
 * actions of the delivery being processed that have not run yet), sealed with the vault because it
 * holds the user's parked question (S1, S5). Writes are compare-and-set on a `version` column, so
 * two processes can never both move a conversation forward from the same state (S6).
 *
 * Tokens never live here: only the token store holds them.
 */
import type { ConversationKey } from '../channel/types.ts'
import { type Migration, storeMigrator, type StoreMigrator } from '../db/migrate.ts'
import type { Database, Row } from '../db/queryable.ts'
import { StoreConflictError } from '../db/store-error.ts'
import { isBmOAuthError } from '../errors.ts'
import { SIGNED_OUT } from '../flow/steps.ts'
import type { SignInAction, SignInState } from '../flow/types.ts'
import { hasRows, pick, rekeySealedRows, resealRows } from '../tokens/rekey.ts'
import type { SealContext, Vault } from '../tokens/seal.ts'
import type { RekeyOptions, RekeyResult } from '../tokens/token-store.ts'

/** Creates or upgrades the flow-state table (namespace `agent_flow_state`). Version 1; append, never edit. */
/** The store's migrations, in order (append, never edit). */
export const flowStateMigrations: readonly Migration[] = [
  `CREATE TABLE bm_flow_states (
     agent TEXT NOT NULL,
     conversation TEXT NOT NULL,
     version INTEGER NOT NULL,
     key_id TEXT NOT NULL,
     sealed {{blob}} NOT NULL,
     updated_at BIGINT NOT NULL,
     PRIMARY KEY (agent, conversation)
   )`,
  // Version 2 (issue 9): keyed by (channel, agent, conversation), existing rows on
  // `business-messages`, each re-sealed once with the channel in its seal context (S1).
  {
    schema: `CREATE TABLE bm_flow_states_v2 (
       channel TEXT NOT NULL,
       agent TEXT NOT NULL,
       conversation TEXT NOT NULL,
       version INTEGER NOT NULL,
       key_id TEXT NOT NULL,
       sealed {{blob}} NOT NULL,
       updated_at BIGINT NOT NULL,
       PRIMARY KEY (channel, agent, conversation)
     );
     INSERT INTO bm_flow_states_v2 (channel, agent, conversation, version, key_id, sealed, updated_at)
       SELECT 'business-messages', agent, conversation, version, key_id, sealed, updated_at FROM bm_flow_states;
     DROP TABLE bm_flow_states;
     ALTER TABLE bm_flow_states_v2 RENAME TO bm_flow_states`,
    needsRewrite: (tx) => hasRows(tx, 'bm_flow_states'),
    rewrite: (tx, { vault }) =>
      resealRows(tx, vault, {
        table: 'bm_flow_states',
        keyColumns: ['channel', 'agent', 'conversation'],
        // The contexts as of this version, spelled out: a shipped migration never changes with the code.
        legacyContextOf: (row) => ({ purpose: 'flow-state', ...pick(row, 'agent', 'conversation') }),
        contextOf: (row) => ({ purpose: 'flow-state', ...pick(row, 'channel', 'agent', 'conversation') }),
      }),
  },
]

/** Creates or upgrades the store's schema (data migrations need `options.data`: `bm-oauth migrate`). */
export const migrateFlowStateStore: StoreMigrator = storeMigrator('agent_flow_state', flowStateMigrations)

/** The actions of one delivery still to run, so a crashed run resumes instead of starting over. */
export interface FlowJournal {
  /** The delivery whose actions these are. */
  readonly deliveryId: string
  /** Messages this delivery has sent so far: the position part of the next deterministic message id. */
  readonly sent: number
  readonly queue: readonly SignInAction[]
}

/** What is stored for a conversation. */
export interface FlowRecord {
  readonly state: SignInState
  readonly journal?: FlowJournal
  /** The last delivery fully processed: a redelivery of it (crash before the inbox heard) is skipped. */
  readonly lastDeliveryId?: string
}

/** A stored record and the version to pass back to {@link FlowStateStore.save}. */
export interface VersionedFlowRecord {
  readonly record: FlowRecord
  readonly version: number
}

/** Sealed, versioned per-conversation sign-in state. */
export interface FlowStateStore {
  /** The stored record; one that cannot be opened reads as signed out at its version (S10). */
  get(key: ConversationKey): Promise<VersionedFlowRecord | undefined>
  /**
   * Writes `record` if the row is still at `expectedVersion` (`undefined`: the row must not exist yet).
   * Returns the new version. @throws {StoreConflictError} (`ERR_STORE_CONFLICT`) when it is not.
   */
  save(key: ConversationKey, record: FlowRecord, expectedVersion: number | undefined): Promise<number>
  /**
   * Re-seals every row under the vault's active key (S3). The version is left alone: the record is
   * unchanged, and a concurrent `save` (always under the active key) wins the compare-and-set.
   */
  rekey(options?: RekeyOptions): Promise<RekeyResult>
}

/** The table the queries use (the migration spells it out: its text never changes). */
export const FLOW_STATE_TABLE = 'bm_flow_states'

interface FlowRow extends Row {
  version: number | string
  sealed: Uint8Array
}

function sealContext(key: ConversationKey): SealContext {
  return { purpose: 'flow-state', channel: key.channel, agent: key.agent, conversation: key.conversation }
}

const KEY_WHERE = 'channel = $1 AND agent = $2 AND conversation = $3'

/** The SQL flow-state store (SQLite or PostgreSQL). Run {@link migrateFlowStateStore} first. */
export function createFlowStateStore(db: Database, vault: Vault, now: () => number): FlowStateStore {
  const T = FLOW_STATE_TABLE
  return {
    async get(key) {
      const { rows } = await db.query<FlowRow>(`SELECT version, sealed FROM ${T} WHERE ${KEY_WHERE}`, [
        key.channel,
        key.agent,
        key.conversation,
      ])
      const row = rows[0]
      if (row === undefined) return undefined
      const version = Number(row.version)
      let text: string
      try {
        text = vault.openText(row.sealed, sealContext(key))
      } catch (err) {
        if (!isBmOAuthError(err, 'ERR_TOKEN_VAULT_DECRYPT')) throw err
        // S10: a row no key opens (damaged, or its key removed) is discarded like a damaged token:
        // the conversation starts over signed out, and the next save replaces the row at its version.
        return { record: { state: SIGNED_OUT }, version }
      }
      return { record: JSON.parse(text) as FlowRecord, version }
    },

    async save(key, record, expectedVersion) {
      const sealed = vault.seal(JSON.stringify(record), sealContext(key))
      const at = now()
      const params = [key.channel, key.agent, key.conversation, vault.activeKeyId, sealed, at]
      const result =
        expectedVersion === undefined
          ? await db.query(
              `INSERT INTO ${T} (channel, agent, conversation, version, key_id, sealed, updated_at)
               VALUES ($1, $2, $3, 1, $4, $5, $6) ON CONFLICT (channel, agent, conversation) DO NOTHING`,
              params,
            )
          : await db.query(
              `UPDATE ${T} SET version = version + 1, key_id = $4, sealed = $5, updated_at = $6
               WHERE ${KEY_WHERE} AND version = $7`,
              [...params, expectedVersion],
            )
      if (result.rowCount !== 1) throw new StoreConflictError('conversation state changed concurrently')
      return (expectedVersion ?? 0) + 1
    },

    rekey: (options) =>
      rekeySealedRows(
        db,
        vault,
        {
          table: T,
          keyColumns: ['channel', 'agent', 'conversation'],
          contextOf: (row) => sealContext(pick(row, 'channel', 'agent', 'conversation') as unknown as ConversationKey),
        },
        options,
      ),
  }
}
