/**
 * @module web/signin
 * Tapping the **Sign in** chip (docs/contract-decisions.md §4.2). The emulator builds the
 * authorization URL with a stand-in redirect URI on its own origin (`/callback`), since
 * business.google.com is out of reach. The page opens that URL in a popup; the provider's redirect
 * lands on the emulator, which delivers `authenticationResponse` to the agent by itself. The page
 * only watches: when the transcript shows the response it closes the popup; when the user closes
 * the popup first, it reports the sign-in as cancelled (`errorDetails.error = ACCESS_DENIED`).
 */
import { ApiError, emulator } from './api.js'

const WATCH_INTERVAL_MS = 400
/** After the popup closes, how long the emulator gets to record a completion that raced the close. */
const CLOSE_GRACE_MS = 800

/**
 * @typedef {{ conversationId: string, startedAfterSeq: number, popup: Window | null,
 *   authorizationUrl: string, timer: number | undefined }} SignInAttempt
 */

/**
 * Starts a sign-in. Call it straight from the click handler: the popup is opened before the first
 * `await`, or popup blockers refuse it.
 * @param {{ conversationId: string, newestSeq: number, onStatus: (text: string, link?: string) => void,
 *   hasResponseAfter: (seq: number) => Promise<boolean>, onFinished: () => void }} options
 * @returns {Promise<SignInAttempt | undefined>}
 */
export async function startSignIn(options) {
  const popup = window.open('about:blank', 'bm-oauth-signin', 'popup,width=480,height=680')
  // The provider's pages need no handle on the chat (reverse tabnabbing); the page keeps its own.
  if (popup !== null) popup.opener = null
  let started
  try {
    started = await emulator.startSignIn(options.conversationId)
  } catch (err) {
    popup?.close()
    options.onStatus(`Could not start the sign-in: ${err instanceof Error ? err.message : String(err)}`)
    options.onFinished()
    return undefined
  }
  /** @type {SignInAttempt} */
  const attempt = {
    conversationId: options.conversationId,
    startedAfterSeq: options.newestSeq,
    popup,
    authorizationUrl: started.authorizationUrl,
    timer: undefined,
  }
  if (popup === null) {
    options.onStatus('The browser blocked the sign-in window. Open it here:', started.authorizationUrl)
    return attempt
  }
  popup.location.href = started.authorizationUrl
  options.onStatus('Signing in in the popup window…')
  attempt.timer = window.setInterval(() => {
    if (!popup.closed) return
    window.clearInterval(attempt.timer)
    attempt.timer = undefined
    window.setTimeout(() => void cancelIfUnfinished(attempt, options), CLOSE_GRACE_MS)
  }, WATCH_INTERVAL_MS)
  return attempt
}

async function cancelIfUnfinished(attempt, options) {
  let notice
  try {
    if (await options.hasResponseAfter(attempt.startedAfterSeq)) return
    await emulator.cancelSignIn(attempt.conversationId)
    notice = 'Sign-in window closed: the agent was told you cancelled.'
  } catch (err) {
    // 409: the sign-in finished (or was cancelled) in the meantime; nothing left to report.
    if (!(err instanceof ApiError && err.status === 409)) notice = `Could not cancel: ${err.message}`
  } finally {
    options.onFinished()
  }
  if (notice !== undefined) options.onStatus(notice)
}

/** The transcript shows the response: stop watching and close the popup. */
export function finishSignIn(attempt) {
  if (attempt.timer !== undefined) window.clearInterval(attempt.timer)
  attempt.timer = undefined
  if (attempt.popup !== null && !attempt.popup.closed) attempt.popup.close()
}
