/**
 * @module pkce
 * Public entry of the PKCE helpers (RFC 7636).
 */
export {
  CODE_CHALLENGE_METHOD,
  calculateS256Challenge,
  generateCodeVerifier,
  isValidCodeVerifier,
  validateCodeVerifier,
} from './pkce.ts'
export type { RandomBytes } from './pkce.ts'
