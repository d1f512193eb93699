/**
 * @module signin-store/pending-signins
 * The pending sign-in of a conversation: the PKCE verifier behind the challenge the agent sent, the
 * provider and scopes it was sent for, and the user's parked question.
 *
 * - Exactly one per (agent, conversation) (P6): a new prompt atomically replaces the old row
 *   (upsert), so a code is only ever tried with the current verifier.
 * - Single use: `consume` is one `DELETE … RETURNING`, so among concurrent consumers exactly one
 *   gets the verifier (X1), and the row is gone whatever happens next (S8).
 * - TTL (P7, default 10 min) against the caller's `now`; an expired row is consumed as `expired`
 *   and never yields its verifier.
 * - The verifier and the question are sealed with the vault under (agent, conversation, provider)
 *   (S1, S5); provider, scopes and times are in clear.
 */
import type { Database, Row, SQLValue } from '../db/queryable.ts'
import { rekeySealedRows } from '../tokens/rekey.ts'
import type { SealContext, Vault } from '../tokens/seal.ts'
import type { RekeyOptions, RekeyResult } from '../tokens/token-store.ts'
import { splitScopes } from '../tokens/scopes.ts'
import type { ConversationKey } from '../core/conversation-key.ts'
import { PENDING_SIGNIN_TABLE } from './migrations.ts'

/** Default lifetime of a pending sign-in: 10 minutes (OAuth 2.1 §4.1.2 code lifetime). */
export const DEFAULT_PENDING_SIGNIN_TTL_MS = 10 * 60 * 1000

/** A sign-in prompt about to be sent. */
export interface NewPendingSignIn extends ConversationKey {
  /** Configured provider the challenge was made for (P14: the token endpoint comes from here). */
  readonly provider: string
  readonly scopes: readonly string[]
  /** PKCE code verifier (secret: sealed at rest, never logged). */
  readonly codeVerifier: string
  /** The user's message that needed sign-in, answered once signed in (user text: sealed too). */
  readonly question?: string
  /** Overrides the store's TTL for this prompt. */
  readonly ttlMs?: number
}

/** A live pending sign-in. */
export interface PendingSignIn extends ConversationKey {
  readonly provider: string
  readonly scopes: readonly string[]
  readonly codeVerifier: string
  readonly question: string | undefined
  /** 1 for the first prompt; +1 each time a prompt replaced a pending one. */
  readonly attempts: number
  readonly createdAt: number
  readonly expiresAt: number
}

/** What `consume` took: the live sign-in, or the expired one without its verifier (re-prompt, P7). */
export type ConsumedSignIn =
  | (PendingSignIn & { readonly expired: false })
  | (Omit<PendingSignIn, 'codeVerifier'> & { readonly expired: true })

/** Storage of pending sign-ins. Times are epoch ms from the caller's clock. */
export interface PendingSignInStore {
  /** Records a prompt, replacing any pending one in the conversation. */
  put(signIn: NewPendingSignIn, now: number): Promise<PendingSignIn>
  /** The live pending sign-in, without consuming it (e.g. P10 keeps it on `temporarily_unavailable`). */
  get(key: ConversationKey, now: number): Promise<PendingSignIn | undefined>
  /** Deletes and returns the pending sign-in: one concurrent caller gets it, later ones `undefined`. */
  consume(key: ConversationKey, now: number): Promise<ConsumedSignIn | undefined>
  /** Deletes the pending sign-in (e.g. `access_denied`). */
  delete(key: ConversationKey): Promise<boolean>
  /** Deletes every sign-in expired at `now` (S8 sweep); returns how many. */
  purgeExpired(now: number): Promise<number>
}

/** Operator operation: re-seal every pending sign-in under the active key (S3). */
export interface PendingSignInAdmin {
  rekey(options?: RekeyOptions): Promise<RekeyResult>
}

export interface PendingSignInStoreOptions {
  /** Lifetime of a prompt (default {@link DEFAULT_PENDING_SIGNIN_TTL_MS}). */
  ttlMs?: number
}

interface PendingRow extends Row {
  channel: string
  agent: string
  conversation: string
  provider: string
  scopes: string
  sealed: Uint8Array
  attempts: number | string
  created_at: number | string
  expires_at: number | string
}

interface SealedPart {
  codeVerifier: string
  question?: string
}

const T = PENDING_SIGNIN_TABLE
const KEY_WHERE = 'channel = $1 AND agent = $2 AND conversation = $3'
const keyParams = (key: ConversationKey): SQLValue[] => [key.channel, key.agent, key.conversation]

/** The AEAD context of a pending sign-in: a verifier copied to another conversation or provider fails. */
export function pendingSignInSealContext(row: ConversationKey & { provider: string }): SealContext {
  const { channel, agent, conversation, provider } = row
  return { purpose: 'pending-signin', channel, agent, conversation, provider }
}

/** A pending sign-in store over `db`. Run `migrateSignInStore(db)` first. */
export function createPendingSignInStore(
  db: Database,
  vault: Vault,
  options: PendingSignInStoreOptions = {},
): PendingSignInStore & PendingSignInAdmin {
  const defaultTtl = options.ttlMs ?? DEFAULT_PENDING_SIGNIN_TTL_MS
  const open = (row: PendingRow): PendingSignIn => rowToSignIn(row, vault)
  return {
    async put(signIn, now) {
      const secret: SealedPart = { codeVerifier: signIn.codeVerifier, ...optionalQuestion(signIn.question) }
      const sealed = vault.seal(JSON.stringify(secret), pendingSignInSealContext(signIn))
      const params: SQLValue[] = [
        signIn.channel,
        signIn.agent,
        signIn.conversation,
        signIn.provider,
        signIn.scopes.join(' '),
        vault.activeKeyId,
        sealed,
        now,
        now + (signIn.ttlMs ?? defaultTtl),
      ]
      const { rows } = await db.query<PendingRow>(
        `INSERT INTO ${T} (channel, agent, conversation, provider, scopes, key_id, sealed, attempts,
                           created_at, expires_at)
         VALUES ($1, $2, $3, $4, $5, $6, $7, 1, $8, $9)
         ON CONFLICT (channel, agent, conversation) DO UPDATE SET
           provider = excluded.provider, scopes = excluded.scopes, key_id = excluded.key_id,
           sealed = excluded.sealed, attempts = ${T}.attempts + 1,
           created_at = excluded.created_at, expires_at = excluded.expires_at
         RETURNING *`,
        params,
      )
      return open(rows[0] as PendingRow)
    },

    async get(key, now) {
      const { rows } = await db.query<PendingRow>(`SELECT * FROM ${T} WHERE ${KEY_WHERE} AND expires_at > $4`, [
        ...keyParams(key),
        now,
      ])
      return rows[0] === undefined ? undefined : open(rows[0])
    },

    async consume(key, now) {
      const { rows } = await db.query<PendingRow>(`DELETE FROM ${T} WHERE ${KEY_WHERE} RETURNING *`, keyParams(key))
      if (rows[0] === undefined) return undefined
      const signIn = open(rows[0])
      if (signIn.expiresAt > now) return { ...signIn, expired: false }
      const { codeVerifier: _dropped, ...rest } = signIn
      return { ...rest, expired: true }
    },

    async delete(key) {
      const { rowCount } = await db.query(`DELETE FROM ${T} WHERE ${KEY_WHERE}`, keyParams(key))
      return rowCount > 0
    },

    async purgeExpired(now) {
      const { rowCount } = await db.query(`DELETE FROM ${T} WHERE expires_at <= $1`, [now])
      return rowCount
    },

    rekey: (rekeyOptions) =>
      rekeySealedRows(
        db,
        vault,
        {
          table: T,
          keyColumns: ['channel', 'agent', 'conversation'],
          contextColumns: ['provider'],
          contextOf: (row) => pendingSignInSealContext(row as PendingRow),
        },
        rekeyOptions,
      ),
  }
}

function rowToSignIn(row: PendingRow, vault: Vault): PendingSignIn {
  const secret = JSON.parse(vault.openText(row.sealed, pendingSignInSealContext(row))) as SealedPart
  return {
    channel: row.channel,
    agent: row.agent,
    conversation: row.conversation,
    provider: row.provider,
    scopes: splitScopes(row.scopes),
    codeVerifier: secret.codeVerifier,
    question: secret.question,
    attempts: Number(row.attempts),
    createdAt: Number(row.created_at),
    expiresAt: Number(row.expires_at),
  }
}

function optionalQuestion(question: string | undefined): { question?: string } {
  return question === undefined ? {} : { question }
}
