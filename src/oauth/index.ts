/**
 * @module oauth
 * Public entry of the OAuth wrapper: the only part of bm-oauth that imports the OAuth client library.
 */
export { BUSINESS_MESSAGES_REDIRECT_URIS, isAllowedRedirectURI } from './redirect-uris.ts'
export { DEFAULT_OAUTH_TIMEOUT_MS } from './config.ts'
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
export { MAX_RESPONSE_BYTES } from './http.ts'
export { OAuthProvider, resolveProvider } from './provider.ts'
export { TokenSet, tokenFingerprint } from './token-set.ts'
export type { IDTokenClaims, TokenSetInit } from './token-set.ts'
export { exchangeAuthorizationCode, fetchUserInfo, refreshTokens, revokeToken } from './operations.ts'
export type { AuthorizationCodeExchange, TokenTypeHint, UserInfo } from './operations.ts'
