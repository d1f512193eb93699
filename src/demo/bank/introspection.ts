/**
 * @module demo/bank/introspection
 * Access-token validation by RFC 7662 introspection at the provider. The request half sends the
 * token with the resource server's own client credentials; the pure half,
 * {@link validateIntrospection}, decides whether the answer describes a usable, per-user bearer
 * access token. A token is never put into an error, a log line or a cache key here.
 */
import { BmOAuthError } from '../../errors.ts'
import { OAuthResponseError } from '../../oauth/errors.ts'
import { systemClock } from '../../core/clock.ts'
import type { Clock } from '../../core/clock.ts'
import type { FetchLike } from '../../core/fetch.ts'

/** What the bank needs to know about a valid access token. */
export interface AccessTokenInfo {
  /** The user (the provider's account id). */
  sub: string
  /** The client the token was issued to. */
  clientId: string
  /** Granted scopes. */
  scopes: readonly string[]
  /** Expiry, milliseconds since the epoch. */
  expiresAt: number
}

/**
 * Resolves a token to its {@link AccessTokenInfo}, or `undefined` when it is not a usable access
 * token (unknown, expired, revoked, a refresh token, …). Throws when it cannot tell (provider down).
 */
export type TokenVerifier = (token: string) => Promise<AccessTokenInfo | undefined>

/** What a valid introspection answer must match besides `active: true`. */
export interface IntrospectionExpectations {
  issuer: string
  nowMs: number
  /** When set, only tokens issued to these clients are accepted. */
  allowedClients?: readonly string[]
  /** When set, the token's `aud` must include it (tokens without `aud` are refused). */
  audience?: string
}

/**
 * Checks an introspection response body (RFC 7662 §2.2): `active`, a `Bearer` `token_type`
 * (oidc-provider omits it for refresh tokens), the issuer, `exp`/`nbf` against `nowMs`, a `sub`,
 * and the optional client and audience restrictions.
 */
export function validateIntrospection(body: unknown, expect: IntrospectionExpectations): AccessTokenInfo | undefined {
  if (typeof body !== 'object' || body === null) return undefined
  const claims = body as Record<string, unknown>
  if (claims['active'] !== true) return undefined
  if (typeof claims['token_type'] !== 'string' || claims['token_type'].toLowerCase() !== 'bearer') return undefined
  if (claims['iss'] !== undefined && claims['iss'] !== expect.issuer) return undefined
  const { exp, nbf, sub, client_id: clientId, scope, aud } = claims
  if (typeof exp !== 'number' || exp * 1000 <= expect.nowMs) return undefined
  if (nbf !== undefined && (typeof nbf !== 'number' || nbf * 1000 > expect.nowMs)) return undefined
  if (typeof sub !== 'string' || sub === '' || typeof clientId !== 'string') return undefined
  if (expect.allowedClients !== undefined && !expect.allowedClients.includes(clientId)) return undefined
  if (expect.audience !== undefined && !audiences(aud).includes(expect.audience)) return undefined
  if (scope !== undefined && typeof scope !== 'string') return undefined
  const scopes = (scope ?? '').split(' ').filter((s) => s !== '')
  return { sub, clientId, scopes, expiresAt: exp * 1000 }
}

function audiences(aud: unknown): string[] {
  if (typeof aud === 'string') return [aud]
  return Array.isArray(aud) ? aud.filter((a): a is string => typeof a === 'string') : []
}

/** How the bank calls the provider's introspection endpoint. */
export interface IntrospectionClientOptions {
  /** The provider's issuer identifier; must match the `iss` of every answer. */
  issuer: string
  /** The resource server's registration at the provider (sent with `client_secret_basic`). */
  clientId: string
  clientSecret: string
  /** Default: `introspection_endpoint` from the issuer's discovery document, fetched once. */
  endpoint?: string
  allowedClients?: readonly string[]
  audience?: string
  fetch?: FetchLike
  clock?: Clock
  /** Per request (default 5000). */
  timeoutMs?: number
}

/** Builds a {@link TokenVerifier} that asks the provider about every token it is given. */
export function createIntrospectionVerifier(options: IntrospectionClientOptions): TokenVerifier {
  const fetch = options.fetch ?? globalThis.fetch
  const clock = options.clock ?? systemClock
  const timeoutMs = options.timeoutMs ?? 5000
  // RFC 6749 §2.3.1: form-encode id and secret before joining them.
  const basic = Buffer.from(`${formEncode(options.clientId)}:${formEncode(options.clientSecret)}`).toString('base64')
  let endpoint: Promise<string> | undefined
  const resolveEndpoint = (): Promise<string> => {
    endpoint ??= discoverEndpoint(options.issuer, fetch, timeoutMs).catch((err: unknown) => {
      endpoint = undefined // retry discovery on the next request
      throw err
    })
    return endpoint
  }
  if (options.endpoint !== undefined) endpoint = Promise.resolve(options.endpoint)
  const expect = {
    issuer: options.issuer,
    ...(options.allowedClients === undefined ? {} : { allowedClients: options.allowedClients }),
    ...(options.audience === undefined ? {} : { audience: options.audience }),
  }

  return async (token) => {
    const url = await resolveEndpoint()
    const response = await send(fetch, url, timeoutMs, {
      method: 'POST',
      headers: {
        authorization: `Basic ${basic}`,
        'content-type': 'application/x-www-form-urlencoded',
        accept: 'application/json',
      },
      body: new URLSearchParams({ token, token_type_hint: 'access_token' }),
    })
    if (response.status !== 200) {
      await response.body?.cancel()
      const message = `introspection answered HTTP ${response.status}`
      throw new BmOAuthError('ERR_UNEXPECTED_RESPONSE', message, { status: 502 })
    }
    return validateIntrospection(await readJSON(response, 'introspection'), { ...expect, nowMs: clock.now() })
  }
}

async function discoverEndpoint(issuer: string, fetch: FetchLike, timeoutMs: number): Promise<string> {
  const url = `${issuer.replace(/\/$/, '')}/.well-known/openid-configuration`
  const response = await send(fetch, url, timeoutMs, { method: 'GET', headers: { accept: 'application/json' } })
  const metadata = response.status === 200 ? await readJSON(response, 'discovery') : undefined
  if (response.status !== 200) await response.body?.cancel()
  const record = (metadata ?? {}) as Record<string, unknown>
  const endpoint = record['introspection_endpoint']
  if (record['issuer'] !== issuer || typeof endpoint !== 'string') {
    throw new OAuthResponseError('discovery', `no usable introspection_endpoint in ${url}`)
  }
  return endpoint
}

async function send(fetch: FetchLike, url: string, timeoutMs: number, init: RequestInit): Promise<Response> {
  try {
    return await fetch(url, { ...init, redirect: 'manual', signal: AbortSignal.timeout(timeoutMs) })
  } catch (err) {
    // The request body holds the token: keep only the error's name, never the request.
    const name = err instanceof Error ? err.name : 'Error'
    if (name === 'TimeoutError') throw new BmOAuthError('ERR_HTTP_TIMEOUT', `${url} timed out`, { status: 504 })
    throw new BmOAuthError('ERR_NETWORK', `${url} unreachable (${name})`, { status: 502 })
  }
}

async function readJSON(response: Response, what: string): Promise<unknown> {
  try {
    return await response.json()
  } catch {
    throw new BmOAuthError('ERR_UNEXPECTED_RESPONSE', `${what} response is not JSON`, { status: 502 })
  }
}

function formEncode(value: string): string {
  return new URLSearchParams({ v: value }).toString().slice(2)
}
