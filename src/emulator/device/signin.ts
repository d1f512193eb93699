/**
 * @module emulator/device/signin
 * The simulated device's half of the OAuth chip (docs/contract-decisions.md §4.1–4.2, §10 Q1–Q4):
 * which of Google's four registered redirect URIs a surface uses, the authorization request the
 * device opens at the agent's `endpointUrl`, and reading the provider's redirect (`Location`)
 * without following it, as Google's client intercepted it. Pure functions; the HTTP calls live with
 * the caller.
 */
import { randomBytes } from 'node:crypto'
import { InvalidArgumentError } from '../../errors.ts'

/**
 * Google's four redirect URIs, exact strings (docs/contract-decisions.md §4.1); providers must
 * register all four.
 */
export const GOOGLE_REDIRECT_URIS: readonly [string, string, string, string] = Object.freeze([
  'https://business.google.com/callback',
  'https://business.google.com/callback?',
  'https://business.google.com/message?az-intent-type=1',
  'https://business.google.com/message?az-intent-type=1&',
] as const)

const GOOGLE_ORIGIN = 'https://business.google.com'

/**
 * Simulated client surface: web → `callback`, Android → `message?az-intent-type=1`; `web-query` and
 * `android-amp` are the variants ending in `?` and `&`.
 */
export type Surface = 'web' | 'web-query' | 'android' | 'android-amp'

const SURFACE_INDEX: Record<Surface, 0 | 1 | 2 | 3> = { web: 0, 'web-query': 1, android: 2, 'android-amp': 3 }

/** All surfaces, in the order of {@link GOOGLE_REDIRECT_URIS}. */
export const SURFACES: readonly Surface[] = Object.freeze(['web', 'web-query', 'android', 'android-amp'])

/**
 * The redirect URI a surface sends (docs/contract-decisions.md §10 Q3). With `standInOrigin` (the
 * in-browser demo only) the same path and query are placed at that origin instead of
 * `https://business.google.com`.
 */
export function redirectURIForSurface(surface: Surface, standInOrigin?: string): string {
  const uri = GOOGLE_REDIRECT_URIS[SURFACE_INDEX[surface]]
  if (standInOrigin === undefined) return uri
  const origin = new URL(standInOrigin).origin
  return origin + uri.slice(GOOGLE_ORIGIN.length)
}

/** The `authenticationRequest.oauth` of the agent's message (docs/contract-decisions.md §2.4). */
export interface OAuthChip {
  clientId: string
  codeChallenge: string
  /** Omitted ⇒ the documented default `plain` is sent (docs/contract-decisions.md §10 Q1). */
  codeChallengeMethod?: string
  scopes: string[]
}

/**
 * The URL the device opens when the user taps the chip (docs/contract-decisions.md §4.2, §10 Q2):
 * `endpointUrl` with its own query kept byte-for-byte, plus `response_type=code`, `client_id`,
 * `redirect_uri`, `scope` (space-joined), `state`, `code_challenge`, `code_challenge_method`.
 * Values are form-encoded, so the provider decodes `redirect_uri` back to the exact registered
 * string (trailing `?`/`&` included).
 *
 * @throws InvalidArgumentError when `endpointUrl` is not an absolute URL or has a fragment (RFC 6749 §3.1).
 */
export function buildAuthorizationURL(
  endpointUrl: string,
  chip: OAuthChip,
  redirectUri: string,
  state: string,
): string {
  const field = 'authorizationConfig.endpointUrl'
  if (!URL.canParse(endpointUrl)) throw new InvalidArgumentError(field, 'must be an absolute URL')
  if (endpointUrl.includes('#')) throw new InvalidArgumentError(field, 'must not include a fragment (RFC 6749 §3.1)')
  const params = new URLSearchParams({
    response_type: 'code',
    client_id: chip.clientId,
    redirect_uri: redirectUri,
    scope: chip.scopes.join(' '),
    state,
    code_challenge: chip.codeChallenge,
    code_challenge_method: chip.codeChallengeMethod ?? 'plain',
  })
  const separator = !endpointUrl.includes('?') ? '?' : /[?&]$/.test(endpointUrl) ? '' : '&'
  return endpointUrl + separator + params.toString()
}

/** What the provider's redirect carried back. */
export type RedirectOutcome =
  | { kind: 'code'; code: string }
  | { kind: 'error'; error: string; errorDescription: string | undefined }

/**
 * Reads the provider's redirect `Location` (docs/contract-decisions.md §4.2). It must point at the
 * expected redirect URI: same origin and path, and every query parameter of the registered URI
 * (e.g. `az-intent-type=1`) present with the same value. Providers append to a URI that already has
 * `?` or ends with `?`/`&` in different ways (oidc-provider re-serialises with
 * `URL.searchParams.set`: `callback?code=…`, `message?az-intent-type=1&code=…`; naive concatenation
 * gives `callback?&code=…` or `callback??code=…`), so leading `?`/`&` and empty pairs are ignored.
 * An `error` wins over a `code` (RFC 6749 §4.1.2.1).
 *
 * @throws InvalidArgumentError (`ERR_INVALID_ARGUMENT`) when the Location is not the expected redirect
 * URI, `state` is missing or differs, or it carries neither `code` nor `error`.
 */
export function readAuthorizationRedirect(
  location: string,
  expected: { redirectUri: string; state: string },
): RedirectOutcome {
  if (!URL.canParse(location)) throw new InvalidArgumentError('Location', 'must be an absolute URL')
  const actual = new URL(location)
  const registered = new URL(expected.redirectUri)
  if (actual.origin !== registered.origin || actual.pathname !== registered.pathname) {
    throw new InvalidArgumentError('Location', 'does not point at the redirect URI of the request')
  }
  const query = lenientQuery(actual.search)
  for (const [name, value] of lenientQuery(registered.search)) {
    if (!query.getAll(name).includes(value)) {
      throw new InvalidArgumentError('Location', `lacks ${name}=${value} of the registered redirect URI`)
    }
  }
  const state = query.get('state')
  if (state === null) throw new InvalidArgumentError('Location.state', 'is missing')
  if (state !== expected.state) throw new InvalidArgumentError('Location.state', 'does not match the request')
  const error = query.get('error')
  if (error !== null) {
    return { kind: 'error', error, errorDescription: query.get('error_description') ?? undefined }
  }
  const code = query.get('code')
  if (code === null || code === '') throw new InvalidArgumentError('Location', 'carries neither code nor error')
  return { kind: 'code', code }
}

/** Query parameters of a `search` string, ignoring any run of leading `?`/`&` and empty pairs. */
export function lenientQuery(search: string): URLSearchParams {
  return new URLSearchParams(search.replace(/^[?&]+/, ''))
}

/**
 * Maps an RFC 6749 §4.1.2.1 `error` from the redirect to the upper-case name Google put into
 * `errorDetails.error` (docs/contract-decisions.md §10 Q4): `access_denied` → `ACCESS_DENIED`.
 * Anything not a plain token becomes `ERROR_UNSPECIFIED`.
 */
export function errorEnumFromOAuth(error: string): string {
  return /^[A-Za-z][A-Za-z0-9_]*$/.test(error) ? error.toUpperCase() : 'ERROR_UNSPECIFIED'
}

/**
 * A fresh `state` value: 32 random bytes, base64url (Google's `state` is opaque,
 * docs/contract-decisions.md §4.2).
 */
export function newState(): string {
  return randomBytes(32).toString('base64url')
}
