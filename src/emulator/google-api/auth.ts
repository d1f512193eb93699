/**
 * @module emulator/google-api/auth
 * Bearer-token check for the emulated Google APIs
 * (docs/contract-decisions.md §1.7, §2.1, §10 "service-account tokens"): only access tokens issued
 * by this emulator's `/token` are accepted. A missing, unknown or expired token answers 401
 * `UNAUTHENTICATED` with `WWW-Authenticate: Bearer`; a token without the API's scope answers 403
 * `PERMISSION_DENIED`.
 */
import type { IncomingHttpHeaders } from 'node:http'
import type { Clock } from '../../core/clock.ts'
import { EmulatorError } from '../http/errors.ts'
import type { TokenGrant, TokenStore } from '../state/access-tokens.ts'

const SCOPE_PREFIX = 'https://www.googleapis.com/auth/'
export const CLOUD_PLATFORM_SCOPE = `${SCOPE_PREFIX}cloud-platform`

/** Which API a request is for, and so which scope it needs. */
export type EmulatedAPI = 'businesscommunications' | 'businessmessages'

const REALM = 'Bearer realm="https://accounts.google.com/"'
const MISSING_MESSAGE =
  'Request is missing required authentication credential. Expected OAuth 2 access token, login cookie or other valid authentication credential. See https://developers.google.com/identity/sign-in/web/devconsole-project.'
const INVALID_MESSAGE =
  'Request had invalid authentication credentials. Expected OAuth 2 access token, login cookie or other valid authentication credential. See https://developers.google.com/identity/sign-in/web/devconsole-project.'

/** The scopes that grant access to `api` (its own scope, or cloud-platform). */
export function scopesAccepted(api: EmulatedAPI): readonly string[] {
  return [`${SCOPE_PREFIX}${api}`, CLOUD_PLATFORM_SCOPE]
}

/** Checks the `Authorization` header for `api`; returns the token's grant or throws {@link EmulatorError}. */
export function authenticate(
  headers: IncomingHttpHeaders,
  api: EmulatedAPI,
  tokens: TokenStore,
  clock: Clock,
): TokenGrant {
  const header = headers.authorization
  const match = header === undefined ? null : /^Bearer[ ]+(\S+)\s*$/i.exec(header)
  if (match === null || match[1] === undefined) {
    throw new EmulatorError('UNAUTHENTICATED', MISSING_MESSAGE, { headers: { 'www-authenticate': REALM } })
  }
  const grant = tokens.lookup(match[1])
  if (grant === undefined || grant.expiresAt <= clock.now()) {
    throw new EmulatorError('UNAUTHENTICATED', INVALID_MESSAGE, {
      headers: { 'www-authenticate': `${REALM}, error="invalid_token"` },
    })
  }
  const accepted = scopesAccepted(api)
  if (!grant.scopes.some((s) => accepted.includes(s))) {
    throw new EmulatorError('PERMISSION_DENIED', 'Request had insufficient authentication scopes.', {
      headers: { 'www-authenticate': `${REALM}, error="insufficient_scope", scope="${accepted[0]}"` },
    })
  }
  return grant
}
