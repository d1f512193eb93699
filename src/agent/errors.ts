/**
 * @module agent/errors
 * The one error an agent author meets: the user's grant is gone and they were asked to sign in
 * again. It uses the existing `ERR_OAUTH_INVALID_GRANT` code (the grant is invalid) and carries no
 * token or provider text.
 */
import { BmOAuthError } from '../errors.ts'

/** Thrown by `Session.getAccessToken()` / `fetch()` when the user must sign in again (already prompted). */
export class SignInRequiredError extends BmOAuthError {
  readonly conversationId: string
  constructor(conversationId: string) {
    super('ERR_OAUTH_INVALID_GRANT', 'the user must sign in again; a sign-in prompt was sent', { status: 401 })
    this.name = 'SignInRequiredError'
    this.conversationId = conversationId
  }
}
