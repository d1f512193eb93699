/**
 * @module agent/sealed-inbox
 * The agent's webhook inbox with every payload sealed by the token vault (a delivery may carry an
 * authorization code: S1, S5), under the inbox's own purpose and bound to its row. One place for
 * the agent and the operator commands (`rekey` counts what is still under an old key).
 */
import type { Database } from '../db/queryable.ts'
import type { SealContext, Vault } from '../tokens/seal.ts'
import { openInboxStore, WEBHOOK_INBOX_PURPOSE, type InboxStore, type PayloadSealer } from '../webhook/inbox-store.ts'

/** Migrates and opens the inbox over `db`, sealing payloads with `vault`. */
export function openSealedInbox(db: Database, vault: Vault): Promise<InboxStore> {
  return openInboxStore(db, { sealer: vaultSealer(vault, WEBHOOK_INBOX_PURPOSE) })
}

/**
 * Seals values for one `purpose` with the vault, binding each to its `associatedData` (a row id):
 * a value copied to another row, or used for another purpose, fails to open.
 */
function vaultSealer(vault: Vault, purpose: string): PayloadSealer {
  const context = (row: string): SealContext => ({ purpose, row })
  return {
    seal: async (plaintext, associatedData) => vault.seal(plaintext, context(associatedData)),
    unseal: async (sealed, associatedData) => vault.open(sealed, context(associatedData)),
  }
}
