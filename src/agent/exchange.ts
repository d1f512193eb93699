/**
 * @module agent/exchange
 * The `exchange-code` action: at most one token request per authorization code, ever (X1, X3).
 * In order: consume the conversation's pending sign-in (single winner, its verifier is the only one
 * ever tried: P6) and check it was made for the configured provider (P14: the token endpoint is
 * always the configured provider's, never one from the payload), claim the persisted exchange
 * marker of the code's hash (a second delivery, a second instance or a restarted run finds it
 * taken), send the token request with the relayed
 * redirect URI (already checked against the allow-list, P12), find who signed in (ID token, else
 * UserInfo) and store the tokens BEFORE the state moves on. A run resumed after a crash never
 * holds the code: it reports success only if the tokens were stored, else an unknown outcome, and
 * the user gets a fresh prompt (docs/contract-decisions.md §10 "crash semantics").
 */
import { type BmOAuthError, isBmOAuthError } from '../errors.ts'
import type { SignInEvent } from '../flow/types.ts'
import { OAuthProtocolError } from '../oauth/errors.ts'
import { exchangeAuthorizationCode, fetchUserInfo } from '../oauth/operations.ts'
import type { TokenSet } from '../oauth/token-set.ts'
import { hashAuthorizationCode } from '../signin-store/exchange-markers.ts'
import { splitScopes } from '../tokens/scopes.ts'
import type { StoredIdTokenClaims } from '../tokens/token-store.ts'
import { readGrant, recordAudit, tokenKeyOf, type AgentRuntime } from './runtime.ts'
import type { ConversationTurn } from './turn.ts'

type ExchangeFailed = Extract<SignInEvent, { type: 'exchange-failed' }>

/** Runs the held code's one exchange; returns the flow event describing how it ended. */
export async function exchangeHeldCode(turn: ConversationTurn): Promise<SignInEvent> {
  const held = turn.takeHeldCode()
  if (held === undefined) return recoverExchange(turn)
  const { runtime, conversationId } = turn
  const now = runtime.clock.now()
  const consumed = await runtime.pending.consume(runtime.agentName, conversationId, now)
  if (consumed === undefined || consumed.expired) {
    return { type: 'exchange-failed', kind: 'invalid_grant', description: 'no live pending sign-in' }
  }
  if (consumed.provider !== runtime.providerId) {
    // P14: the challenge was made for another authorization server (the agent was reconfigured in
    // between). Its code is for that server only; sending it to ours would be a mix-up. Re-prompt.
    runtime.logger.warn({ conversationId }, 'pending sign-in belongs to another provider; code not exchanged')
    return { type: 'exchange-failed', kind: 'invalid_grant', description: 'pending sign-in was for another provider' }
  }
  const context = { agent: runtime.agentName, conversation: conversationId }
  if (!(await runtime.markers.claim(hashAuthorizationCode(held.code), now, context))) {
    return { type: 'exchange-failed', kind: 'unknown-outcome' }
  }
  let tokenSet: TokenSet
  try {
    tokenSet = await exchangeAuthorizationCode(runtime.provider, {
      code: held.code,
      codeVerifier: consumed.codeVerifier,
      redirectUri: held.redirectUri,
    })
  } catch (err) {
    const failed = classifyExchangeFailure(err)
    runtime.logger.warn({ conversationId, errCode: errorCodeOf(err), kind: failed.kind }, 'token request failed')
    return failed
  }
  const identity = await identify(runtime, tokenSet, conversationId)
  const scopes = tokenSet.scope === undefined ? [...consumed.scopes] : splitScopes(tokenSet.scope)
  await runtime.tokens.put(tokenKeyOf(runtime, conversationId), {
    tokens: {
      accessToken: tokenSet.accessToken,
      scopes,
      ...(tokenSet.refreshToken === undefined ? {} : { refreshToken: tokenSet.refreshToken }),
      ...(tokenSet.expiresAt === undefined ? {} : { expiresAt: tokenSet.expiresAt }),
      ...(Object.keys(identity.claims).length === 0 ? {} : { idTokenClaims: identity.claims }),
    },
    ...(identity.subject === undefined ? {} : { subject: identity.subject }),
  })
  runtime.logger.info({ conversationId, scopes }, 'signed in')
  // Logged when the grant is stored, so it precedes every use of it in the user's access log.
  await recordAudit(runtime, turn.key, { kind: 'grant', at: runtime.clock.now(), event: 'granted', scopes })
  return {
    type: 'exchange-succeeded',
    scopes,
    ...(identity.subject === undefined ? {} : { subject: identity.subject }),
  }
}

/** After a crash mid-exchange: success only if the tokens made it into the store (after the exchange began). */
async function recoverExchange(turn: ConversationTurn): Promise<SignInEvent> {
  const { runtime, state } = turn
  const startedAt = state.kind === 'exchanging' ? state.startedAt : Number.POSITIVE_INFINITY
  const record = await readGrant(runtime, turn.conversationId)
  if (record?.status === 'active' && record.updatedAt >= startedAt) {
    const subject = record.subject === undefined ? {} : { subject: record.subject }
    return { type: 'exchange-succeeded', scopes: record.tokens.scopes, ...subject }
  }
  runtime.logger.warn({ conversationId: turn.conversationId }, 'exchange outcome unknown after restart; re-prompting')
  return { type: 'exchange-failed', kind: 'unknown-outcome' }
}

/** Maps a failed token request to the flow's failure kinds (X2, X3, X5). */
function classifyExchangeFailure(err: unknown): ExchangeFailed {
  if (err instanceof OAuthProtocolError) {
    const description = err.errorDescription === undefined ? {} : { description: err.errorDescription }
    if (err.error === 'invalid_grant') return { type: 'exchange-failed', kind: 'invalid_grant', ...description }
    if (err.error === 'invalid_client' || err.error === 'unauthorized_client') {
      return { type: 'exchange-failed', kind: 'client-misconfigured', ...description }
    }
    return { type: 'exchange-failed', kind: 'provider-error', ...description }
  }
  if (isBmOAuthError(err, 'ERR_NETWORK') && sentNothing(err)) return { type: 'exchange-failed', kind: 'network' }
  if (isBmOAuthError(err, 'ERR_OAUTH_RESPONSE')) return { type: 'exchange-failed', kind: 'provider-error' }
  // Timeouts, resets and anything unexpected: the request may have reached the provider (X3).
  return { type: 'exchange-failed', kind: 'unknown-outcome' }
}

/** A connection that was never made cannot have delivered the code. */
function sentNothing(err: BmOAuthError): boolean {
  const code = (err.cause as { cause?: { code?: unknown } } | undefined)?.cause?.code
  return code === 'ECONNREFUSED' || code === 'ENOTFOUND' || code === 'EAI_AGAIN'
}

function errorCodeOf(err: unknown): string {
  if (err instanceof OAuthProtocolError) return `${err.code}:${err.error}`
  return isBmOAuthError(err) ? err.code : 'unexpected'
}

/** Claims kept with the tokens: scalar identity claims, without hashes of other secrets. */
const DROPPED_CLAIMS = new Set(['at_hash', 'c_hash', 's_hash', 'nonce'])

/** Picks the scalar claims of an ID token or UserInfo answer. */
export function scalarClaims(
  source: Readonly<Record<string, unknown>> | undefined,
): Record<string, string | number | boolean> {
  const claims: Record<string, string | number | boolean> = {}
  for (const [name, value] of Object.entries(source ?? {})) {
    if (DROPPED_CLAIMS.has(name)) continue
    if (typeof value === 'string' || typeof value === 'number' || typeof value === 'boolean') claims[name] = value
  }
  return claims
}

/**
 * Who signed in: the ID token's claims, completed from the UserInfo endpoint when the provider has
 * one (OIDC Core §5.4: `profile` and `email` claims usually live there), bound to the ID token's
 * `sub` (OIDC Core §5.3.2). A UserInfo failure is only logged: the ID token's identity stands.
 */
async function identify(
  runtime: AgentRuntime,
  tokenSet: TokenSet,
  conversationId: string,
): Promise<{ subject: string | undefined; claims: StoredIdTokenClaims }> {
  const fromIdToken = scalarClaims(tokenSet.idTokenClaims)
  const subject = typeof fromIdToken['sub'] === 'string' ? fromIdToken['sub'] : undefined
  const openid = tokenSet.scope === undefined || splitScopes(tokenSet.scope).includes('openid')
  if (runtime.provider.userinfoEndpoint === undefined || !openid) return { subject, claims: fromIdToken }
  try {
    const info = scalarClaims(await fetchUserInfo(runtime.provider, tokenSet.accessToken, subject))
    return { subject: subject ?? (info['sub'] as string | undefined), claims: { ...info, ...fromIdToken } }
  } catch (err) {
    runtime.logger.warn(
      { conversationId, errCode: errorCodeOf(err) },
      'userinfo request failed; identity from the ID token only',
    )
    return { subject, claims: fromIdToken }
  }
}
