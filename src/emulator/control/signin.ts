/**
 * @module emulator/control/signin
 * Control API, sign-in part: the simulated device taps an `authenticationRequest` chip
 * (docs/contract-decisions.md §4.1–4.2, §10 Q1–Q4).
 *
 * | route | body | answer |
 * |---|---|---|
 * | `POST /emulator/v1/conversations/:id/signin/start` | `{surface?: web\|web-query\|android\|android-amp, standIn?: boolean}` | `{authorizationUrl, redirectUri, state}` |
 * | `POST /emulator/v1/conversations/:id/signin/complete` | `{location}` (the provider's redirect `Location`, not followed) | `{outcome: code\|error, error?, requestId, deliveryId}` |
 * | `POST /emulator/v1/conversations/:id/signin/cancel` | — | `{outcome: error, error: ACCESS_DENIED, requestId, deliveryId}` |
 * | `GET /callback?…`, `GET /message?…` | — | stand-in redirect targets of the browser demo: complete the sign-in named by `state`, answer a small HTML page |
 *
 * Start needs the newest message of the conversation to carry an `authenticationRequest` chip and
 * the agent to have `authorizationConfig.endpointUrl` (else 409 `FAILED_PRECONDITION`). It records a
 * random `state`; completion checks it and is single use. A code is delivered as
 * `authenticationResponse {code, redirectUri}`, a provider error as `errorDetails` with the
 * upper-case error name. Codes are never logged.
 */
import {
  buildAuthorizationURL,
  errorEnumFromOAuth,
  lenientQuery,
  newState,
  readAuthorizationRedirect,
  redirectURIForSurface,
  SURFACES,
  type OAuthChip,
  type Surface,
} from '../device/signin.ts'
import {
  deliverUserEvent,
  newestAgentMessage,
  notNow,
  readControlBody,
  requireConversation,
  suggestionsOf,
  type ControlDeps,
  type DeliveredAction,
} from './device-actions.ts'
import type { Conversation, SignIn } from '../state/conversation-store.ts'
import { EmulatorError } from '../http/errors.ts'
import { htmlReply, jsonReply, type Reply } from '../http/http-io.ts'
import type { JSONObject } from '../state/resource-store.ts'
import type { RequestContext, Router } from '../http/router.ts'

/** Registers the sign-in routes (control API and stand-in redirect targets). */
export function addSignInControlRoutes(router: Router, deps: ControlDeps): void {
  const base = '/emulator/v1/conversations/:conversationId/signin'
  router
    .add('POST', `${base}/start`, (ctx) => startSignIn(deps, ctx))
    .add('POST', `${base}/complete`, (ctx) => completeFromControl(deps, ctx))
    .add('POST', `${base}/cancel`, (ctx) => cancelSignIn(deps, ctx))
    .add('GET', '/callback', (ctx) => completeFromStandIn(deps, ctx))
    .add('GET', '/message', (ctx) => completeFromStandIn(deps, ctx))
}

async function startSignIn(deps: ControlDeps, ctx: RequestContext): Promise<Reply> {
  const conversation = requireConversation(deps, ctx)
  const body = await readControlBody(ctx)
  const surface = body['surface'] ?? 'web'
  if (typeof surface !== 'string' || !SURFACES.includes(surface as Surface)) {
    throw new EmulatorError('INVALID_ARGUMENT', `surface: must be one of ${SURFACES.join(', ')}`)
  }
  const standIn = body['standIn'] ?? false
  if (typeof standIn !== 'boolean') throw new EmulatorError('INVALID_ARGUMENT', 'standIn: must be a boolean')
  const message = newestAgentMessage(deps, conversation.id)
  const chip =
    message === undefined ? undefined : suggestionsOf(message).find((s) => s['authenticationRequest'] !== undefined)
  if (message === undefined || chip === undefined) {
    throw notNow('The newest message carries no authenticationRequest chip.')
  }
  const oauth = (chip['authenticationRequest'] as JSONObject)['oauth'] as JSONObject
  const endpointUrl = authorizationEndpoint(deps, conversation)
  const redirectUri = redirectURIForSurface(surface as Surface, standIn ? deps.standInOrigin : undefined)
  const state = newState()
  const authorizationUrl = buildAuthorizationURL(endpointUrl, toOAuthChip(oauth), redirectUri, state)
  deps.conversations.insertSignIn({
    state,
    conversationId: conversation.id,
    messageName: message.name ?? '',
    redirectUri,
    chip: oauth,
    status: 'pending',
    createdAt: deps.clock.now(),
  })
  deps.logger.info(
    { event: 'device.signin.started', conversationId: conversation.id, surface, standIn },
    'sign-in started',
  )
  return jsonReply({ authorizationUrl, redirectUri, state })
}

function authorizationEndpoint(deps: ControlDeps, conversation: Conversation): string {
  const agent = deps.resources.getAgent(conversation.agentName)?.agent
  const bm = agent?.['businessMessagesAgent'] as JSONObject | undefined
  const url = (bm?.['authorizationConfig'] as JSONObject | undefined)?.['endpointUrl']
  if (typeof url !== 'string' || url === '') {
    throw notNow('The agent has no businessMessagesAgent.authorizationConfig.endpointUrl.')
  }
  return url
}

/**
 * The stored chip, with the method already defaulted to `plain` by the BM API
 * (docs/contract-decisions.md §10 Q1).
 */
function toOAuthChip(oauth: JSONObject): OAuthChip {
  const chip: OAuthChip = {
    clientId: String(oauth['clientId']),
    codeChallenge: String(oauth['codeChallenge']),
    scopes: Array.isArray(oauth['scopes']) ? oauth['scopes'].map(String) : [],
  }
  if (typeof oauth['codeChallengeMethod'] === 'string') chip.codeChallengeMethod = oauth['codeChallengeMethod']
  return chip
}

/** The sign-in a redirect `Location` refers to: by its `state`, else the conversation's pending one. */
function findSignIn(deps: ControlDeps, location: string, conversationId: string | undefined): SignIn {
  const state = URL.canParse(location) ? lenientQuery(new URL(location).search).get('state') : null
  const byState = state === null ? undefined : deps.conversations.getSignIn(state)
  const signIn =
    byState !== undefined && (conversationId === undefined || byState.conversationId === conversationId)
      ? byState
      : conversationId === undefined
        ? undefined
        : deps.conversations.pendingSignIn(conversationId)
  if (signIn === undefined) throw notNow('No sign-in is pending for this redirect.')
  if (signIn.status !== 'pending') throw notNow('That sign-in is no longer pending.')
  return signIn
}

/** Checks the redirect against the sign-in and delivers the authenticationResponse (single use). */
type SignInResult = { outcome: 'code' | 'error'; error?: string } & DeliveredAction

function finishWithRedirect(deps: ControlDeps, signIn: SignIn, location: string): SignInResult {
  const redirect = readAuthorizationRedirect(location, { redirectUri: signIn.redirectUri, state: signIn.state })
  if (!deps.conversations.finishSignIn(signIn.state, 'completed', deps.clock.now())) {
    throw notNow('That sign-in is no longer pending.')
  }
  const conversation = deps.conversations.getConversation(signIn.conversationId) as Conversation
  const shape = { kind: 'authenticationResponse' as const, bubble: false }
  if (redirect.kind === 'code') {
    const done = deliverUserEvent(
      deps,
      conversation,
      { type: 'auth-code', code: redirect.code, redirectUri: signIn.redirectUri },
      shape,
    )
    return { outcome: 'code', ...done }
  }
  const error = errorEnumFromOAuth(redirect.error)
  const event =
    redirect.errorDescription === undefined
      ? { type: 'auth-error' as const, error }
      : { type: 'auth-error' as const, error, errorDescription: redirect.errorDescription }
  return { outcome: 'error', error, ...deliverUserEvent(deps, conversation, event, shape) }
}

async function completeFromControl(deps: ControlDeps, ctx: RequestContext): Promise<Reply> {
  const conversation = requireConversation(deps, ctx)
  const location = (await readControlBody(ctx))['location']
  if (typeof location !== 'string' || location === '') {
    throw new EmulatorError('INVALID_ARGUMENT', 'location: required')
  }
  return jsonReply(finishWithRedirect(deps, findSignIn(deps, location, conversation.id), location))
}

async function cancelSignIn(deps: ControlDeps, ctx: RequestContext): Promise<Reply> {
  const conversation = requireConversation(deps, ctx)
  await readControlBody(ctx)
  const signIn = deps.conversations.pendingSignIn(conversation.id)
  if (signIn === undefined || !deps.conversations.finishSignIn(signIn.state, 'cancelled', deps.clock.now())) {
    throw notNow('No sign-in is pending in this conversation.')
  }
  const done = deliverUserEvent(
    deps,
    conversation,
    { type: 'auth-error', error: 'ACCESS_DENIED', errorDescription: 'user cancelled' },
    { kind: 'authenticationResponse', bubble: false },
  )
  return jsonReply({ outcome: 'error', error: 'ACCESS_DENIED', ...done })
}

/** GET /callback or /message at the stand-in origin: the browser demo's redirect lands here. */
function completeFromStandIn(deps: ControlDeps, ctx: RequestContext): Reply {
  try {
    const probe = new URL(ctx.url.pathname + ctx.url.search, deps.standInOrigin).toString()
    const signIn = findSignIn(deps, probe, undefined)
    const location = new URL(ctx.url.pathname + ctx.url.search, new URL(signIn.redirectUri).origin).toString()
    const result = finishWithRedirect(deps, signIn, location)
    return result.outcome === 'code'
      ? htmlReply(200, 'Signed in', 'You are signed in. You can close this window and return to the conversation.')
      : htmlReply(200, 'Sign-in not completed', `The provider answered ${result.error}. You can close this window.`)
  } catch (err) {
    const detail = err instanceof Error ? err.message : 'unknown error'
    return htmlReply(400, 'Sign-in failed', `${detail} You can close this window.`)
  }
}
