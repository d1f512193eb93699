/**
 * @module google/business-messages/client
 * Typed client for the Business Messages API v1 sending methods. Every message is validated
 * locally first, paced per conversation (≤ 60 per rolling minute), and sent with an id that stays
 * the same across retries, so a retry after an unknown outcome cannot produce a duplicate bubble:
 * Google answers `ALREADY_EXISTS`, which the client reports as success.
 *
 * @see docs/contract-decisions.md §2.1 (methods), §2.6 (failure behaviour)
 * @see docs/contract-decisions.md §10 "client retry policy", §10 "crash semantics"
 */
import { randomUUID } from 'node:crypto'
import { GoogleHTTP, type CreateOutcome, type GoogleClientOptions } from '../http.ts'
import { ConversationPacer, type ConversationPacerOptions } from '../pacer.ts'
import { validateConversationId, validateResourceId } from '../resource-names.ts'
import type { Event, Message, Receipt, Survey } from './types.ts'
import { validateEvent, validateMessage, validateReceipt } from './validate.ts'

/** Google's Business Messages API origin. */
export const BUSINESS_MESSAGES_BASE_URL = 'https://businessmessages.googleapis.com/'

export interface BusinessMessagesClientOptions extends GoogleClientOptions {
  /** Per-conversation pacer for `messages.create` (default: 60 per 60 s); `false` turns pacing off. */
  pacer?: ConversationPacer | false
  /** Makes message and survey ids when the caller gives none (default `crypto.randomUUID`). */
  generateId?: () => string
}

export interface CreateMessageOptions {
  /** Send `fallback` instead of the content (agents not yet launched only); requires `fallback`. */
  forceFallback?: boolean
}

/**
 * Business Messages API client.
 * @example
 * ```ts
 * const bm = new BusinessMessagesClient({ credentials })
 * const sent = await bm.createMessage(conversationId, {
 *   text: 'Hello',
 *   representative: { representativeType: 'BOT' },
 * })
 * ```
 */
export class BusinessMessagesClient {
  readonly #http: GoogleHTTP
  readonly #pacer: ConversationPacer | undefined
  readonly #generateId: () => string

  constructor(options: BusinessMessagesClientOptions) {
    const { pacer, generateId, ...httpOptions } = options
    this.#http = new GoogleHTTP({ ...httpOptions, baseUrl: options.baseUrl ?? BUSINESS_MESSAGES_BASE_URL })
    this.#generateId = generateId ?? randomUUID
    this.#pacer = pacer === false ? undefined : (pacer ?? defaultPacer(options))
  }

  /**
   * `conversations.messages.create`. Generates `messageId` when absent; every retry of this call
   * sends the same id. Returns the created message (with `name`).
   * @throws {InvalidArgumentError} when the message breaks a documented limit (nothing is sent).
   * @throws {GoogleAPIError} e.g. 403 `PERMISSION_DENIED` for an unknown conversation.
   */
  async createMessage(conversationId: string, message: Message, options: CreateMessageOptions = {}): Promise<Message> {
    validateConversationId(conversationId)
    const { name: _outputOnly, ...fields } = message
    const body = { ...fields, messageId: message.messageId ?? this.#generateId() } as Message
    validateMessage(body, options)
    const slot = await this.#pacer?.acquire(conversationId)
    const outcome = await this.#http
      .create<Message>({
        method: 'POST',
        path: `v1/conversations/${conversationId}/messages`,
        query: { forceFallback: options.forceFallback === true ? true : undefined },
        body,
      })
      .finally(() => slot?.settle())
    return resolveCreate(outcome, body, `conversations/${conversationId}/messages/${body.messageId}`)
  }

  /** `conversations.events.create` (`eventId` in the query string), e.g. `TYPING_STARTED`. */
  async createEvent(conversationId: string, eventId: string, event: Event): Promise<Event> {
    validateConversationId(conversationId)
    validateResourceId(eventId, 'eventId')
    const { name: _outputOnly, ...body } = event
    validateEvent(body)
    const outcome = await this.#http.create<Event>({
      method: 'POST',
      path: `v1/conversations/${conversationId}/events`,
      query: { eventId },
      body,
    })
    return resolveCreate(outcome, body, `conversations/${conversationId}/events/${eventId}`)
  }

  /** `conversations.messages.updateReceipt`: marks a user's message `READ`. */
  async updateReceipt(conversationId: string, messageId: string, receipt: Receipt): Promise<Receipt> {
    validateConversationId(conversationId)
    validateResourceId(messageId, 'messageId')
    validateReceipt(receipt)
    return this.#http.request<Receipt>({
      method: 'PATCH',
      path: `v1/conversations/${conversationId}/messages/${messageId}/receipt`,
      body: receipt,
    })
  }

  /** `conversations.surveys.create` (`surveyId` in the query string, body `{}`); id generated when absent. */
  async createSurvey(conversationId: string, surveyId?: string): Promise<Survey> {
    validateConversationId(conversationId)
    const id = validateResourceId(surveyId ?? this.#generateId(), 'surveyId')
    const outcome = await this.#http.create<Survey>({
      method: 'POST',
      path: `v1/conversations/${conversationId}/surveys`,
      query: { surveyId: id },
      body: {},
      // RESOURCE_EXHAUSTED here is the one-survey-per-24-hours rule
      // (docs/contract-decisions.md §2.5), not a rate limit.
      noRetryOn: [429],
    })
    return resolveCreate(outcome, {}, `conversations/${conversationId}/surveys/${id}`)
  }
}

/** The standard pacer, sharing the client's clock and sleep (so tests control both). */
function defaultPacer(options: GoogleClientOptions): ConversationPacer {
  const pacerOptions: ConversationPacerOptions = {}
  if (options.clock !== undefined) pacerOptions.clock = options.clock
  if (options.sleep !== undefined) pacerOptions.sleep = options.sleep
  return new ConversationPacer(pacerOptions)
}

/** The server's answer, or — when an earlier attempt already created it — what we sent, named. */
function resolveCreate<T extends { name?: string }>(outcome: CreateOutcome<T>, sent: object, name: string): T {
  if (outcome.kind === 'created') return outcome.body
  return { ...sent, name } as T
}
