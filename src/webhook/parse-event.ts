/**
 * @module webhook/parse-event
 * Pure parser from the raw webhook body to a {@link WebhookEvent}. This is the only place that knows
 * Google's inbound field names (docs/contract-decisions.md §3). It is lenient where
 * docs/contract-decisions.md §10 "receiver leniency" says so: `redirectUri` or `redirect_uri`,
 * `type` or `suggestionType`, string booleans, placeholder values, unknown keys ignored, `requestId`
 * and `context` optional. It is strict about types: a field that should be a string but is an
 * object or number makes the body unprocessable (the receiver quarantines it, W9).
 */
import { createHash } from 'node:crypto'
import { BmOAuthError } from '../errors.ts'
import type { AuthenticationOutcome, WebhookContext, WebhookEvent, WebhookEventBase } from './types.ts'

type JSONObject = Record<string, unknown>

/** Thrown for bodies that are not a JSON object or have a field of the wrong type. */
export function unprocessable(message: string): BmOAuthError {
  return new BmOAuthError('ERR_WEBHOOK_UNPROCESSABLE', message, { status: 422 })
}

/**
 * Parses a (verified) webhook body. Payload keys are tried in the order `message`,
 * `suggestionResponse`, `authenticationResponse`, `receipts`, `userStatus`, `surveyResponse`; a
 * body with none of them is `kind: 'unknown'`.
 *
 * @throws BmOAuthError `ERR_WEBHOOK_UNPROCESSABLE` when the body is not a JSON object or a known
 * field has the wrong type.
 */
export function parseWebhookEvent(rawBody: Uint8Array): WebhookEvent {
  const body = parseJSONObject(rawBody)
  const base = parseBase(body, rawBody)
  if (body['message'] !== undefined) {
    const m = object(body, 'message')
    const optional = defined({
      messageId: str(m, 'messageId', 'message'),
      name: str(m, 'name', 'message'),
      createTime: str(m, 'createTime', 'message'),
    })
    const message = { text: str(m, 'text', 'message') ?? '', ...optional }
    return { ...base, kind: 'message', message }
  }
  if (body['suggestionResponse'] !== undefined) {
    const s = object(body, 'suggestionResponse')
    const suggestion = defined({
      message: str(s, 'message', 'suggestionResponse'),
      postbackData: str(s, 'postbackData', 'suggestionResponse'),
      text: str(s, 'text', 'suggestionResponse'),
      type: str(s, 'type', 'suggestionResponse') ?? str(s, 'suggestionType', 'suggestionResponse'),
      createTime: str(s, 'createTime', 'suggestionResponse'),
    })
    return { ...base, kind: 'suggestion', suggestion }
  }
  if (body['authenticationResponse'] !== undefined) {
    const authentication = parseAuthentication(object(body, 'authenticationResponse'))
    return { ...base, kind: 'authentication', authentication }
  }
  if (body['receipts'] !== undefined) {
    const r = object(body, 'receipts')
    const list = r['receipts'] === undefined ? [] : r['receipts']
    if (!Array.isArray(list)) throw unprocessable('receipts.receipts must be an array')
    const receipts = list.map((item: unknown) => {
      if (!isObject(item)) throw unprocessable('receipts.receipts[] must be objects')
      return defined({ message: str(item, 'message', 'receipts'), receiptType: str(item, 'receiptType', 'receipts') })
    })
    const createTime = defined({ createTime: str(r, 'createTime', 'receipts') })
    return { ...base, kind: 'receipts', receipts: { receipts, ...createTime } }
  }
  if (body['userStatus'] !== undefined) return parseUserStatus(base, object(body, 'userStatus'))
  if (body['surveyResponse'] !== undefined) {
    return { ...base, kind: 'survey', survey: scalars(object(body, 'surveyResponse')) }
  }
  return { ...base, kind: 'unknown', keys: Object.keys(body) }
}

/** Stateless for whole-buffer decodes, so one serves every call. */
const UTF8 = new TextDecoder('utf-8', { fatal: true })

function parseJSONObject(rawBody: Uint8Array): JSONObject {
  let value: unknown
  try {
    value = JSON.parse(UTF8.decode(rawBody))
  } catch {
    throw unprocessable('body is not valid UTF-8 JSON')
  }
  if (!isObject(value)) throw unprocessable('body is not a JSON object')
  return value
}

function parseBase(body: JSONObject, rawBody: Uint8Array): WebhookEventBase {
  const requestId = str(body, 'requestId')
  const conversationId = str(body, 'conversationId')
  const message = isObject(body['message']) ? body['message'] : undefined
  const messageId = message === undefined ? undefined : str(message, 'messageId', 'message')
  const sendTime = str(body, 'sendTime')
  const dedupeKey =
    requestId !== undefined && requestId !== ''
      ? `r:${requestId}`
      : messageId !== undefined && messageId !== ''
        ? `m:${conversationId ?? ''}/${messageId}`
        : `b:${createHash('sha256').update(rawBody).digest('hex')}`
  const context = body['context'] === undefined ? undefined : parseContext(object(body, 'context'))
  return {
    dedupeKey,
    ...defined({
      requestId,
      agent: str(body, 'agent'),
      conversationId,
      customAgentId: str(body, 'customAgentId'),
      sendTime,
      sendTimeMs: parseRFC3339(sendTime),
      context,
    }),
  }
}

function parseAuthentication(a: JSONObject): AuthenticationOutcome {
  const code = str(a, 'code', 'authenticationResponse')
  const redirect = defined({
    redirectUri: str(a, 'redirectUri', 'authenticationResponse') ?? str(a, 'redirect_uri', 'authenticationResponse'),
  })
  const details = a['errorDetails'] === undefined || a['errorDetails'] === null ? undefined : object(a, 'errorDetails')
  // P10: error details win over a code, even when both are present.
  if (details !== undefined) {
    const description = str(details, 'errorDescription', 'errorDetails')
    return {
      outcome: 'error',
      error: str(details, 'error', 'errorDetails') ?? 'ERROR_UNSPECIFIED',
      codeAlsoPresent: code !== undefined && code !== '',
      ...defined({ errorDescription: description }),
      ...redirect,
    }
  }
  if (code !== undefined && code !== '') return { outcome: 'code', code, ...redirect }
  return { outcome: 'missing', ...redirect }
}

function parseUserStatus(base: WebhookEventBase, u: JSONObject): WebhookEvent {
  const createTime = defined({ createTime: str(u, 'createTime', 'userStatus') })
  if (u['requestedLiveAgent'] !== undefined && u['isTyping'] === undefined) {
    const liveAgentRequest = { requested: bool(u, 'requestedLiveAgent'), ...createTime }
    return { ...base, kind: 'live-agent-request', liveAgentRequest }
  }
  return { ...base, kind: 'typing', typing: { isTyping: bool(u, 'isTyping'), ...createTime } }
}

function parseContext(c: JSONObject): WebhookContext {
  const userInfo = c['userInfo'] === undefined ? {} : object(c, 'userInfo')
  const widget = c['widget'] === undefined ? {} : object(c, 'widget')
  return defined({
    entryPoint: str(c, 'entryPoint', 'context'),
    userDisplayName: str(userInfo, 'displayName', 'context.userInfo'),
    userDeviceLocale: str(userInfo, 'userDeviceLocale', 'context.userInfo'),
    resolvedLocale: str(c, 'resolvedLocale', 'context'),
    customContext: str(c, 'customContext', 'context'),
    placeId: str(c, 'placeId', 'context'),
    nearPlaceId: str(c, 'nearPlaceId', 'context'),
    widgetUrl: str(widget, 'url', 'context.widget'),
    widgetContext: str(widget, 'widgetContext', 'context.widget'),
  })
}

/** RFC 3339 with `T`, seconds, optional fraction (any digits) and `Z` or an offset; else undefined. */
function parseRFC3339(value: string | undefined): number | undefined {
  if (value === undefined) return undefined
  const m = /^(\d{4}-\d{2}-\d{2})[Tt](\d{2}:\d{2}:\d{2})(\.\d+)?([Zz]|[+-]\d{2}:\d{2})$/.exec(value)
  if (m === null) return undefined
  const millis = m[3] === undefined ? '' : m[3].slice(0, 4).padEnd(4, '0')
  const ms = Date.parse(`${m[1]}T${m[2]}${millis}${(m[4] ?? '').toUpperCase()}`)
  return Number.isNaN(ms) ? undefined : ms
}

function isObject(value: unknown): value is JSONObject {
  return typeof value === 'object' && value !== null && !Array.isArray(value)
}

function object(parent: JSONObject, key: string): JSONObject {
  const value = parent[key]
  if (!isObject(value)) throw unprocessable(`${key} must be an object`)
  return value
}

/** A string field; absent or null gives undefined; numbers are kept as text (lenient ids). */
function str(parent: JSONObject, key: string, where?: string): string | undefined {
  const value = parent[key]
  if (value === undefined || value === null) return undefined
  if (typeof value === 'string') return value
  if (typeof value === 'number' && Number.isFinite(value)) return String(value)
  throw unprocessable(`${where === undefined ? '' : `${where}.`}${key} must be a string`)
}

/** Booleans and the strings "true"/"false" (any case); placeholders such as "BOOLEAN" give undefined. */
function bool(parent: JSONObject, key: string): boolean | undefined {
  const value = parent[key]
  if (typeof value === 'boolean') return value
  if (typeof value === 'string') {
    const lower = value.trim().toLowerCase()
    return lower === 'true' ? true : lower === 'false' ? false : undefined
  }
  if (value === undefined || value === null) return undefined
  throw unprocessable(`userStatus.${key} must be a boolean`)
}

function scalars(o: JSONObject): Record<string, string | number | boolean> {
  const out: Record<string, string | number | boolean> = {}
  for (const [k, v] of Object.entries(o)) {
    if (typeof v === 'string' || typeof v === 'number' || typeof v === 'boolean') out[k] = v
  }
  return out
}

/** Drops undefined members, as `exactOptionalPropertyTypes` wants for optional fields. */
function defined<T extends Record<string, unknown>>(o: T): { [K in keyof T]?: Exclude<T[K], undefined> } {
  const out: Record<string, unknown> = {}
  for (const [k, v] of Object.entries(o)) if (v !== undefined) out[k] = v
  return out as { [K in keyof T]?: Exclude<T[K], undefined> }
}
