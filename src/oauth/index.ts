/**
 * @module oauth
 * Entry of `bm-oauth/oauth`: the provider side of sign-in. Provider resolution, the four provider
 * calls (code exchange, refresh, revocation, userinfo), PKCE (RFC 7636, S256 only), the redirect URIs
 * Business Messages uses, and the OAuth errors. The only part of bm-oauth that imports the OAuth
 * client library.
 */
export { BUSINESS_MESSAGES_REDIRECT_URIS, isAllowedRedirectURI } from './redirect-uris.ts'
export type {
  ClientConfig,
  DiscoveredProviderConfig,
  ExplicitProviderConfig,
  OAuthConfig,
  OAuthOptions,
  ProviderConfig,
  TokenEndpointAuthMethod,
} from './config.ts'
export { OAuthProtocolError, OAuthResponseError } from './errors.ts'
export type { OAuthOperation, OAuthResponseErrorOptions } from './errors.ts'
export { OAuthProvider, resolveProvider } from './provider.ts'
export { TokenSet, tokenFingerprint } from './token-set.ts'
export type { IDTokenClaims, TokenSetInit } from './token-set.ts'
export { exchangeAuthorizationCode, fetchUserInfo, refreshTokens, revokeToken } from './operations.ts'
export type { AuthorizationCodeExchange, TokenTypeHint, UserInfo } from './operations.ts'
export { calculateS256Challenge, generateCodeVerifier, validateCodeVerifier } from '../pkce/index.ts'
export type { RandomBytes } from '../pkce/index.ts'
