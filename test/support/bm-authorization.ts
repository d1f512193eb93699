/**
 * @module test/support/bm-authorization
 * Builds an authorization URL the way the Business Messages device does
 * (docs/contract-decisions.md §4.2, §10 Q2): `endpointUrl` plus response_type, client_id,
 * redirect_uri, scope (space-joined), state and, when set, code_challenge / code_challenge_method.
 * No prompt, no nonce.
 */
import { randomBytes } from 'node:crypto'

export interface DeviceAuthorizationParams {
  clientId: string
  redirectUri: string
  scopes: readonly string[]
  codeChallenge?: string
  codeChallengeMethod?: string
  state?: string
}

/** The URL a Business Messages user's browser opens when the sign-in chip is tapped. */
export function deviceAuthorizationURL(endpointUrl: string, params: DeviceAuthorizationParams): string {
  const url = new URL(endpointUrl)
  url.searchParams.set('response_type', 'code')
  url.searchParams.set('client_id', params.clientId)
  url.searchParams.set('redirect_uri', params.redirectUri)
  url.searchParams.set('scope', params.scopes.join(' '))
  url.searchParams.set('state', params.state ?? randomBytes(16).toString('base64url'))
  if (params.codeChallenge !== undefined) url.searchParams.set('code_challenge', params.codeChallenge)
  if (params.codeChallengeMethod !== undefined)
    url.searchParams.set('code_challenge_method', params.codeChallengeMethod)
  return url.href
}
