/**
 * @module channel/business-messages/channel
 * {@link businessMessages}: the Business Messages channel. Its sign-in is the native chip (the
 * provider's code comes back in an `authenticationResponse` webhook), its client sends through the
 * Business Messages API with the agent's representative, and its webhook settings (signing keys,
 * the verification client token) are read by the agent's receiver.
 */
import { randomUUID } from 'node:crypto'
import { ConfigError, GoogleAPIError } from '../../errors.ts'
import { BusinessMessagesClient } from '../../google/business-messages/client.ts'
import type { Message, Representative } from '../../google/business-messages/types.ts'
import { parseAgentName } from '../../google/resource-names.ts'
import { type AccessTokenSource, ServiceAccountCredentials } from '../../google/service-account.ts'
import { readServiceAccountKey, type ServiceAccountKey } from '../../google/service-account-key.ts'
import { BUSINESS_MESSAGES_REDIRECT_URIS } from '../../oauth/redirect-uris.ts'
import type { Channel, ChannelClient, ChannelDeps, SignInMode } from '../channel.ts'
import { BOT_REPRESENTATIVE, DEFAULT_SIGN_IN_FALLBACK, toBusinessMessage } from './outbound.ts'

/** A Business Messages message as an author builds it for `ctx.sayRaw`: no id, representative optional. */
export type BusinessMessagesRaw = Omit<Message, 'messageId' | 'representative'> & {
  readonly representative?: Representative
}

/** How the agent authenticates to the Business Messages API: exactly one of the three. */
export type BusinessMessagesCredentials =
  | { readonly keyFile: string }
  | { readonly key: ServiceAccountKey }
  | AccessTokenSource

/** Webhook settings (docs/contract-decisions.md §3.6–3.7, §10 Q6–Q7). */
export interface BusinessMessagesWebhookOptions {
  /** Signing keys: the current client token first, optionally the previous one during rotation. */
  readonly keys?: readonly string[]
  /** The client token, to answer Google's verification handshake. */
  readonly clientToken?: string
  /** Local testing only: accept unsigned bodies (logs a loud warning). */
  readonly unsafeDisableSignatureVerification?: boolean
  /** Where `serveAgent` mounts the webhook (default `/business-messages`). */
  readonly path?: string
}

/** Options of {@link businessMessages}. */
export interface BusinessMessagesOptions {
  /**
   * The agents this process answers for, `brands/{b}/agents/{a}`. One per process today: events are
   * routed by agent once storage is keyed by channel (docs/api.md §5).
   */
  readonly agents: readonly string[]
  readonly credentials: BusinessMessagesCredentials
  readonly webhook: BusinessMessagesWebhookOptions
  /** Business Messages API origin (default Google's; the emulator's URL locally). */
  readonly baseUrl?: string
  /** Default `{ representativeType: 'BOT' }`. */
  readonly representative?: Representative
  /** The `fallback` text of sign-in prompts, for clients that cannot show the chip. */
  readonly signInFallback?: string
  /**
   * Redirect URIs a relayed `redirectUri` may be (exact match, P12 in docs/security.md). Default: the
   * four Google URIs. Local stand-ins are accepted only when listed here explicitly.
   */
  readonly allowedRedirectUris?: readonly string[]
  /** Send TYPING_STARTED / TYPING_STOPPED around each handler call (default true). */
  readonly typingIndicators?: boolean
}

/** The Business Messages channel object `createAgent` takes. */
export interface BusinessMessagesChannel extends Channel<'business-messages', BusinessMessagesRaw> {
  readonly signIn: Extract<SignInMode, { mode: 'chip' }>
  /** Read by the agent's webhook receiver. */
  readonly webhook: BusinessMessagesWebhookOptions
}

/**
 * The Business Messages channel.
 * @throws {BmOAuthError} `ERR_CONFIG` for a malformed agent name or no agent.
 * @example
 * ```ts
 * businessMessages({ agents: ['brands/1/agents/2'], credentials: { keyFile }, webhook: { keys: [clientToken], clientToken } })
 * ```
 */
export function businessMessages(options: BusinessMessagesOptions): BusinessMessagesChannel {
  const agents = [...options.agents]
  if (agents.length !== 1) {
    throw new ConfigError('businessMessages.agents', 'exactly one agent name (brands/{b}/agents/{a})')
  }
  for (const agent of agents) {
    try {
      parseAgentName(agent)
    } catch (err) {
      throw new ConfigError('businessMessages.agents', (err as Error).message, undefined, { cause: err })
    }
  }
  const representative = options.representative ?? BOT_REPRESENTATIVE
  const style = { representative, signInFallback: options.signInFallback ?? DEFAULT_SIGN_IN_FALLBACK }
  return {
    id: 'business-messages',
    agents: Object.freeze(agents),
    signIn: Object.freeze({
      mode: 'chip',
      allowedRedirectUris: Object.freeze([...(options.allowedRedirectUris ?? BUSINESS_MESSAGES_REDIRECT_URIS)]),
    }),
    webhook: options.webhook,
    async connect(deps: ChannelDeps): Promise<ChannelClient<BusinessMessagesRaw>> {
      const bm = new BusinessMessagesClient({
        credentials: await accessTokenSource(options.credentials, deps),
        fetch: deps.fetch,
        logger: deps.logger,
        ...(options.baseUrl === undefined ? {} : { baseUrl: options.baseUrl }),
      })
      const client: ChannelClient<BusinessMessagesRaw> = {
        send: (to, message, messageId) => sendOnce(bm, to.conversation, toBusinessMessage(message, messageId, style)),
        sendRaw: (to, message, messageId) =>
          sendOnce(bm, to.conversation, { representative, ...message, messageId } as Message),
        async close() {},
      }
      if (options.typingIndicators === false) return client
      return {
        ...client,
        async typing(to, state) {
          // Random ids: a delivery processed again after a crash simply shows typing again.
          const eventType = state === 'started' ? 'TYPING_STARTED' : 'TYPING_STOPPED'
          await bm.createEvent(to.conversation, randomUUID(), { eventType, representative })
        },
      }
    },
  }
}

/**
 * Sends a message whose id is deterministic per (conversation, delivery, position): `ALREADY_EXISTS`
 * means an earlier attempt at this same delivery sent it (the reply was lost, or the turn failed
 * after it), so it counts as sent (docs/contract-decisions.md §10 "crash semantics").
 */
async function sendOnce(bm: BusinessMessagesClient, conversation: string, message: Message): Promise<void> {
  try {
    await bm.createMessage(conversation, message)
  } catch (err) {
    if (err instanceof GoogleAPIError && err.rpcStatus === 'ALREADY_EXISTS') return
    throw err
  }
}

async function accessTokenSource(
  credentials: BusinessMessagesCredentials,
  deps: ChannelDeps,
): Promise<AccessTokenSource> {
  if ('getAccessToken' in credentials) return credentials
  const key = 'key' in credentials ? credentials.key : await readServiceAccountKey(credentials.keyFile)
  return new ServiceAccountCredentials(key, { scopes: ['businessmessages'], fetch: deps.fetch })
}
