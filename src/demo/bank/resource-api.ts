/**
 * @module demo/bank/resource-api
 * The Growing Tree Bank's resource API on `node:http`: per-user accounts, balances and recent
 * transactions, served only for a valid bearer access token (RFC 6750) that carries the route's
 * scope. Tokens are checked by introspection at the provider (RFC 7662) behind a short positive
 * cache. Routes: `GET /me` (any valid token), `GET /accounts` and `GET /accounts/:id/balance`
 * (`accounts.read`), `GET /accounts/:id/transactions?limit=` (`transactions.read`).
 * Tokens never reach a log line: requests are logged with a short SHA-256 fingerprint instead.
 */
import { createServer } from 'node:http'
import type { IncomingMessage, Server, ServerResponse } from 'node:http'
import { isBmOAuthError } from '../../errors.ts'
import { systemClock } from '../../core/clock.ts'
import { closeServer, listen } from '../../core/http-server.ts'
import type { Clock } from '../../core/clock.ts'
import type { FetchLike } from '../../core/fetch.ts'
import { silentLogger } from '../../core/logger.ts'
import type { Logger } from '../../core/logger.ts'
import { tokenFingerprint } from '../../oauth/index.ts'
import { bearerError, readBearerToken } from './bearer.ts'
import type { BearerErrorResponse } from './bearer.ts'
import { createIntrospectionVerifier } from './introspection.ts'
import type { AccessTokenInfo, TokenVerifier } from './introspection.ts'
import { answerRoute, matchRoute, requiredScope } from './routes.ts'
import type { BankRoute } from './routes.ts'
import { cachedVerifier } from './token-cache.ts'

/** The resource server's own registration at the provider, used to call introspection. */
export interface BankIntrospectionClient {
  clientId: string
  clientSecret: string
  /** Default: discovered from `${issuer}/.well-known/openid-configuration`. */
  endpoint?: string
  /** Per introspection request (default 5000). */
  timeoutMs?: number
}

export interface BankAPIOptions {
  /** The provider's issuer identifier; introspection answers must carry it as `iss`. */
  issuer: string
  /** Introspection credentials, or a ready {@link TokenVerifier} (the cache still applies). */
  introspection: BankIntrospectionClient | TokenVerifier
  /** Accept only tokens issued to these clients (default: any client of the provider). */
  allowedClients?: readonly string[]
  /** Require this value in the token's `aud` (default: no audience check; the demo tokens carry none). */
  audience?: string
  /** Positive introspection cache lifetime, 0..30 000 ms (default 10 000). */
  cacheTtlMs?: number
  /** `realm` of the `WWW-Authenticate` challenges (default `Growing Tree Bank`). */
  realm?: string
  fetch?: FetchLike
  clock?: Clock
  logger?: Logger
}

/** A `node:http` request listener. */
export type BankAPIHandler = (req: IncomingMessage, res: ServerResponse) => Promise<void>

/** The outcome of checking a request's credentials against a route. */
type AuthOutcome = { ok: true; info: AccessTokenInfo } | { ok: false; error: BearerErrorResponse }

/**
 * Builds the bank API's request handler.
 * @example
 * ```ts
 * const handler = createBankAPI({ issuer, introspection: { clientId: 'bank-api', clientSecret } })
 * http.createServer(handler).listen(4100, '127.0.0.1')
 * ```
 */
export function createBankAPI(options: BankAPIOptions): BankAPIHandler {
  const clock = options.clock ?? systemClock
  const logger = (options.logger ?? silentLogger).child({ component: 'bank-api' })
  const realm = options.realm ?? 'Growing Tree Bank'
  const verify = cachedVerifier(toVerifier(options, clock), {
    clock,
    ...(options.cacheTtlMs === undefined ? {} : { ttlMs: options.cacheTtlMs }),
  })

  const authenticate = async (req: IncomingMessage, route: BankRoute): Promise<AuthOutcome> => {
    const credentials = readBearerToken(req.headers.authorization)
    if (credentials.kind === 'missing') {
      return { ok: false, error: bearerError(realm, undefined, 'a Bearer access token is required') }
    }
    const info = credentials.kind === 'bearer' ? await verify(credentials.token) : undefined
    if (info === undefined) {
      const description = 'the access token is invalid, expired or revoked'
      return { ok: false, error: bearerError(realm, 'invalid_token', description) }
    }
    const scope = requiredScope(route)
    if (scope !== undefined && !info.scopes.includes(scope)) {
      const description = `this request needs the ${scope} scope`
      return { ok: false, error: bearerError(realm, 'insufficient_scope', description, scope) }
    }
    return { ok: true, info }
  }

  return async (req, res) => {
    const url = new URL(req.url ?? '/', 'http://bank.invalid')
    const route = matchRoute(url.pathname)
    const log = { method: req.method, path: route === undefined ? 'unknown' : route.name, ...fingerprintOf(req) }
    try {
      if (route === undefined) return sendJSON(res, 404, { error: 'not_found', error_description: 'no such route' })
      if (req.method !== 'GET' && req.method !== 'HEAD') {
        res.setHeader('allow', 'GET, HEAD')
        return sendJSON(res, 405, { error: 'method_not_allowed', error_description: 'use GET' })
      }
      if (url.searchParams.has('access_token')) {
        // RFC 6750 §2.3 tokens in URLs end up in logs and histories; only the header is accepted.
        const error = bearerError(realm, 'invalid_request', 'send the access token in the Authorization header')
        return sendError(res, error)
      }
      const outcome = await authenticate(req, route)
      if (!outcome.ok) return sendError(res, outcome.error)
      Object.assign(log, { sub: outcome.info.sub, clientId: outcome.info.clientId })
      const result = answerRoute(route, outcome.info, url.searchParams, clock.now())
      return sendJSON(res, result.status, result.body)
    } catch (err) {
      // Introspection unavailable: the token's state is unknown, so refuse without blaming the token.
      const code = isBmOAuthError(err) ? err.code : 'unexpected'
      logger.warn({ ...log, err: { code, message: safeMessage(err) } }, 'bank api failure')
      res.setHeader('retry-after', '5')
      return sendJSON(res, 503, {
        error: 'temporarily_unavailable',
        error_description: 'cannot validate the access token now',
      })
    } finally {
      logger.info({ ...log, status: res.statusCode }, 'bank api request')
    }
  }
}

function toVerifier(options: BankAPIOptions, clock: Clock): TokenVerifier {
  if (typeof options.introspection === 'function') return options.introspection
  const { clientId, clientSecret, endpoint, timeoutMs } = options.introspection
  return createIntrospectionVerifier({
    issuer: options.issuer,
    clientId,
    clientSecret,
    clock,
    ...(endpoint === undefined ? {} : { endpoint }),
    ...(timeoutMs === undefined ? {} : { timeoutMs }),
    ...(options.allowedClients === undefined ? {} : { allowedClients: options.allowedClients }),
    ...(options.audience === undefined ? {} : { audience: options.audience }),
    ...(options.fetch === undefined ? {} : { fetch: options.fetch }),
  })
}

/** A fingerprint of the presented token for correlating logs, never the token itself. */
function fingerprintOf(req: IncomingMessage): { tokenFingerprint?: string } {
  const credentials = readBearerToken(req.headers.authorization)
  return credentials.kind === 'bearer' ? { tokenFingerprint: tokenFingerprint(credentials.token) } : {}
}

/** Only our own errors' messages are known to be free of request data. */
function safeMessage(err: unknown): string {
  return isBmOAuthError(err) ? err.message : 'unexpected error'
}

function sendError(res: ServerResponse, error: BearerErrorResponse): void {
  res.setHeader('www-authenticate', error.challenge)
  sendJSON(res, error.status, error.body)
}

function sendJSON(res: ServerResponse, status: number, body: object): void {
  const payload = JSON.stringify(body)
  res.writeHead(status, {
    'content-type': 'application/json; charset=utf-8',
    'content-length': Buffer.byteLength(payload),
    'cache-control': 'no-store',
  })
  res.end(res.req.method === 'HEAD' ? undefined : payload)
}

/** A bank API listening on a port. */
export interface RunningBankAPI {
  /** `http://<host>:<port>` */
  url: string
  server: Server
  close(): Promise<void>
}

export interface StartBankAPIOptions extends BankAPIOptions {
  /** Default 0 (an ephemeral port). */
  port?: number
  /** Default `127.0.0.1`. */
  host?: string
}

/** Starts the bank API on `node:http`. Always `close()` it. */
export async function startBankAPI(options: StartBankAPIOptions): Promise<RunningBankAPI> {
  const handler = createBankAPI(options)
  const server = createServer((req, res) => void handler(req, res))
  const host = options.host ?? '127.0.0.1'
  const port = await listen(server, options.port ?? 0, host)
  return {
    url: `http://${host.includes(':') ? `[${host}]` : host}:${port}`,
    server,
    close: () => closeServer(server),
  }
}
