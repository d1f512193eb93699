/**
 * @module agent/decrypt-failures
 * The one place a sealed row the agent cannot open is reported (S10, S11): every store opens its
 * rows through this vault, so a decrypt failure of a token set, a pending sign-in, a flow state, an
 * inbox payload or a queued revocation logs one error naming the table, the key id and the reason
 * (never a secret, never the ciphertext), and reaches the listener (the agent's metrics). What the
 * store does next (read as absent, discard, drop) is the store's business; the failure still throws.
 */
import type { Logger } from '../core/logger.ts'
import { isBmOAuthError } from '../errors.ts'
import { PENDING_SIGNIN_TABLE } from '../signin-store/migrations.ts'
import { TOKEN_TABLE } from '../tokens/migrations.ts'
import { REVOCATION_QUEUE_TABLE } from '../tokens/revocation-queue.ts'
import type { SealContext, Vault, VaultDecryptError } from '../tokens/seal.ts'
import { WEBHOOK_INBOX_PURPOSE } from '../webhook/inbox-store.ts'
import { FLOW_STATE_TABLE } from './flow-state-store.ts'

/** A sealed value that did not open: where it was stored and why (no secret). */
export interface DecryptFailure {
  /** The table the row is in (its vault purpose when the purpose is unknown here). */
  readonly table: string
  /** The key id the envelope names, when it could be read. */
  readonly keyId: string | undefined
  readonly reason: VaultDecryptError['reason']
}

/** Told of every decrypt failure (e.g. to count it); errors it throws are logged and ignored. */
export type DecryptFailureListener = (failure: DecryptFailure) => void

/** Each store's vault purpose and its table. */
const TABLE_OF_PURPOSE: Readonly<Record<string, string>> = {
  'token-set': TOKEN_TABLE,
  'pending-signin': PENDING_SIGNIN_TABLE,
  'flow-state': FLOW_STATE_TABLE,
  'pending-revocation': REVOCATION_QUEUE_TABLE,
  [WEBHOOK_INBOX_PURPOSE]: 'webhook_inbox',
}

/** `vault`, reporting every failed `open` to `logger` (error level) and `listener`, then rethrowing. */
export function reportDecryptFailures(vault: Vault, logger: Logger, listener?: DecryptFailureListener): Vault {
  const report = (err: VaultDecryptError, context: SealContext): void => {
    const purpose = context['purpose'] ?? 'unknown'
    const failure: DecryptFailure = {
      table: TABLE_OF_PURPOSE[purpose] ?? purpose,
      keyId: err.keyId,
      reason: err.reason,
    }
    logger.error(
      { ...failure, errCode: err.code },
      'sealed row cannot be opened (damaged, or sealed under a key that is not configured)',
    )
    try {
      listener?.(failure)
    } catch (listenerErr) {
      logger.warn({ errName: listenerErr instanceof Error ? listenerErr.name : 'non-error' }, 'decrypt listener failed')
    }
  }
  const open = (sealed: Uint8Array, context: SealContext): Uint8Array => {
    try {
      return vault.open(sealed, context)
    } catch (err) {
      if (isBmOAuthError(err, 'ERR_TOKEN_VAULT_DECRYPT')) report(err, context)
      throw err
    }
  }
  return {
    activeKeyId: vault.activeKeyId,
    seal: (plaintext, context) => vault.seal(plaintext, context),
    open,
    openText: (sealed, context) => Buffer.from(open(sealed, context)).toString('utf8'),
    keyIdOf: (sealed) => vault.keyIdOf(sealed),
  }
}
