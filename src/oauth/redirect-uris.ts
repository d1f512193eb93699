/**
 * @module oauth/redirect-uris
 * The redirect URIs Business Messages uses, and the exact-match check the agent applies before it
 * forwards a relayed `redirectUri` to a token endpoint (security case P12).
 * @see docs/contract-decisions.md §4.1
 */

/**
 * The four redirect URIs every provider client must register for Business Messages, byte for byte.
 * The `?` and `&` variants are distinct strings: providers compare redirect URIs exactly.
 */
export const BUSINESS_MESSAGES_REDIRECT_URIS: readonly string[] = Object.freeze([
  'https://business.google.com/callback',
  'https://business.google.com/callback?',
  'https://business.google.com/message?az-intent-type=1',
  'https://business.google.com/message?az-intent-type=1&',
])

/**
 * Whether `uri` equals one of `allowed` exactly (no normalisation, no case folding, no trimming).
 * @param allowed defaults to {@link BUSINESS_MESSAGES_REDIRECT_URIS}; add local stand-ins explicitly.
 */
export function isAllowedRedirectURI(
  uri: unknown,
  allowed: readonly string[] = BUSINESS_MESSAGES_REDIRECT_URIS,
): uri is string {
  return typeof uri === 'string' && allowed.includes(uri)
}
