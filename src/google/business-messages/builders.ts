/**
 * @module google/business-messages/builders
 * Small constructors for the suggestions bm-oauth sends, so callers cannot forget the parts the
 * project decided on (the OAuth chip always carries `codeChallengeMethod: 'S256'`).
 *
 * @see docs/contract-decisions.md §2.3, §2.4, §10 Q1
 */
import type { ActionSuggestion, AuthenticationRequestSuggestion, ReplySuggestion } from './types.ts'

export interface AuthenticationRequestInput {
  /** OAuth client id at the provider. */
  clientId: string
  /** PKCE S256 challenge: base64url(SHA-256(verifier)), no padding. */
  codeChallenge: string
  scopes: readonly string[]
}

/**
 * The OAuth sign-in chip, always with `codeChallengeMethod: 'S256'` (never `plain`).
 * @example
 * ```ts
 * const suggestion = authenticationRequestSuggestion({ clientId: 'bank-agent', codeChallenge, scopes: ['openid'] })
 * ```
 */
export function authenticationRequestSuggestion(input: AuthenticationRequestInput): AuthenticationRequestSuggestion {
  return {
    authenticationRequest: {
      oauth: {
        clientId: input.clientId,
        codeChallenge: input.codeChallenge,
        codeChallengeMethod: 'S256',
        scopes: [...input.scopes],
      },
    },
  }
}

/** A suggested reply chip. */
export function replySuggestion(text: string, postbackData: string): ReplySuggestion {
  return { reply: { text, postbackData } }
}

/** A suggested action that opens a URL. */
export function openUrlSuggestion(text: string, url: string, postbackData: string): ActionSuggestion {
  return { action: { text, postbackData, openUrlAction: { url } } }
}
