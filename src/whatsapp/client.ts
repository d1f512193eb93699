/**
 * @module whatsapp/client
 * A typed client of the Cloud API's messages endpoint, `POST /{version}/{phone-number-id}/messages`:
 * send a message, mark one read (with the typing indicator). Bearer authentication with the
 * system-user token, a deadline per attempt, Meta's envelope → {@link WhatsAppAPIError}, and the
 * retry rule of docs/whatsapp-decisions.md §5: 130429, 131056, 80007 and 4 are retried with
 * full-jitter backoff (core/retry), 131047, 131048 and every other code never. A send that timed out
 * or lost its connection is not retried here: it may have been accepted, and the outbox above
 * decides (docs/whatsapp-decisions.md §5). Time, sleeping, randomness and fetch are injected. Logs carry method, path, status,
 * Graph code and attempt only: never the token, a header or a body.
 */
import { silentLogger, type Logger } from '../core/logger.ts'
import { backoffDelay, parseRetryAfter, type Backoff } from '../core/retry.ts'
import {
  attemptExchange,
  resolveHttpSeams,
  type HttpSeamOptions,
  type HttpSeams,
  type RawResponse,
} from '../core/transport.ts'
import { BmOAuthError, InvalidArgumentError, type WhatsAppAPIError } from '../errors.ts'
import { readReceipt } from './builders.ts'
import { PAIR_RATE_LIMIT_CODE, RETRIED_GRAPH_CODES, toWhatsAppAPIError } from './graph-error.ts'
import type { OutboundMessage, SendMessageResponse } from './types.ts'

/** Meta's Graph API origin. */
export const GRAPH_API_BASE_URL = 'https://graph.facebook.com/'
/** The Graph API version used unless configured (Meta's current samples use v25.0). */
export const DEFAULT_GRAPH_VERSION = 'v25.0'

export interface WhatsAppRetryOptions {
  /** Total attempts including the first (default 4). */
  readonly maxAttempts: number
  /** Backoff of the throughput and account/app limits (130429, 80007, 4): default 1 s doubling to 30 s. */
  readonly backoff: Backoff
  /**
   * Backoff of the pair rate limit (131056): Meta's rule is a steady rate per user with an
   * allowance for bursts, so the first wait is about one message interval (default 6 s, up to 60 s).
   */
  readonly pairBackoff: Backoff
}

export const DEFAULT_WHATSAPP_RETRY: WhatsAppRetryOptions = {
  maxAttempts: 4,
  backoff: { baseDelayMs: 1000, maxDelayMs: 30_000 },
  pairBackoff: { baseDelayMs: 6000, maxDelayMs: 60_000 },
}

/** Fetch, clock, sleep, jitter and the per-attempt deadline (default 30 s) are injectable. */
export interface WhatsAppClientOptions extends HttpSeamOptions {
  /** The system-user access token. Kept private; never logged nor put into an error. */
  readonly accessToken: string
  /** The business phone-number id messages are sent from. */
  readonly phoneNumberId: string
  /** Graph API version, e.g. `v25.0` (default {@link DEFAULT_GRAPH_VERSION}). */
  readonly graphVersion?: string
  /** API origin (default {@link GRAPH_API_BASE_URL}; the emulator's in tests and the sandbox). */
  readonly baseUrl?: string
  readonly retry?: Partial<WhatsAppRetryOptions>
  readonly logger?: Logger
}

/** What Meta answered to a sent message. */
export interface SentMessage {
  /** The new message's wamid: statuses for it arrive on the webhook under this id. */
  readonly messageId: string
  /** The recipient as Meta resolved it (`wa_id` / `user_id`), when it says. */
  readonly waId?: string
  readonly userId?: string
}

const GRAPH_VERSION = /^v\d+\.\d+$/
const PHONE_NUMBER_ID = /^\d+$/

/** The Cloud API client for one business phone number. */
export class WhatsAppClient {
  readonly phoneNumberId: string
  readonly graphVersion: string
  readonly #accessToken: string
  readonly #url: string
  readonly #path: string
  readonly #seams: HttpSeams
  readonly #retry: WhatsAppRetryOptions
  readonly #logger: Logger

  constructor(options: WhatsAppClientOptions) {
    if (options.accessToken.trim() === '') throw new InvalidArgumentError('accessToken', 'must not be empty')
    if (!PHONE_NUMBER_ID.test(options.phoneNumberId)) {
      throw new InvalidArgumentError('phoneNumberId', 'must be the numeric phone-number id')
    }
    const version = options.graphVersion ?? DEFAULT_GRAPH_VERSION
    if (!GRAPH_VERSION.test(version)) throw new InvalidArgumentError('graphVersion', 'must look like v25.0')
    this.phoneNumberId = options.phoneNumberId
    this.graphVersion = version
    this.#accessToken = options.accessToken
    const base = options.baseUrl ?? GRAPH_API_BASE_URL
    this.#path = `/${version}/${options.phoneNumberId}/messages`
    this.#url = new URL(this.#path.slice(1), base.endsWith('/') ? base : `${base}/`).toString()
    this.#seams = resolveHttpSeams(options)
    this.#retry = { ...DEFAULT_WHATSAPP_RETRY, ...options.retry }
    this.#logger = options.logger ?? silentLogger
  }

  /**
   * Sends a message built by the builders (textMessage, replyButtonsMessage, …).
   * @throws {WhatsAppAPIError} Meta's refusal, after retries where the code allows them.
   * @throws {BmOAuthError} `ERR_HTTP_TIMEOUT` / `ERR_NETWORK` (not retried: the send may have happened),
   * `ERR_UNEXPECTED_RESPONSE` for a 2xx without a message id.
   */
  async sendMessage(message: OutboundMessage): Promise<SentMessage> {
    const text = await this.#post(message, false)
    let body: SendMessageResponse
    try {
      body = JSON.parse(text) as SendMessageResponse
    } catch {
      throw this.#unexpected('a non-JSON body')
    }
    const messageId = body?.messages?.[0]?.id
    if (typeof messageId !== 'string' || messageId === '') throw this.#unexpected('no messages[0].id')
    const contact = body.contacts?.[0]
    return {
      messageId,
      ...(typeof contact?.wa_id === 'string' ? { waId: contact.wa_id } : {}),
      ...(typeof contact?.user_id === 'string' ? { userId: contact.user_id } : {}),
    }
  }

  /**
   * Marks a received message read; with `typing`, also shows the typing indicator, which WhatsApp
   * hides at the next message or after 25 s (there is no "stopped" call). Idempotent, so transport
   * failures are retried too.
   */
  async markRead(messageId: string, options: { readonly typing?: boolean } = {}): Promise<void> {
    await this.#post(readReceipt(messageId, options), true)
  }

  /** Shorthand for `markRead(messageId, { typing: true })`. */
  typing(messageId: string): Promise<void> {
    return this.markRead(messageId, { typing: true })
  }

  async #post(body: unknown, idempotent: boolean): Promise<string> {
    const log = { method: 'POST', path: this.#path }
    const init: RequestInit = {
      method: 'POST',
      headers: {
        authorization: `Bearer ${this.#accessToken}`,
        'content-type': 'application/json',
        accept: 'application/json',
      },
      body: JSON.stringify(body),
    }
    for (let attempt = 1; ; attempt++) {
      const result = await attemptExchange(this.#url, init, this.#seams)
      if (!(result instanceof BmOAuthError) && result.status >= 200 && result.status <= 299) {
        this.#logger.debug({ ...log, status: result.status, attempt }, 'whatsapp api call')
        return result.text
      }
      const error = result instanceof BmOAuthError ? result : toWhatsAppAPIError(result.status, result.text, log)
      const graphCode = result instanceof BmOAuthError ? undefined : (error as WhatsAppAPIError).graphCode
      const status = result instanceof BmOAuthError ? undefined : result.status
      this.#logger.debug({ ...log, status, graphCode, attempt }, 'whatsapp api call')
      const delayMs = this.#retryDelay(result, graphCode, attempt, idempotent)
      if (delayMs === undefined) {
        if (graphCode !== undefined) this.#logger.warn({ ...log, status, graphCode, attempt }, 'whatsapp api refused')
        throw error
      }
      this.#logger.warn({ ...log, status, graphCode, attempt, delayMs }, 'whatsapp api retry')
      await this.#seams.sleep(delayMs)
    }
  }

  /** How long to wait before the next attempt, or `undefined` to give up. */
  #retryDelay(
    result: RawResponse | BmOAuthError,
    graphCode: number | undefined,
    attempt: number,
    idempotent: boolean,
  ): number | undefined {
    if (attempt >= this.#retry.maxAttempts) return undefined
    if (result instanceof BmOAuthError) {
      return idempotent ? backoffDelay(attempt, this.#retry.backoff, this.#seams.random) : undefined
    }
    if (graphCode === undefined || !RETRIED_GRAPH_CODES.has(graphCode)) return undefined
    const backoff = graphCode === PAIR_RATE_LIMIT_CODE ? this.#retry.pairBackoff : this.#retry.backoff
    const retryAfterMs = parseRetryAfter(result.headers.get('retry-after'), this.#seams.clock.now())
    if (retryAfterMs !== undefined) return retryAfterMs > backoff.maxDelayMs ? undefined : Math.max(1, retryAfterMs)
    return backoffDelay(attempt, backoff, this.#seams.random)
  }

  #unexpected(what: string): BmOAuthError<'ERR_UNEXPECTED_RESPONSE'> {
    return new BmOAuthError('ERR_UNEXPECTED_RESPONSE', `POST ${this.#path} answered 2xx with ${what}`, { status: 502 })
  }
}
