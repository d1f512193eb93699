/**
 * @module oauth/operations
 * The four provider calls the agent makes, each a thin pass over oauth4webapi's request/process
 * pair with errors translated in one place (style habit 4): authorization-code exchange, refresh,
 * revocation (RFC 7009) and UserInfo. No call is retried here: a lost authorization-code response
 * must not be replayed (security case X3); retry policy belongs to the caller.
 */
import * as oauth from 'oauth4webapi'
import { ConfigError, InvalidArgumentError } from '../errors.ts'
import { validateCodeVerifier } from '../pkce/pkce.ts'
import { assertJsonTokenResponse, toOAuthError } from './errors.ts'
import { libraryRequestOptions, providerInternals } from './provider.ts'
import type { OAuthProvider, ProviderInternals } from './provider.ts'
import { TokenSet } from './token-set.ts'
import type { IDTokenClaims } from './token-set.ts'

/** Input of {@link exchangeAuthorizationCode}. */
export interface AuthorizationCodeExchange {
  /** The code relayed in `authenticationResponse.code`. */
  code: string
  /** The verifier stored when the sign-in chip was sent. */
  codeVerifier: string
  /** The relayed `redirectUri`, sent byte for byte; check it with `isAllowedRedirectURI` first (P12). */
  redirectUri: string
}

/**
 * Exchanges an authorization code (RFC 6749 §4.1.3 with RFC 7636 `code_verifier`). `redirect_uri`
 * is sent exactly as given. When the response carries an ID token, its claims are validated
 * (issuer, audience, expiry, `iat`, `sub`, and no `nonce`, since Business Messages never sends one),
 * its signature is verified against the provider's JWK Set (X14), and its claims are returned as
 * `idTokenClaims`.
 * @throws {OAuthProtocolError} `ERR_OAUTH_INVALID_GRANT` for a used, expired or mismatched code.
 * @see https://www.rfc-editor.org/rfc/rfc6749#section-4.1.3
 */
export async function exchangeAuthorizationCode(
  provider: OAuthProvider,
  exchange: AuthorizationCodeExchange,
): Promise<TokenSet> {
  assertNonEmpty('code', exchange.code)
  assertNonEmpty('redirectUri', exchange.redirectUri)
  validateCodeVerifier(exchange.codeVerifier)
  const internals = providerInternals(provider)
  const { as } = internals
  const client = libraryClient(internals)
  try {
    // Business Messages relays no state and no iss; the pending sign-in record is the binding
    // (PKCE verifier + conversation), so the callback parameters are rebuilt here.
    const callback = new URLSearchParams({ code: exchange.code })
    if (as.authorization_response_iss_parameter_supported === true) callback.set('iss', as.issuer)
    const params = oauth.validateAuthResponse(as, client, callback, oauth.skipStateCheck)
    const response = await oauth.authorizationCodeGrantRequest(
      as,
      client,
      internals.clientAuth,
      params,
      exchange.redirectUri,
      exchange.codeVerifier,
      libraryRequestOptions(internals),
    )
    assertJsonTokenResponse('authorization_code', response)
    const result = await oauth.processAuthorizationCodeResponse(as, client, response, {
      expectedNonce: oauth.expectNoNonce,
    })
    return await toTokenSet(internals, 'authorization_code', result)
  } catch (err) {
    throw await toOAuthError('authorization_code', err)
  }
}

/**
 * Uses a refresh token (RFC 6749 §6). A rotated refresh token comes back in the result; when the
 * provider returns none, the caller keeps the old one (security case R2).
 * @throws {OAuthProtocolError} `ERR_OAUTH_INVALID_GRANT` for a revoked, expired or reused refresh token.
 */
export async function refreshTokens(provider: OAuthProvider, refreshToken: string): Promise<TokenSet> {
  assertNonEmpty('refreshToken', refreshToken)
  const internals = providerInternals(provider)
  const client = libraryClient(internals)
  try {
    const response = await oauth.refreshTokenGrantRequest(
      internals.as,
      client,
      internals.clientAuth,
      refreshToken,
      libraryRequestOptions(internals),
    )
    assertJsonTokenResponse('refresh_token', response)
    const result = await oauth.processRefreshTokenResponse(internals.as, client, response)
    return await toTokenSet(internals, 'refresh_token', result)
  } catch (err) {
    throw await toOAuthError('refresh_token', err)
  }
}

/** RFC 7009 `token_type_hint` values. */
export type TokenTypeHint = 'access_token' | 'refresh_token'

/**
 * Revokes a token (RFC 7009 §2.1). A 200 for an already-invalid token is success (§2.2).
 * @throws {ConfigError} `ERR_CONFIG` when the provider has no revocation endpoint.
 */
export async function revokeToken(provider: OAuthProvider, token: string, hint?: TokenTypeHint): Promise<void> {
  assertNonEmpty('token', token)
  const internals = providerInternals(provider)
  assertEndpoint(internals, 'revocation_endpoint')
  try {
    const response = await oauth.revocationRequest(
      internals.as,
      libraryClient(internals),
      internals.clientAuth,
      token,
      {
        ...libraryRequestOptions(internals),
        ...(hint === undefined ? {} : { additionalParameters: { token_type_hint: hint } }),
      },
    )
    await oauth.processRevocationResponse(response)
  } catch (err) {
    throw await toOAuthError('revocation', err)
  }
}

/** Claims from the UserInfo endpoint (OIDC Core §5.3). */
export interface UserInfo {
  readonly sub: string
  readonly [claim: string]: unknown
}

/**
 * Calls the UserInfo endpoint. With `expectedSubject` (normally `idTokenClaims.sub`), a response for
 * another subject is rejected (OIDC Core §5.3.2).
 * @throws {OAuthProtocolError} `invalid_token` when the access token is expired or revoked.
 * @throws {ConfigError} `ERR_CONFIG` when the provider has no UserInfo endpoint.
 */
export async function fetchUserInfo(
  provider: OAuthProvider,
  accessToken: string,
  expectedSubject?: string,
): Promise<UserInfo> {
  assertNonEmpty('accessToken', accessToken)
  const internals = providerInternals(provider)
  assertEndpoint(internals, 'userinfo_endpoint')
  const client = libraryClient(internals)
  try {
    const response = await oauth.userInfoRequest(internals.as, client, accessToken, libraryRequestOptions(internals))
    const subject = expectedSubject ?? oauth.skipSubjectCheck
    return await oauth.processUserInfoResponse(internals.as, client, subject, response)
  } catch (err) {
    throw await toOAuthError('userinfo', err)
  }
}

/**
 * The library's client object for one call. oauth4webapi reads the system time itself, so our
 * clock is applied as a skew relative to it, recomputed per call.
 */
function libraryClient(internals: ProviderInternals): oauth.Client {
  return {
    client_id: internals.clientId,
    [oauth.clockSkew]: Math.round((internals.clock.now() - Date.now()) / 1000),
  }
}

/** Builds the token set once the ID token, if any, has passed the claim checks and its signature check (X14). */
async function toTokenSet(
  internals: ProviderInternals,
  operation: 'authorization_code' | 'refresh_token',
  result: oauth.TokenEndpointResponse,
): Promise<TokenSet> {
  const receivedAt = internals.clock.now()
  if (result.id_token !== undefined) await internals.checkIdTokenSignature(operation, result.id_token)
  const claims = oauth.getValidatedIdTokenClaims(result)
  return new TokenSet({
    accessToken: result.access_token,
    tokenType: result.token_type,
    refreshToken: result.refresh_token,
    idToken: result.id_token,
    expiresAt: typeof result.expires_in === 'number' ? receivedAt + result.expires_in * 1000 : undefined,
    scope: result.scope,
    idTokenClaims: claims === undefined ? undefined : (claims as IDTokenClaims),
  })
}

function assertEndpoint(internals: ProviderInternals, name: 'revocation_endpoint' | 'userinfo_endpoint'): void {
  if (internals.as[name] === undefined) {
    throw new ConfigError(`provider ${name}`, 'is missing: the provider metadata does not declare it')
  }
}

function assertNonEmpty(field: string, value: unknown): void {
  if (typeof value !== 'string' || value === '') throw new InvalidArgumentError(field, 'must be a non-empty string')
}
