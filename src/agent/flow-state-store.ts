/**
 * @module agent/flow-state-store
 * One row per (agent, conversation): the sign-in {@link SignInState} plus the runner's journal (the
 * actions of the delivery being processed that have not run yet), sealed with the vault because it
 * holds the user's parked question (S1, S5). Writes are compare-and-set on a `version` column, so
 * two processes can never both move a conversation forward from the same state (S6).
 *
 * Tokens never live here: only the token store holds them.
 */
import { storeMigrator, type StoreMigrator } from '../db/migrate.ts'
import type { Database, Row } from '../db/queryable.ts'
import { StoreConflictError } from '../db/store-error.ts'
import { isBmOAuthError } from '../errors.ts'
import { SIGNED_OUT } from '../flow/steps.ts'
import type { SignInAction, SignInState } from '../flow/types.ts'
import { rekeySealedRows } from '../tokens/rekey.ts'
import type { SealContext, Vault } from '../tokens/seal.ts'
import type { RekeyOptions, RekeyResult } from '../tokens/token-store.ts'

/** Creates or upgrades the flow-state table (namespace `agent_flow_state`). Version 1; append, never edit. */
export const migrateFlowStateStore: StoreMigrator = storeMigrator('agent_flow_state', [
  `CREATE TABLE bm_flow_states (
     agent TEXT NOT NULL,
     conversation TEXT NOT NULL,
     version INTEGER NOT NULL,
     key_id TEXT NOT NULL,
     sealed {{blob}} NOT NULL,
     updated_at BIGINT NOT NULL,
     PRIMARY KEY (agent, conversation)
   )`,
])

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
  get(agent: string, conversation: string): Promise<VersionedFlowRecord | undefined>
  /**
   * Writes `record` if the row is still at `expectedVersion` (`undefined`: the row must not exist yet).
   * Returns the new version. @throws {StoreConflictError} (`ERR_STORE_CONFLICT`) when it is not.
   */
  save(agent: string, conversation: string, record: FlowRecord, expectedVersion: number | undefined): Promise<number>
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

function sealContext(agent: string, conversation: string): SealContext {
  return { purpose: 'flow-state', agent, conversation }
}

/** The SQL flow-state store (SQLite or PostgreSQL). Run {@link migrateFlowStateStore} first. */
export function createFlowStateStore(db: Database, vault: Vault, now: () => number): FlowStateStore {
  const T = FLOW_STATE_TABLE
  return {
    async get(agent, conversation) {
      const { rows } = await db.query<FlowRow>(
        `SELECT version, sealed FROM ${T} WHERE agent = $1 AND conversation = $2`,
        [agent, conversation],
      )
      const row = rows[0]
      if (row === undefined) return undefined
      const version = Number(row.version)
      let text: string
      try {
        text = vault.openText(row.sealed, sealContext(agent, conversation))
      } catch (err) {
        if (!isBmOAuthError(err, 'ERR_TOKEN_VAULT_DECRYPT')) throw err
        // S10: a row no key opens (damaged, or its key removed) is discarded like a damaged token:
        // the conversation starts over signed out, and the next save replaces the row at its version.
        return { record: { state: SIGNED_OUT }, version }
      }
      return { record: JSON.parse(text) as FlowRecord, version }
    },

    async save(agent, conversation, record, expectedVersion) {
      const sealed = vault.seal(JSON.stringify(record), sealContext(agent, conversation))
      const at = now()
      const result =
        expectedVersion === undefined
          ? await db.query(
              `INSERT INTO ${T} (agent, conversation, version, key_id, sealed, updated_at)
               VALUES ($1, $2, 1, $3, $4, $5) ON CONFLICT (agent, conversation) DO NOTHING`,
              [agent, conversation, vault.activeKeyId, sealed, at],
            )
          : await db.query(
              `UPDATE ${T} SET version = version + 1, key_id = $3, sealed = $4, updated_at = $5
               WHERE agent = $1 AND conversation = $2 AND version = $6`,
              [agent, conversation, vault.activeKeyId, sealed, at, expectedVersion],
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
          keyColumns: ['agent', 'conversation'],
          contextOf: (row) => sealContext(String(row['agent']), String(row['conversation'])),
        },
        options,
      ),
  }
}
