/**
 * @module webhook/receiver
 * The transport-independent webhook core (style habits 1, 9, 10): plain request data in, plain
 * response data out. In order: method (405), content type (415), size (413), the unsigned
 * verification handshake, the signature (401, empty body, no side effects), parsing (a signed but
 * unprocessable body is quarantined and acked, W9), the `sendTime` window (stale or future events
 * are acked and dropped, W11), then de-duplication plus a durable record, THEN 200, and only after
 * that the processor is notified (`onRecorded`), so a slow downstream never delays the ack (W12).
 * If the record cannot be written the answer is 500, so Google redelivers.
 */
import { systemClock, type Clock } from '../core/clock.ts'
import { silentLogger, type Logger } from '../core/logger.ts'
import { ConfigError, isBmOAuthError } from '../errors.ts'
import { answerHandshake, detectHandshake } from './handshake.ts'
import type { InboxStore } from './inbox-store.ts'
import { parseWebhookEvent } from './parse-event.ts'
import { checkSendTime } from './replay-window.ts'
import type { WebhookEvent } from './types.ts'
import { checkWebhookSignature } from './verify-signature.ts'

/** What became of one webhook request (the receiver's answer, by cause). */
export type WebhookOutcome =
  | 'accepted'
  | 'duplicate'
  | 'handshake'
  | 'quarantined'
  | 'outside-replay-window'
  | 'rejected-method'
  | 'rejected-media-type'
  | 'rejected-size'
  | 'rejected-signature'
  | 'unavailable'
  | 'failed'

export interface WebhookRequest {
  method: string
  /** Header names in any case (Node gives lower case); repeated headers as arrays. */
  headers: Readonly<Record<string, string | readonly string[] | undefined>>
  rawBody: Uint8Array
}

export interface WebhookResponse {
  status: number
  headers: Record<string, string>
  body: string
}

/** What the processor is told after the 200: the dedupe key (inbox row id) and the parsed event. */
export interface RecordedDelivery {
  id: string
  event: WebhookEvent
}

export interface WebhookReceiverOptions {
  /**
   * Signing keys: current first, then optionally the previous one during rotation
   * (docs/contract-decisions.md §10 Q7).
   */
  keys?: readonly string[]
  /**
   * The console's client token, to answer the verification handshake
   * (docs/contract-decisions.md §3.6).
   */
  clientToken?: string
  /** Local testing only (Google's unsigned test payloads). Logs a loud warning at construction. */
  unsafeDisableSignatureVerification?: boolean
  /** Body size cap in bytes (default 1 MiB); the Node adapter enforces it while reading. */
  maxBodyBytes?: number
  inbox: InboxStore
  /** Called once per new delivery, after the response was produced. Errors are logged, not thrown. */
  onRecorded?: (delivery: RecordedDelivery) => void | Promise<void>
  clock?: Clock
  logger?: Logger
  /** Told each request's outcome and how long the answer took (metrics). Must not throw. */
  observe?: (outcome: WebhookOutcome, seconds: number) => void
}

export interface WebhookReceiver {
  readonly maxBodyBytes: number
  handle(request: WebhookRequest): Promise<WebhookResponse>
}

export const DEFAULT_MAX_BODY_BYTES = 1024 * 1024

/**
 * Builds a receiver, refusing to start without a signing key unless verification is explicitly
 * disabled (docs/contract-decisions.md §10 "unsigned mode"), in which case it warns loudly.
 */
export function createWebhookReceiver(options: WebhookReceiverOptions): WebhookReceiver {
  const logger = (options.logger ?? silentLogger).child({ component: 'webhook' })
  if (options.unsafeDisableSignatureVerification === true) {
    logger.warn(
      { unsafeDisableSignatureVerification: true },
      'WEBHOOK SIGNATURE VERIFICATION IS OFF: anyone who can reach this URL can inject events. Local testing only.',
    )
  } else if (options.keys === undefined || options.keys.length === 0 || options.keys.some((k) => k === '')) {
    throw new ConfigError('webhook keys', 'must hold at least one non-empty signing key')
  }
  const deps = { ...options, logger }
  return {
    maxBodyBytes: options.maxBodyBytes ?? DEFAULT_MAX_BODY_BYTES,
    handle: (request) => handleWebhookRequest(request, deps),
  }
}

const empty = (status: number, headers: Record<string, string> = {}): WebhookResponse => ({ status, headers, body: '' })
const OK = (): WebhookResponse => empty(200)

/** The webhook core; see the module comment for the order of checks. Never throws. */
export async function handleWebhookRequest(
  request: WebhookRequest,
  deps: WebhookReceiverOptions,
): Promise<WebhookResponse> {
  const started = performance.now()
  const [outcome, response] = await answer(request, deps)
  deps.observe?.(outcome, (performance.now() - started) / 1000)
  return response
}

type Answer = readonly [WebhookOutcome, WebhookResponse]

async function answer(request: WebhookRequest, deps: WebhookReceiverOptions): Promise<Answer> {
  const logger = deps.logger ?? silentLogger
  try {
    if (request.method.toUpperCase() !== 'POST') return ['rejected-method', empty(405, { allow: 'POST' })]
    if (!isJSONContentType(header(request, 'content-type'))) return ['rejected-media-type', empty(415)]
    if (request.rawBody.byteLength > (deps.maxBodyBytes ?? DEFAULT_MAX_BODY_BYTES)) {
      return ['rejected-size', empty(413)]
    }
    const handshake = detectHandshake(request.rawBody)
    if (handshake !== undefined) {
      const answer = answerHandshake(handshake, deps.clientToken)
      logger.info({ accepted: answer.status === 200 }, 'webhook verification handshake')
      return ['handshake', answer]
    }
    if (deps.unsafeDisableSignatureVerification !== true) {
      const signatureHeader = header(request, 'x-goog-signature')
      const checked = checkWebhookSignature({ rawBody: request.rawBody, signatureHeader, keys: deps.keys ?? [] })
      if (typeof checked === 'string') {
        logger.warn({ reason: checked }, 'webhook request rejected: signature')
        return ['rejected-signature', empty(401)]
      }
    }
    return await acceptVerified(request.rawBody, deps, logger)
  } catch (err) {
    logger.error({ errCode: isBmOAuthError(err) ? err.code : 'unexpected' }, 'webhook request failed; not acknowledged')
    return ['failed', empty(500)]
  }
}

async function acceptVerified(rawBody: Uint8Array, deps: WebhookReceiverOptions, logger: Logger): Promise<Answer> {
  const now = (deps.clock ?? systemClock).now()
  let event: WebhookEvent
  try {
    event = parseWebhookEvent(rawBody)
  } catch (err) {
    if (!isBmOAuthError(err, 'ERR_WEBHOOK_UNPROCESSABLE')) throw err
    return quarantine(rawBody, err.message, now, deps, logger)
  }
  if (event.kind === 'unknown') {
    return quarantine(rawBody, `unknown payload (keys: ${event.keys.join(', ')})`, now, deps, logger)
  }
  const { dedupeKey, kind, agent, conversationId } = event
  const fields = { dedupeKey, kind, agent, conversationId }
  const verdict = checkSendTime(event.sendTimeMs, now)
  if (verdict === 'too-old' || verdict === 'in-future') {
    logger.warn({ ...fields, verdict }, 'webhook event outside the replay window; acknowledged and dropped')
    return ['outside-replay-window', OK()]
  }
  const outcome = await deps.inbox.record({ event, rawBody, receivedAt: now })
  logger.info({ ...fields, outcome }, 'webhook event recorded')
  if (outcome === 'new' && deps.onRecorded !== undefined) {
    notifyLater(deps.onRecorded, { id: event.dedupeKey, event }, logger)
  }
  return [outcome === 'new' ? 'accepted' : 'duplicate', OK()]
}

async function quarantine(
  rawBody: Uint8Array,
  reason: string,
  now: number,
  deps: WebhookReceiverOptions,
  logger: Logger,
): Promise<Answer> {
  const outcome = await deps.inbox.quarantine({ rawBody, reason, receivedAt: now })
  logger.error({ reason, outcome, bodyBytes: rawBody.byteLength }, 'signed webhook body quarantined (acknowledged)')
  return ['quarantined', OK()]
}

/** Runs after the current turn, i.e. after the adapter has written the 200. */
function notifyLater(
  onRecorded: NonNullable<WebhookReceiverOptions['onRecorded']>,
  delivery: RecordedDelivery,
  logger: Logger,
): void {
  setImmediate(() => {
    Promise.resolve()
      .then(() => onRecorded(delivery))
      .catch((err: unknown) => {
        const errCode = isBmOAuthError(err) ? err.code : 'unexpected'
        logger.error({ dedupeKey: delivery.id, errCode }, 'onRecorded failed')
      })
  })
}

function header(request: WebhookRequest, name: string): string | undefined {
  for (const [key, value] of Object.entries(request.headers)) {
    if (key.toLowerCase() !== name) continue
    return typeof value === 'string' ? value : value?.join(', ')
  }
  return undefined
}

/**
 * No content type is accepted (Google's is unconfirmed: docs/contract-decisions.md §10 Q6);
 * otherwise JSON media types, any parameters.
 */
function isJSONContentType(value: string | undefined): boolean {
  if (value === undefined || value.trim() === '') return true
  const media = (value.split(';')[0] ?? '').trim().toLowerCase()
  return media === 'application/json' || media === 'text/json' || /^application\/[\w.+-]+\+json$/.test(media)
}
