/**
 * @module google/scopes
 * OAuth scopes for Google's APIs and oauth2l-style short names (`businessmessages` →
 * `https://www.googleapis.com/auth/businessmessages`), so `bm-oauth header` can take the same
 * arguments as the `oauth2l header` commands in Google's curl snippets.
 *
 * @see docs/contract-decisions.md §1.7, §2.1, §5.1, §10 "oauth2l header replacement"
 */
import { InvalidArgumentError } from '../errors.ts'

const GOOGLE_SCOPE_PREFIX = 'https://www.googleapis.com/auth/'

/** The scopes bm-oauth uses, keyed by their oauth2l short names. */
export const SCOPES = {
  businessmessages: 'https://www.googleapis.com/auth/businessmessages',
  businesscommunications: 'https://www.googleapis.com/auth/businesscommunications',
  'cloud-platform': 'https://www.googleapis.com/auth/cloud-platform',
} as const

// oauth2l passes the OpenID Connect scopes through unprefixed.
const OIDC_SCOPES = new Set(['openid', 'email', 'profile'])
const SHORT_NAME = /^[A-Za-z0-9][A-Za-z0-9._-]*$/

/**
 * Expands one scope: an oauth2l short name becomes a `https://www.googleapis.com/auth/…` URL, a
 * full URL and `openid`/`email`/`profile` pass through unchanged.
 * @throws {InvalidArgumentError} `scope: must be a short name like businessmessages or an https URL`
 */
export function expandScope(aliasOrUrl: string): string {
  const scope = aliasOrUrl.trim()
  if (/^https?:\/\//.test(scope)) return scope
  if (OIDC_SCOPES.has(scope)) return scope
  if (!SHORT_NAME.test(scope)) {
    throw new InvalidArgumentError('scope', 'must be a short name like businessmessages or an https URL')
  }
  return GOOGLE_SCOPE_PREFIX + scope
}

/**
 * Expands a list of scopes; each string may itself hold several separated by commas or spaces
 * (oauth2l accepts `businessmessages,cloud-platform`). Duplicates are removed, order is kept.
 * @throws {InvalidArgumentError} when the list is empty or a scope is malformed.
 */
export function expandScopes(scopes: string | readonly string[]): string[] {
  const parts = (typeof scopes === 'string' ? [scopes] : scopes).flatMap((s) => s.split(/[\s,]+/))
  const expanded = [...new Set(parts.filter((s) => s !== '').map(expandScope))]
  if (expanded.length === 0) throw new InvalidArgumentError('scopes', 'at least one scope is required')
  return expanded
}
