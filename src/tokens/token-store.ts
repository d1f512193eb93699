/**
 * @module tokens/token-store
 * The token store contract: one record per (agent, conversation, provider) holding the sealed token
 * set of a signed-in user, its status and a `version` for compare-and-set writes (S6).
 *
 * Tokens are never stored in conversation state, only here, and only sealed (S1). `list` returns
 * no secrets. The SQL implementation is `sql-token-store.ts`; every implementation must pass the
 * shared suite in `test/contract/token-store-contract.ts`.
 */
import type { ChannelId } from '../core/conversation-key.ts'
import type { SealContext } from './seal.ts'

/** Identifies one signed-in user: the conversation on an agent, per OAuth provider. */
export interface TokenKey {
  /** The messaging channel (docs/api.md §4): `business-messages` for every row stored before channels. */
  readonly channel: ChannelId
  /** Business Messages agent resource name or id. */
  readonly agent: string
  /** Business Messages conversation id. */
  readonly conversation: string
  /** Id of the configured OAuth provider (authorization server) the tokens came from. */
  readonly provider: string
}

/** A subset of ID token claims kept with the tokens (e.g. `iss`, `sub`, `email`); no signature. */
export type StoredIdTokenClaims = Readonly<Record<string, string | number | boolean>>

/** What the provider granted. Sealed at rest, except `scopes` and `expiresAt`, which `list` shows. */
export interface StoredTokenSet {
  readonly accessToken: string
  readonly refreshToken?: string
  readonly idTokenClaims?: StoredIdTokenClaims
  /** Granted scopes (what the token endpoint said, not what was asked for: X9). */
  readonly scopes: readonly string[]
  /** Epoch ms after which the access token must not be used; absent when the provider did not say (R5). */
  readonly expiresAt?: number
}

/**
 * `active`: tokens usable. `needs-reconnect`: the grant is gone (e.g. `invalid_grant`); the user must
 * sign in again; tokens were deleted. `revoked`: the user signed out; tokens were deleted.
 */
export type TokenStatus = 'active' | 'needs-reconnect' | 'revoked'

interface TokenRecordBase extends TokenKey {
  /** Provider's subject (`sub`) of the signed-in user, when known. */
  readonly subject: string | undefined
  /** Granted scopes as last stored. */
  readonly scopes: readonly string[]
  /** Bumped by every write; pass it back to `compareAndSwap`. */
  readonly version: number
  readonly createdAt: number
  readonly updatedAt: number
}

/** A stored record. Only an `active` record carries tokens. */
export type TokenRecord =
  | (TokenRecordBase & { readonly status: 'active'; readonly tokens: StoredTokenSet })
  | (TokenRecordBase & { readonly status: 'needs-reconnect' | 'revoked'; readonly tokens: undefined })

/** What a write stores: a fresh token set (status becomes `active`). */
export interface TokenWrite {
  readonly tokens: StoredTokenSet
  /** Provider subject; when omitted, a `compareAndSwap` keeps the stored one. */
  readonly subject?: string
}

/** A record as `signins list` shows it: no tokens, no claims. */
export interface TokenSummary extends TokenKey {
  readonly subject: string | undefined
  readonly scopes: readonly string[]
  readonly status: TokenStatus
  readonly expiresAt: number | undefined
  readonly createdAt: number
  readonly updatedAt: number
}

export interface MarkSignedOutOptions {
  /** Only when the record is still at this version (R3: do not clear a grant someone else just renewed). */
  readonly expectedVersion?: number
  /** Default `needs-reconnect`. */
  readonly status?: 'needs-reconnect' | 'revoked'
}

/** Storage of signed-in users' tokens. */
export interface TokenStore {
  /**
   * The record, or `undefined`.
   * @throws `ERR_TOKEN_VAULT_DECRYPT` when the sealed tokens cannot be opened (treat as signed out).
   */
  get(key: TokenKey): Promise<TokenRecord | undefined>
  /** Stores tokens from a completed sign-in, replacing what was there (status `active`, version bumped). */
  put(key: TokenKey, write: TokenWrite): Promise<TokenRecord & { status: 'active' }>
  /**
   * Replaces the tokens only if the record is still at `expectedVersion`; `undefined` when it is not
   * (someone else wrote first, or it was deleted: re-read). A stale writer can never resurrect an
   * older refresh token or a revoked grant (S6).
   */
  compareAndSwap(
    key: TokenKey,
    expectedVersion: number,
    write: TokenWrite,
  ): Promise<(TokenRecord & { status: 'active' }) | undefined>
  /** Deletes the tokens, marks the record signed out; `undefined` if absent or not at `expectedVersion`. */
  markNeedsReconnect(key: TokenKey, options?: MarkSignedOutOptions): Promise<TokenRecord | undefined>
  /** Removes the record (sign-out, S8). Returns whether a row was deleted. */
  delete(key: TokenKey, options?: { readonly expectedVersion?: number }): Promise<boolean>
}

export interface ListTokensFilter {
  readonly channel?: ChannelId
  readonly agent?: string
  readonly conversation?: string
  readonly status?: TokenStatus
  /** Default 1000. */
  readonly limit?: number
}

export interface RekeyOptions {
  /** Rows per batch (default 100). */
  readonly batchSize?: number
  /** Pause between batches, to throttle an online re-encryption (default 0). */
  readonly pauseMs?: number
}

export interface RekeyResult {
  /** Rows re-sealed under the active key. */
  readonly rekeyed: number
  /** Rows that could not be opened (unknown key id or tampered); left as they were. */
  readonly failed: number
  /** Rows still sealed under a key other than the active one after the run. */
  readonly remaining: number
}

/** Operator views: listing for `signins list` and online re-encryption after a key rotation (S3). */
export interface TokenStoreAdmin {
  list(filter?: ListTokensFilter): Promise<TokenSummary[]>
  /** Re-seals every row under the active key in batches; readers keep working meanwhile. */
  rekey(options?: RekeyOptions): Promise<RekeyResult>
}

/**
 * Cross-process refresh coordination: a short lease on a record at a given version, so only one
 * process calls the token endpoint with a rotating refresh token (R1).
 */
export interface RefreshLeases {
  /** Takes the lease if the record is at `version` and no unexpired lease exists. */
  claimRefreshLease(key: TokenKey, version: number, leaseMs: number): Promise<boolean>
  /** Gives the lease back (refresh failed) if the record is still at `version`. */
  releaseRefreshLease(key: TokenKey, version: number): Promise<void>
}

/** The AEAD context a token set is sealed under: a copy in another row fails to open (S1). */
export function tokenSealContext(key: TokenKey): SealContext {
  const { channel, agent, conversation, provider } = key
  return { purpose: 'token-set', channel, agent, conversation, provider }
}
