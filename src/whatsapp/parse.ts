/**
 * @module whatsapp/parse
 * Turns a verified webhook body into typed events (pure). One POST may batch several entries,
 * changes, messages and statuses (docs/whatsapp-decisions.md §3): each message and each status
 * becomes one event, in body order. Strict where a field is the key of everything downstream (the
 * phone-number id, a message's `wamid`, a status's id and value): a body without them is
 * `ERR_WEBHOOK_UNPROCESSABLE`. Lenient where Meta documents variation: `contacts` may be absent
 * (system messages) or carry `wa_id`, `user_id` or both; timestamps are strings or numbers; unknown
 * message types, statuses and change fields are kept as such or skipped, never fatal.
 */
import { BmOAuthError } from '../errors.ts'
import type { WireContact, WireError, WireMessage } from './types.ts'

/** The user as the webhook names them. `key` is what a conversation is keyed on (docs/whatsapp-decisions.md §3.3). */
export interface WhatsAppUser {
  /** The BSUID where Meta sends one, else the `wa_id`: never the billing `conversation.id`. */
  readonly key: string
  readonly waId?: string
  readonly userId?: string
  /** The user's phone number in E.164 (`+16505551234`), when Meta shares it. */
  readonly phoneNumber?: string
  readonly profileName?: string
}

/** An error as a webhook reports it (statuses, messages or the change itself). */
export interface WhatsAppErrorInfo {
  readonly code: number
  readonly title?: string
  readonly details?: string
}

/** What a user sent, by kind. */
export type WhatsAppContent =
  | { readonly type: 'text'; readonly text: string }
  /** A tap on a reply button (`interactive.button_reply`). */
  | { readonly type: 'button_reply'; readonly id: string; readonly title: string }
  /** A row picked from a list (`interactive.list_reply`). */
  | { readonly type: 'list_reply'; readonly id: string; readonly title: string; readonly description?: string }
  /** A template quick-reply button (`button`). */
  | { readonly type: 'quick_reply'; readonly payload?: string; readonly text: string }
  /** Image, audio, video, document, sticker, location, contacts…: answered "text only". */
  | { readonly type: 'media'; readonly messageType: string }
  | { readonly type: 'reaction'; readonly messageId: string; readonly emoji?: string }
  /** The user's BSUID changed (and, for `user_changed_number`, their number). */
  | {
      readonly type: 'user_changed_user_id' | 'user_changed_number'
      readonly previousUserId?: string
      readonly newUserId?: string
      readonly newWaId?: string
    }
  /** Any other system message: logged and ignored. */
  | { readonly type: 'system'; readonly systemType: string }
  /** `unsupported`, `unknown`, or a type newer than this parser. */
  | { readonly type: 'unsupported'; readonly messageType: string; readonly errors: readonly WhatsAppErrorInfo[] }

interface EventBase {
  /** The business phone number the event belongs to: half of the conversation key (docs/whatsapp-decisions.md §3.3). */
  readonly phoneNumberId: string
  readonly displayPhoneNumber: string
  /** The WhatsApp Business Account id (`entry[].id`). */
  readonly businessAccountId: string
}

export type WhatsAppEvent =
  | (EventBase & {
      readonly kind: 'message'
      /** `wamid.…`: the de-duplication key. */
      readonly messageId: string
      /** Seconds since the epoch, as Meta sent it. */
      readonly timestamp: number
      /** The wamid of the business message this one replies to (a tap names its message). */
      readonly contextMessageId?: string
      readonly user: WhatsAppUser
      readonly content: WhatsAppContent
    })
  | (EventBase & {
      readonly kind: 'status'
      /** The wamid of the business's message; with `status`, the de-duplication key. */
      readonly messageId: string
      readonly status: string
      readonly timestamp: number
      /** The recipient's key, as for {@link WhatsAppUser.key}, when the status names one. */
      readonly recipientKey?: string
      readonly errors: readonly WhatsAppErrorInfo[]
    })
  /** `value.errors[]`: an out-of-band error not tied to one message. */
  | (EventBase & { readonly kind: 'error'; readonly errors: readonly WhatsAppErrorInfo[] })

/** The only `object` the Cloud API sends. */
export const WHATSAPP_OBJECT = 'whatsapp_business_account'

const MEDIA_TYPES = new Set(['image', 'audio', 'video', 'document', 'sticker', 'location', 'contacts', 'order'])

/**
 * Parses a webhook body (already signature-checked) into events.
 * @throws {BmOAuthError} `ERR_WEBHOOK_UNPROCESSABLE` when the body is not JSON, not a Cloud API
 * notification, or lacks an id everything downstream is keyed on.
 */
export function parseWhatsAppWebhook(rawBody: Uint8Array | string): WhatsAppEvent[] {
  const text = typeof rawBody === 'string' ? rawBody : Buffer.from(rawBody).toString('utf8')
  let body: unknown
  try {
    body = JSON.parse(text)
  } catch {
    throw unprocessable('the body is not JSON')
  }
  if (!isObject(body) || body['object'] !== WHATSAPP_OBJECT) throw unprocessable(`object is not ${WHATSAPP_OBJECT}`)
  const entries = body['entry']
  if (!Array.isArray(entries)) throw unprocessable('entry is not an array')
  const events: WhatsAppEvent[] = []
  for (const [e, entry] of entries.entries()) {
    if (!isObject(entry) || !Array.isArray(entry['changes'])) throw unprocessable(`entry[${e}].changes is not an array`)
    const businessAccountId = typeof entry['id'] === 'string' ? entry['id'] : ''
    for (const [c, change] of (entry['changes'] as unknown[]).entries()) {
      // Other subscribed fields (account_update, templates…) are not conversations.
      if (!isObject(change) || change['field'] !== 'messages') continue
      events.push(...parseValue(change['value'], businessAccountId, `entry[${e}].changes[${c}].value`))
    }
  }
  return events
}

function parseValue(value: unknown, businessAccountId: string, at: string): WhatsAppEvent[] {
  if (!isObject(value)) throw unprocessable(`${at} is not an object`)
  const metadata = value['metadata']
  const phoneNumberId = isObject(metadata) ? stringOf(metadata['phone_number_id']) : undefined
  if (phoneNumberId === undefined) throw unprocessable(`${at}.metadata.phone_number_id is missing`)
  const base: EventBase = {
    phoneNumberId,
    displayPhoneNumber: stringOf((metadata as Record<string, unknown>)['display_phone_number']) ?? '',
    businessAccountId,
  }
  const contacts = (Array.isArray(value['contacts']) ? value['contacts'] : []).filter(isObject) as WireContact[]
  const events: WhatsAppEvent[] = []
  for (const [i, raw] of arrayOf(value['messages']).entries()) {
    events.push(parseMessage(raw, contacts, base, `${at}.messages[${i}]`))
  }
  for (const [i, raw] of arrayOf(value['statuses']).entries()) {
    if (!isObject(raw)) throw unprocessable(`${at}.statuses[${i}] is not an object`)
    const messageId = stringOf(raw['id'])
    const status = stringOf(raw['status'])
    if (messageId === undefined || status === undefined) throw unprocessable(`${at}.statuses[${i}] lacks id or status`)
    const recipientKey = stringOf(raw['recipient_user_id']) ?? stringOf(raw['recipient_id'])
    events.push({
      ...base,
      kind: 'status',
      messageId,
      status,
      timestamp: timestampOf(raw['timestamp']),
      ...(recipientKey === undefined ? {} : { recipientKey }),
      errors: errorsOf(raw['errors']),
    })
  }
  const errors = errorsOf(value['errors'])
  if (errors.length > 0) events.push({ ...base, kind: 'error', errors })
  return events
}

function parseMessage(raw: unknown, contacts: WireContact[], base: EventBase, at: string): WhatsAppEvent {
  if (!isObject(raw)) throw unprocessable(`${at} is not an object`)
  const message = raw as unknown as WireMessage
  const messageId = stringOf(message.id)
  const type = stringOf(message.type)
  if (messageId === undefined || type === undefined) throw unprocessable(`${at} lacks id or type`)
  const user = userOf(message, contacts) ?? previousUserOf(message)
  if (user === undefined) throw unprocessable(`${at} names no sender (from, user id or contact)`)
  const contextMessageId = isObject(message.context) ? stringOf(message.context.id) : undefined
  return {
    ...base,
    kind: 'message',
    messageId,
    timestamp: timestampOf(message.timestamp),
    ...(contextMessageId === undefined ? {} : { contextMessageId }),
    user,
    content: contentOf(message, type),
  }
}

function contentOf(message: WireMessage, type: string): WhatsAppContent {
  switch (type) {
    case 'text': {
      const body = isObject(message.text) ? stringOf(message.text.body) : undefined
      if (body !== undefined) return { type: 'text', text: body }
      break
    }
    case 'interactive': {
      const interactive = isObject(message.interactive) ? message.interactive : undefined
      const button = interactive?.button_reply
      if (interactive?.type === 'button_reply' && isObject(button) && typeof button.id === 'string') {
        return { type: 'button_reply', id: button.id, title: stringOf(button.title) ?? '' }
      }
      const row = interactive?.list_reply
      if (interactive?.type === 'list_reply' && isObject(row) && typeof row.id === 'string') {
        const description = stringOf(row.description)
        return {
          type: 'list_reply',
          id: row.id,
          title: stringOf(row.title) ?? '',
          ...(description === undefined ? {} : { description }),
        }
      }
      // Flows, product replies…: not a choice this library offered.
      return { type: 'unsupported', messageType: `interactive.${interactive?.type ?? '?'}`, errors: [] }
    }
    case 'button': {
      const button = isObject(message.button) ? message.button : undefined
      const text = stringOf(button?.text)
      if (text !== undefined) {
        const payload = stringOf(button?.payload)
        return { type: 'quick_reply', text, ...(payload === undefined ? {} : { payload }) }
      }
      break
    }
    case 'reaction': {
      const reaction = isObject(message.reaction) ? message.reaction : undefined
      const target = stringOf(reaction?.message_id)
      if (target !== undefined) {
        // An empty emoji removes a reaction (Meta omits or empties it).
        const emoji = stringOf(reaction?.emoji)
        return { type: 'reaction', messageId: target, ...(emoji === undefined || emoji === '' ? {} : { emoji }) }
      }
      break
    }
    case 'system':
      return systemOf(message)
    default:
      if (MEDIA_TYPES.has(type)) return { type: 'media', messageType: type }
  }
  return { type: 'unsupported', messageType: type, errors: errorsOf(message.errors) }
}

function systemOf(message: WireMessage): WhatsAppContent {
  const system = isObject(message.system) ? message.system : undefined
  const systemType = stringOf(system?.type) ?? 'unknown'
  if (systemType !== 'user_changed_user_id' && systemType !== 'user_changed_number') {
    return { type: 'system', systemType }
  }
  const previousUserId = stringOf(system?.previous_user_id)
  const newUserId = stringOf(system?.user_id)
  const newWaId = stringOf(system?.wa_id)
  return {
    type: systemType,
    ...(previousUserId === undefined ? {} : { previousUserId }),
    ...(newUserId === undefined ? {} : { newUserId }),
    ...(newWaId === undefined ? {} : { newWaId }),
  }
}

/**
 * The sender: the message's own `from` / `from_user_id`, completed from the matching `contacts[]`
 * entry (by wa_id or user id; the only one when a single contact is listed).
 */
function userOf(message: WireMessage, contacts: WireContact[]): WhatsAppUser | undefined {
  const from = stringOf(message.from)
  const fromUserId = stringOf(message.from_user_id)
  const contact =
    contacts.find(
      (c) => (from !== undefined && c.wa_id === from) || (fromUserId !== undefined && c.user_id === fromUserId),
    ) ?? (contacts.length === 1 ? contacts[0] : undefined)
  // A system message has no contacts and names the *old* number in `from`.
  const waId = from ?? stringOf(contact?.wa_id)
  const userId = fromUserId ?? stringOf(contact?.user_id)
  const key = userId ?? waId
  if (key === undefined) return undefined
  const phoneNumber = waId === undefined ? undefined : toE164(waId)
  const profileName = stringOf(contact?.profile?.name)
  return {
    key,
    ...(waId === undefined ? {} : { waId }),
    ...(userId === undefined ? {} : { userId }),
    ...(phoneNumber === undefined ? {} : { phoneNumber }),
    ...(profileName === undefined ? {} : { profileName }),
  }
}

/**
 * The sender of a system message that names nobody else: `user_changed_user_id` carries no phone
 * number and no contacts, so the user is the previous BSUID (docs/whatsapp-decisions.md §3.4).
 */
function previousUserOf(message: WireMessage): WhatsAppUser | undefined {
  const previous = isObject(message.system) ? stringOf(message.system.previous_user_id) : undefined
  return previous === undefined ? undefined : { key: previous, userId: previous }
}

/**
 * A WhatsApp id or phone number as E.164 (`+` and 8–15 digits), or `undefined` when it is not a
 * phone number (Meta warns a wa_id "may not always match" the number; a BSUID never does).
 * Spaces, dashes, dots and parentheses are dropped; a leading `00` is an international prefix.
 */
export function toE164(value: string): string | undefined {
  const compact = value.trim().replace(/[\s().-]/g, '')
  const digits = compact.startsWith('+') ? compact.slice(1) : compact.startsWith('00') ? compact.slice(2) : compact
  return /^[1-9]\d{7,14}$/.test(digits) ? `+${digits}` : undefined
}

function errorsOf(raw: unknown): WhatsAppErrorInfo[] {
  return arrayOf(raw)
    .filter((e): e is WireError => isObject(e) && typeof e['code'] === 'number')
    .map((e) => {
      const title = stringOf(e.title) ?? stringOf(e.message)
      const details = isObject(e.error_data) ? stringOf(e.error_data.details) : undefined
      return {
        code: e.code,
        ...(title === undefined ? {} : { title }),
        ...(details === undefined ? {} : { details }),
      }
    })
}

/** Meta sends Unix seconds as a string; a number is accepted, anything else reads as 0. */
function timestampOf(raw: unknown): number {
  const n = typeof raw === 'number' ? raw : typeof raw === 'string' && /^\d+$/.test(raw) ? Number(raw) : Number.NaN
  return Number.isFinite(n) ? n : 0
}

function arrayOf(raw: unknown): unknown[] {
  return Array.isArray(raw) ? raw : []
}

function stringOf(raw: unknown): string | undefined {
  return typeof raw === 'string' && raw !== '' ? raw : undefined
}

function isObject(raw: unknown): raw is Record<string, unknown> {
  return typeof raw === 'object' && raw !== null && !Array.isArray(raw)
}

function unprocessable(reason: string): BmOAuthError<'ERR_WEBHOOK_UNPROCESSABLE'> {
  return new BmOAuthError('ERR_WEBHOOK_UNPROCESSABLE', `WhatsApp webhook: ${reason}`, { status: 422 })
}
