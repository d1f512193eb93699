/**
 * @module oauth/token-set
 * The result of a token request. Tokens live in private fields behind getters, and every printable
 * form (`JSON.stringify`, `util.inspect`, `String`) shows only a short fingerprint of each token, so
 * logging a TokenSet by mistake leaks nothing (style habit 6, security case S5).
 */
import { createHash } from 'node:crypto'
import { inspect } from 'node:util'

/** Validated ID token claims (OIDC Core §2), as the OAuth library returned them. */
export interface IDTokenClaims {
  readonly iss: string
  readonly sub: string
  readonly aud: string | string[]
  readonly iat: number
  readonly exp: number
  readonly [claim: string]: unknown
}

/** The fields a {@link TokenSet} is built from. */
export interface TokenSetInit {
  accessToken: string
  tokenType: string
  refreshToken?: string | undefined
  idToken?: string | undefined
  expiresAt?: number | undefined
  scope?: string | undefined
  idTokenClaims?: IDTokenClaims | undefined
}

/**
 * Tokens from one successful token response. `expiresAt` is milliseconds since the epoch computed
 * from the local receive time (the provider's clock is irrelevant); `scope` is the granted scope
 * when the provider returned one (security case X9).
 */
export class TokenSet {
  readonly #accessToken: string
  readonly #refreshToken: string | undefined
  readonly #idToken: string | undefined
  /** Lower-cased token type, e.g. `bearer`. */
  readonly tokenType: string
  readonly expiresAt: number | undefined
  readonly scope: string | undefined
  readonly idTokenClaims: IDTokenClaims | undefined

  constructor(init: TokenSetInit) {
    this.#accessToken = init.accessToken
    this.#refreshToken = init.refreshToken
    this.#idToken = init.idToken
    this.tokenType = init.tokenType
    this.expiresAt = init.expiresAt
    this.scope = init.scope
    this.idTokenClaims = init.idTokenClaims
  }

  get accessToken(): string {
    return this.#accessToken
  }
  get refreshToken(): string | undefined {
    return this.#refreshToken
  }
  /** The raw ID token (e.g. for an `id_token_hint`); its claims are in {@link idTokenClaims}. */
  get idToken(): string | undefined {
    return this.#idToken
  }

  /** A printable summary: token fingerprints instead of tokens. */
  toJSON(): Record<string, unknown> {
    return {
      tokenType: this.tokenType,
      accessToken: tokenFingerprint(this.#accessToken),
      refreshToken: this.#refreshToken === undefined ? undefined : tokenFingerprint(this.#refreshToken),
      idToken: this.#idToken === undefined ? undefined : tokenFingerprint(this.#idToken),
      expiresAt: this.expiresAt,
      scope: this.scope,
      subject: this.idTokenClaims?.sub,
    }
  }

  toString(): string {
    return `TokenSet ${JSON.stringify(this.toJSON())}`
  }

  [inspect.custom](_depth: number, options: { stylize?: unknown }, inspectFn: typeof inspect = inspect): string {
    return `TokenSet ${inspectFn(this.toJSON(), options as object)}`
  }
}

/**
 * A short, non-reversible label for a token (`sha256:` + 8 hex characters), for logs and debugging
 * which token is which without revealing it.
 */
export function tokenFingerprint(token: string): string {
  return `sha256:${createHash('sha256').update(token).digest('hex').slice(0, 8)}`
}
