/**
 * @module emulator/google-api/token-endpoint
 * `POST /token`: the service-account JWT-bearer grant (RFC 7523) as Google's token endpoint serves it
 * (docs/contract-decisions.md §5.2, §10 "service-account tokens"). The RS256 assertion must be
 * signed with the provisioned key, issued by its `client_email`, addressed to this endpoint or to
 * Google's, short-lived and carry a scope. The answer is a random opaque access token valid for
 * 3600 s; only its SHA-256 is stored. Errors use the OAuth JSON form `{error, error_description}`.
 */
import { randomBytes, type KeyObject } from 'node:crypto'
import { errors as joseErrors, jwtVerify, type JWTPayload, type JWTVerifyOptions } from 'jose'
import type { Clock } from '../../core/clock.ts'
import type { Logger } from '../../core/logger.ts'
import type { Reply } from '../http/http-io.ts'
import type { RequestContext } from '../http/router.ts'
import type { TokenStore } from '../state/access-tokens.ts'

export const JWT_BEARER_GRANT = 'urn:ietf:params:oauth:grant-type:jwt-bearer'
/** Audiences Google's libraries put in assertions (current and v4 token URLs). */
export const GOOGLE_TOKEN_AUDIENCES: readonly string[] = [
  'https://oauth2.googleapis.com/token',
  'https://www.googleapis.com/oauth2/v4/token',
]
export const ACCESS_TOKEN_LIFETIME_SECONDS = 3600
/** Google refuses assertions whose exp − iat exceeds one hour. */
const MAX_ASSERTION_LIFETIME_SECONDS = 3600
const CLOCK_TOLERANCE_SECONDS = 300

export interface TokenEndpointOptions {
  ownTokenURL: string
  clientEmail: string
  publicKey: KeyObject
  tokens: TokenStore
  /** The emulator's (possibly fast-forwarded) clock: token expiry, and the first time assertions are checked at. */
  clock: Clock
  /**
   * A second time assertion `iat`/`exp` may be valid at: the emulator clock without its fast-forward
   * offset. An agent on real time keeps working after the emulator's clock jumps; an agent that
   * shares the emulator's clock (tests) is checked against that clock.
   */
  unshiftedClock: Clock
  logger: Logger
}

function oauthError(status: number, error: string, description: string): Reply {
  return { status, body: { error, error_description: description } }
}

/** Builds the `/token` handler. */
export function createTokenHandler(options: TokenEndpointOptions): (ctx: RequestContext) => Promise<Reply> {
  return async (ctx) => {
    const contentType = String(ctx.headers['content-type'] ?? '')
    if (!contentType.toLowerCase().startsWith('application/x-www-form-urlencoded')) {
      return oauthError(400, 'invalid_request', 'Content-Type must be application/x-www-form-urlencoded.')
    }
    const form = new URLSearchParams(await ctx.readText())
    const grantType = form.get('grant_type')
    if (grantType === null) {
      return oauthError(400, 'invalid_request', 'Missing required parameter: grant_type')
    }
    if (grantType !== JWT_BEARER_GRANT) {
      return oauthError(400, 'unsupported_grant_type', `Invalid grant_type: ${grantType}`)
    }
    const assertion = form.get('assertion')
    if (assertion === null || assertion === '') {
      return oauthError(400, 'invalid_request', 'Missing required parameter: assertion')
    }
    const verified = await verifyAssertion(assertion, options)
    if ('error' in verified) {
      options.logger.info({ event: 'token.refused', reason: verified.error }, 'service-account assertion refused')
      return verified.reply
    }
    const scopes = verified.scopes
    const accessToken = `ya29.emu-${randomBytes(32).toString('base64url')}`
    const now = options.clock.now()
    options.tokens.record(
      accessToken,
      { clientEmail: options.clientEmail, scopes, expiresAt: now + ACCESS_TOKEN_LIFETIME_SECONDS * 1000 },
      now,
    )
    options.logger.info({ event: 'token.issued', scopes }, 'issued a service-account access token')
    return {
      status: 200,
      headers: { pragma: 'no-cache' },
      body: { access_token: accessToken, expires_in: ACCESS_TOKEN_LIFETIME_SECONDS, token_type: 'Bearer' },
    }
  }
}

type Verified = { scopes: string[] } | { error: string; reply: Reply }

async function verifyAssertion(assertion: string, options: TokenEndpointOptions): Promise<Verified> {
  let payload: JWTPayload | undefined
  let firstError: unknown
  const times = new Set([options.clock.now(), options.unshiftedClock.now()])
  for (const now of times) {
    try {
      payload = (await jwtVerify(assertion, options.publicKey, verifyOptions(options, now))).payload
      break
    } catch (err) {
      firstError ??= err
      if (!isTimeClaimError(err)) break // signature, issuer or audience: no other time can help
    }
  }
  if (payload === undefined) {
    return { error: 'invalid_grant', reply: oauthError(400, 'invalid_grant', describeJoseError(firstError)) }
  }
  const iat = payload.iat ?? 0
  const exp = payload.exp ?? 0
  if (exp - iat > MAX_ASSERTION_LIFETIME_SECONDS || exp <= iat) {
    return {
      error: 'invalid_grant',
      reply: oauthError(
        400,
        'invalid_grant',
        'Invalid JWT: Token must be a short-lived token (60 minutes) and in a reasonable timeframe. Check your iat and exp values in the JWT claim.',
      ),
    }
  }
  const scope = typeof payload['scope'] === 'string' ? payload['scope'] : ''
  const scopes = scope.split(' ').filter(Boolean)
  if (scopes.length === 0) {
    return {
      error: 'invalid_scope',
      reply: oauthError(400, 'invalid_scope', 'Invalid OAuth scope or ID token audience provided.'),
    }
  }
  return { scopes }
}

function verifyOptions(options: TokenEndpointOptions, nowMs: number): JWTVerifyOptions {
  return {
    algorithms: ['RS256'],
    issuer: options.clientEmail,
    audience: [options.ownTokenURL, ...GOOGLE_TOKEN_AUDIENCES],
    requiredClaims: ['iat', 'exp'],
    currentDate: new Date(nowMs),
    clockTolerance: CLOCK_TOLERANCE_SECONDS,
    maxTokenAge: MAX_ASSERTION_LIFETIME_SECONDS, // also refuses an iat in the future
  }
}

function isTimeClaimError(err: unknown): boolean {
  return (
    err instanceof joseErrors.JWTExpired ||
    (err instanceof joseErrors.JWTClaimValidationFailed && ['iat', 'nbf', 'exp'].includes(err.claim))
  )
}

/** Google-like descriptions; never echoes the assertion or its claims' values. */
function describeJoseError(err: unknown): string {
  if (err instanceof joseErrors.JWSSignatureVerificationFailed) return 'Invalid JWT Signature.'
  if (err instanceof joseErrors.JWTExpired) {
    return 'Invalid JWT: Token must be a short-lived token (60 minutes) and in a reasonable timeframe. Check your iat and exp values in the JWT claim.'
  }
  if (err instanceof joseErrors.JWTClaimValidationFailed) {
    if (err.claim === 'aud') return 'Invalid JWT: audience is not this token endpoint.'
    if (err.claim === 'iss') return 'Invalid JWT: issuer is not the service account.'
    if (err.claim === 'iat' || err.claim === 'nbf' || err.claim === 'exp') {
      return 'Invalid JWT: Token must be a short-lived token (60 minutes) and in a reasonable timeframe. Check your iat and exp values in the JWT claim.'
    }
    return `Invalid JWT: claim ${err.claim} is invalid.`
  }
  if (err instanceof joseErrors.JOSEAlgNotAllowed) return 'Invalid JWT: algorithm must be RS256.'
  return 'Invalid JWT: the assertion is malformed.'
}
