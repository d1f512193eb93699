/**
 * @module web/api
 * The page's only way out: small wrappers around the emulator's control API (`/emulator/v1/…`) on
 * the page's own origin. Bodies are JSON with `Content-Type: application/json`, which the control
 * API insists on. Failures throw {@link ApiError} carrying the HTTP status and Google's message.
 */

const BASE = '/emulator/v1'

/** A control API call that did not answer 2xx. */
export class ApiError extends Error {
  /**
   * @param {number} status HTTP status
   * @param {string} message Google's error message, or the status text
   */
  constructor(status, message) {
    super(message)
    this.name = 'ApiError'
    this.status = status
  }
}

/**
 * Calls the control API and parses the JSON answer.
 * @param {string} path e.g. `/conversations`
 * @param {{ method?: string, body?: unknown }} [options]
 * @returns {Promise<any>}
 */
export async function call(path, options = {}) {
  const method = options.method ?? (options.body === undefined ? 'GET' : 'POST')
  /** @type {RequestInit} */
  const init = { method, headers: { accept: 'application/json' }, cache: 'no-store' }
  if (method !== 'GET') {
    init.headers = { ...init.headers, 'content-type': 'application/json' }
    init.body = JSON.stringify(options.body ?? {})
  }
  const res = await fetch(BASE + path, init)
  const text = await res.text()
  const json = text === '' ? {} : safeParse(text)
  if (!res.ok) throw new ApiError(res.status, json?.error?.message ?? `${res.status} ${res.statusText}`)
  return json
}

function safeParse(text) {
  try {
    return JSON.parse(text)
  } catch {
    return { error: { message: text.slice(0, 200) } }
  }
}

const conversation = (id) => `/conversations/${encodeURIComponent(id)}`

/** The control API routes the page uses (see the route tables in src/emulator/control-*.ts). */
export const emulator = {
  listConversations: () => call('/conversations'),
  /** @param {{ entryPoint: string, displayName: string, locale: string }} fields */
  openConversation: (fields) => call('/conversations', { body: fields }),
  getConversation: (id) => call(conversation(id)),
  sendText: (id, text) => call(`${conversation(id)}/messages`, { body: { text } }),
  tapSuggestion: (id, index, message) => call(`${conversation(id)}/suggestions`, { body: { index, message } }),
  setTyping: (id, isTyping) => call(`${conversation(id)}/typing`, { body: { isTyping } }),
  sendReceipts: (id, receiptType, messages) =>
    call(`${conversation(id)}/receipts`, { body: { receiptType, messages } }),
  startSignIn: (id) => call(`${conversation(id)}/signin/start`, { body: { surface: 'web', standIn: true } }),
  cancelSignIn: (id) => call(`${conversation(id)}/signin/cancel`, { body: {} }),
  getAgent: () => call('/agent'),
  listDeliveries: (id) => call(`/deliveries?conversation=${encodeURIComponent(id)}`),
  getFaults: () => call('/faults'),
  patchFaults: (patch) => call('/faults', { method: 'PATCH', body: patch }),
  getClock: () => call('/clock'),
  advanceClock: (ms) => call('/clock/advance', { body: { ms } }),
}
