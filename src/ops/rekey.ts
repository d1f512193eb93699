/**
 * @module ops/rekey
 * Online re-encryption after a vault key rotation (security case S3): every token set, pending
 * sign-in, conversation flow state and queued revocation is re-sealed under the active (first) key
 * of BM_OAUTH_VAULT_KEYS while the old keys are still listed to open them. Webhook inbox payloads are not re-sealed (they live minutes, until
 * processed): they are counted, so the operator knows when the old key can go.
 */
import type { RekeyOptions, RekeyResult } from '../tokens/token-store.ts'
import type { AgentStores } from './stores.ts'

/** Outcome of {@link rekeyStores}. Counts only: no key material, no values. */
export interface RekeyReport {
  activeKeyId: string
  tokens: RekeyResult
  pendingSignIns: RekeyResult
  /** Per-conversation sign-in states (they hold parked questions). */
  flowStates: RekeyResult
  /** Tokens waiting in the revocation queue (R8). */
  revocations: RekeyResult
  /** Sum of the four tables. */
  total: RekeyResult
  /** Unprocessed webhook deliveries still sealed under another key (they clear once processed). */
  inboxUnderOldKeys: number
}

/** Re-seals every sealed table in batches and counts what is left under old keys. */
export async function rekeyStores(stores: AgentStores, options: RekeyOptions = {}): Promise<RekeyReport> {
  const tokens = await stores.tokens.rekey(options)
  const pendingSignIns = await stores.pendingSignIns.rekey(options)
  const flowStates = await stores.flowStates.rekey(options)
  const revocations = await stores.revocations.rekey(options)
  const parts = [tokens, pendingSignIns, flowStates, revocations]
  const sum = (field: keyof RekeyResult): number => parts.reduce((n, part) => n + part[field], 0)
  return {
    activeKeyId: stores.vault.activeKeyId,
    tokens,
    pendingSignIns,
    flowStates,
    revocations,
    total: { rekeyed: sum('rekeyed'), failed: sum('failed'), remaining: sum('remaining') },
    inboxUnderOldKeys: await countInboxUnderOldKeys(stores),
  }
}

async function countInboxUnderOldKeys(stores: AgentStores): Promise<number> {
  const { rows } = await stores.db.query<{ payload: Uint8Array }>(
    "SELECT payload FROM webhook_inbox WHERE payload_format = 'sealed' AND state IN ('pending', 'leased')",
  )
  let count = 0
  for (const { payload } of rows) {
    if (payload.byteLength === 0) continue
    try {
      if (stores.vault.keyIdOf(payload) !== stores.vault.activeKeyId) count++
    } catch {
      count++ // unreadable header: certainly not under the active key
    }
  }
  return count
}
