/**
 * @module agent/errors
 * The one error an agent author meets: the user's grant is gone and they were asked to sign in
 * again (code `ERR_SIGNIN_REQUIRED`). It carries no token or provider text.
 */
import type { ConversationKey } from '../channel/types.ts'
import { BmOAuthError } from '../errors.ts'

/** Thrown by `Session.getAccessToken()` / `fetch()` when the user must sign in again (already prompted). */
export class SignInRequiredError extends BmOAuthError<'ERR_SIGNIN_REQUIRED'> {
  /** The conversation whose user was prompted. */
  readonly key: ConversationKey
  constructor(key: ConversationKey) {
    super('ERR_SIGNIN_REQUIRED', 'the user must sign in again; a sign-in prompt was sent', { status: 401 })
    this.name = 'SignInRequiredError'
    this.key = key
  }
}
