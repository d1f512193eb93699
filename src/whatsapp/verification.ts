/**
 * @module whatsapp/verification
 * The answer to Meta's `GET` verification request (docs/whatsapp-decisions.md §1), as a pure
 * function: `hub.mode=subscribe` and a `hub.verify_token` equal (in constant time) to the configured
 * one → 200 with `hub.challenge` echoed as plain text; anything else → 403 with no echo.
 */
import { createHash, timingSafeEqual } from 'node:crypto'
import { InvalidArgumentError } from '../errors.ts'

/** What to answer: the status and the plain-text body. */
export interface VerificationAnswer {
  readonly status: 200 | 403
  readonly body: string
}

/** The longest challenge echoed back; Meta sends a short integer, so anything longer is not Meta. */
const MAX_CHALLENGE_LENGTH = 256

/**
 * Answers a verification request from its query parameters.
 * @param query the request's query, e.g. `new URL(req.url).searchParams`
 * @param verifyToken the Verify Token configured in the App Dashboard
 */
export function answerWhatsAppVerification(query: URLSearchParams, verifyToken: string): VerificationAnswer {
  if (verifyToken === '') throw new InvalidArgumentError('verifyToken', 'must not be empty')
  const forbidden: VerificationAnswer = { status: 403, body: 'Forbidden' }
  const mode = query.get('hub.mode')
  const token = query.get('hub.verify_token')
  const challenge = query.get('hub.challenge')
  // The token is compared before anything else is judged, so the answer's timing says nothing about it.
  const tokenOk = token !== null && sameSecret(token, verifyToken)
  if (mode !== 'subscribe' || !tokenOk || challenge === null || challenge === '') return forbidden
  // The challenge is echoed as text/plain; refusing anything but a short token keeps the endpoint
  // from reflecting arbitrary markup.
  if (challenge.length > MAX_CHALLENGE_LENGTH || !/^[\w.-]+$/.test(challenge)) return forbidden
  return { status: 200, body: challenge }
}

/** Constant-time equality of two strings of any length (both are hashed to equal-length digests first). */
function sameSecret(a: string, b: string): boolean {
  const digest = (s: string): Buffer => createHash('sha256').update(s, 'utf8').digest()
  return timingSafeEqual(digest(a), digest(b))
}
