/**
 * @module agent/session
 * The {@link Session} a handler gets from `requireSignIn`: identity, granted scopes, and an access
 * token that is refreshed ahead of expiry, single-flight across callers and processes (R1, R5).
 * When the grant is gone (`invalid_grant` on refresh after the R3 re-read, or no usable record) the
 * flow deletes it and prompts to reconnect with the question parked, and the caller gets a
 * {@link SignInRequiredError} (R10: one refresh on a 401, never a loop). Tokens stay inside.
 */
import { isBmOAuthError } from '../errors.ts'
import { refreshTokens } from '../oauth/operations.ts'
import { refreshIfNeeded, type RefreshedTokens, type RefreshFn } from '../tokens/refresh.ts'
import { splitScopes } from '../tokens/scopes.ts'
import type { TokenRecord } from '../tokens/token-store.ts'
import { SignInRequiredError } from './errors.ts'
import { scalarClaims } from './exchange.ts'
import { recordAudit, tokenKeyOf, type AgentRuntime } from './runtime.ts'
import type { ConversationTurn } from './turn.ts'
import type { AccessOptions, ProviderInfo, Session } from './types.ts'
import { redactURL } from '../audit/audit-log.ts'

type ActiveRecord = TokenRecord & { status: 'active' }

/** A session over `record`; `question` is re-parked if the grant turns out to be gone. */
export function createSession(turn: ConversationTurn, record: ActiveRecord, question: string): Session {
  const { runtime } = turn
  let known: TokenRecord = record
  let reconnecting = false

  const current = async (ifVersion?: number): Promise<ActiveRecord> => {
    const options = {
      clock: runtime.clock,
      aheadMs: runtime.refreshAheadMs,
      ...(ifVersion === undefined ? {} : { ifVersion }),
    }
    let latest: TokenRecord | undefined
    try {
      latest = await refreshIfNeeded(runtime.tokens, tokenKeyOf(runtime, turn.key), refreshWith(runtime), options)
    } catch (err) {
      if (!isBmOAuthError(err, 'ERR_TOKEN_VAULT_DECRYPT')) {
        runtime.metrics.refresh('failed')
        throw err
      }
      latest = undefined // unreadable (e.g. a removed key): the user signs in again
    }
    if (latest === undefined || latest.status !== 'active') {
      // Many concurrent callers may find the grant gone: the flow hears it once.
      if (turn.isOpen && !reconnecting) {
        reconnecting = true
        runtime.metrics.refresh('needs-reconnect')
        await turn.step({ type: 'refresh-failed-invalid-grant', question })
      }
      throw new SignInRequiredError(turn.key)
    }
    // Noted before the step is awaited, so concurrent callers that share one refresh report it once.
    if (latest.version !== known.version) {
      known = latest
      runtime.metrics.refresh('refreshed')
      if (turn.isOpen) await turn.step({ type: 'tokens-refreshed', scopes: latest.tokens.scopes })
    }
    return latest
  }

  const send = (token: string, url: string | URL, init: RequestInit): Promise<Response> => {
    const headers = new Headers(init.headers)
    headers.set('authorization', `Bearer ${token}`)
    return runtime.fetch(url, { ...init, headers })
  }

  /** One audit entry per use of the tokens; a failure to write it is logged, never the caller's. */
  const audit = async (
    target: { origin: string; path: string; method: string },
    outcome: string,
    options: AccessOptions,
  ): Promise<void> => {
    const entry = {
      kind: 'access',
      at: runtime.clock.now(),
      ...target,
      outcome,
      scopes: known.tokens?.scopes ?? [],
    } as const
    await recordAudit(runtime, turn.key, { ...entry, purpose: options.purpose ?? 'unspecified' })
  }

  const fetchOnce = async (url: string | URL, init: RequestInit): Promise<Response> => {
    const first = await current()
    const response = await send(first.tokens.accessToken, url, init)
    if (response.status !== 401) return response
    await response.body?.cancel()
    // R10: the token was rejected: one forced refresh, one retry.
    const renewed = await current(first.version)
    return send(renewed.tokens.accessToken, url, init)
  }

  return {
    subject: record.subject,
    claims: record.tokens.idTokenClaims ?? {},
    scopes: record.tokens.scopes,
    provider: providerInfo(runtime.provider),
    getAccessToken: async (options = {}) => {
      const token = (await current()).tokens.accessToken
      await audit({ origin: '-', path: '-', method: 'token' }, 'handed-out', options)
      return token
    },
    fetch: async (url, init = {}, options = {}) => {
      const target = { ...redactURL(url), method: (init.method ?? 'GET').toUpperCase() }
      let response: Response
      try {
        response = await fetchOnce(url, init)
      } catch (err) {
        if (!(err instanceof SignInRequiredError)) await audit(target, 'failed', options)
        throw err
      }
      await audit(target, String(response.status), options)
      return response
    },
  }
}

/** The provider's public face: endpoints and client id, never its credentials. */
export function providerInfo(provider: AgentRuntime['provider']): ProviderInfo {
  const { issuer, clientId, authorizationEndpoint, tokenEndpoint, userinfoEndpoint, revocationEndpoint } = provider
  return Object.freeze({
    issuer,
    clientId,
    authorizationEndpoint,
    tokenEndpoint,
    userinfoEndpoint,
    revocationEndpoint,
  })
}

/** The provider call behind a refresh; `invalid_grant` surfaces as `ERR_OAUTH_INVALID_GRANT`. */
function refreshWith(runtime: AgentRuntime): RefreshFn {
  return async (current) => {
    const tokenSet = await refreshTokens(runtime.provider, current.refreshToken)
    const claims = scalarClaims(tokenSet.idTokenClaims)
    const refreshed: RefreshedTokens = {
      accessToken: tokenSet.accessToken,
      ...(tokenSet.refreshToken === undefined ? {} : { refreshToken: tokenSet.refreshToken }),
      ...(Object.keys(claims).length === 0 ? {} : { idTokenClaims: claims }),
      ...(tokenSet.scope === undefined ? {} : { scopes: splitScopes(tokenSet.scope) }),
      ...(tokenSet.expiresAt === undefined ? {} : { expiresAt: tokenSet.expiresAt }),
    }
    return refreshed
  }
}
