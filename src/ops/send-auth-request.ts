/**
 * @module ops/send-auth-request
 * The seed's send step as one operation: a fresh PKCE verifier and its S256 challenge, the pending
 * sign-in stored first (verifier sealed, keyed by agent and conversation, replacing any earlier
 * prompt: P6), then one `messages.create` with text, fallback, a BOT representative and the
 * `authenticationRequest` chip carrying `codeChallengeMethod: 'S256'` explicitly
 * (docs/contract-decisions.md §10 Q1). Storing first means a chip is never out without its
 * verifier; the verifier never leaves this function except sealed.
 */
import { BUSINESS_MESSAGES } from '../channel/types.ts'
import { BOT_REPRESENTATIVE } from '../channel/business-messages/outbound.ts'
import { systemClock, type Clock } from '../core/clock.ts'
import { InvalidArgumentError } from '../errors.ts'
import { authenticationRequestSuggestion } from '../google/business-messages/builders.ts'
import type { BusinessMessagesClient } from '../google/business-messages/client.ts'
import { validateConversationId } from '../google/resource-names.ts'
import { calculateS256Challenge, generateCodeVerifier, type RandomBytes } from '../pkce/pkce.ts'
import type { PendingSignInStore } from '../signin-store/pending-signins.ts'

/** Default chip message text (docs/contract-decisions.md §2.4 canonical message). */
export const DEFAULT_AUTH_REQUEST_TEXT = 'Sign in to continue the conversation.'
/** Default fallback for devices that cannot show the chip. */
export const DEFAULT_AUTH_REQUEST_FALLBACK =
  'Your device cannot show the sign-in button. Please update the app and try again.'

export interface SendAuthRequestInput {
  agent: string
  conversation: string
  /** OAuth client id at the provider. */
  clientId: string
  scopes: readonly string[]
  /** Id of the configured provider (see `providerIdOf`); the pending sign-in is bound to it. */
  provider: string
  text?: string | undefined
  fallback?: string | undefined
}

export interface SendAuthRequestDeps {
  pendingSignIns: Pick<PendingSignInStore, 'put'>
  messages: Pick<BusinessMessagesClient, 'createMessage'>
  clock?: Clock
  /** CSPRNG seam for the verifier (default `crypto.randomBytes`). */
  random?: RandomBytes
}

/** What was sent and stored: names and times only, no verifier. */
export interface SentAuthRequest {
  messageName: string
  agent: string
  conversation: string
  provider: string
  scopes: readonly string[]
  codeChallengeMethod: 'S256'
  /** 1 for the first prompt in the conversation; more when it replaced a pending one. */
  attempts: number
  expiresAt: number
}

/**
 * Stores a pending sign-in and sends the sign-in chip.
 * @throws {InvalidArgumentError} for a bad conversation id, no scopes, or a message over Google's limits.
 * @throws {GoogleAPIError} when Business Messages refuses the message (the pending sign-in stays until it expires).
 */
export async function sendAuthRequest(
  deps: SendAuthRequestDeps,
  input: SendAuthRequestInput,
): Promise<SentAuthRequest> {
  validateConversationId(input.conversation)
  if (input.scopes.length === 0) throw new InvalidArgumentError('scopes', 'at least one scope (--scope)')
  if (input.clientId.trim() === '') throw new InvalidArgumentError('clientId', 'must not be empty')
  const clock = deps.clock ?? systemClock
  const codeVerifier = generateCodeVerifier(deps.random)
  const codeChallenge = calculateS256Challenge(codeVerifier)
  const pending = await deps.pendingSignIns.put(
    {
      channel: BUSINESS_MESSAGES,
      agent: input.agent,
      conversation: input.conversation,
      provider: input.provider,
      scopes: input.scopes,
      codeVerifier,
    },
    clock.now(),
  )
  const sent = await deps.messages.createMessage(input.conversation, {
    text: input.text ?? DEFAULT_AUTH_REQUEST_TEXT,
    fallback: input.fallback ?? DEFAULT_AUTH_REQUEST_FALLBACK,
    representative: BOT_REPRESENTATIVE,
    suggestions: [authenticationRequestSuggestion({ clientId: input.clientId, codeChallenge, scopes: input.scopes })],
  })
  return {
    messageName: sent.name ?? `conversations/${input.conversation}/messages/${sent.messageId ?? ''}`,
    agent: input.agent,
    conversation: input.conversation,
    provider: input.provider,
    scopes: [...input.scopes],
    codeChallengeMethod: 'S256',
    attempts: pending.attempts,
    expiresAt: pending.expiresAt,
  }
}
