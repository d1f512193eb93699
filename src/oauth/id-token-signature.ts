/**
 * @module oauth/id-token-signature
 * Verifies the JWS signature of an ID token against the provider's JWK Set (security case X14).
 * oauth4webapi validates the claims of an ID token it fetched from the token endpoint but, relying
 * on TLS, not its signature; this closes that gap. Keys come from `jwks_uri` (discovered, or
 * `jwksUri` in an explicit configuration) through the same bounded fetch as every provider call
 * (X8). Allowed algorithms are the provider's `id_token_signing_alg_values_supported` (default
 * `RS256`), never `none`. An unknown `kid` refetches the set once, unless the
 * set was fetched within the last 30 seconds (jose's cooldown), then fails.
 */
import { compactVerify, createRemoteJWKSet, customFetch } from 'jose'
import type { OAuthOperation } from './errors.ts'
import { OAuthResponseError } from './errors.ts'
import type { LibraryFetchOptions } from './http.ts'

/** Checks one ID token's signature; rejects with an {@link OAuthResponseError}. */
export type IdTokenSignatureCheck = (operation: OAuthOperation, idToken: string) => Promise<void>

/** What {@link createIdTokenSignatureCheck} needs from the resolved provider. */
export interface IdTokenSignatureSettings {
  /** `jwks_uri`; `undefined` when the provider has none (every ID token is then refused). */
  jwksUri: string | undefined
  /** `id_token_signing_alg_values_supported` from the metadata, if any. */
  algorithms: readonly string[] | undefined
  fetch: (url: string, options: LibraryFetchOptions) => Promise<Response>
  timeoutMs: number
}

/** Default of `id_token_signing_alg_values_supported` (OIDC Core §15.1: RS256 must be supported). */
const DEFAULT_ALGORITHMS: readonly string[] = ['RS256']

/** Builds the check; the key set is fetched on first use and cached (jose: 10 minutes). */
export function createIdTokenSignatureCheck(settings: IdTokenSignatureSettings): IdTokenSignatureCheck {
  const algorithms = (settings.algorithms ?? DEFAULT_ALGORITHMS).filter((alg) => alg.toLowerCase() !== 'none')
  const { jwksUri } = settings
  const keys =
    jwksUri === undefined
      ? undefined
      : createRemoteJWKSet(new URL(jwksUri), {
          timeoutDuration: settings.timeoutMs,
          [customFetch]: (url, options) =>
            settings.fetch(url, { ...options, headers: Object.fromEntries(options.headers) }),
        })
  return async (operation, idToken) => {
    if (keys === undefined) {
      throw new OAuthResponseError(operation, `${operation} ID token refused: the provider has no jwks_uri`)
    }
    try {
      await compactVerify(idToken, keys, { algorithms })
    } catch (err) {
      // jose's messages and codes name the failure, never the token or a key.
      const code = (err as { code?: unknown }).code
      const reason = typeof code === 'string' ? code : 'unexpected failure'
      throw new OAuthResponseError(operation, `${operation} ID token signature rejected (${reason})`, {
        cause: { code: reason },
      })
    }
  }
}
