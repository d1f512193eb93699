/**
 * @module channel/reply
 * Checks what an author passes to `say` against the limits every channel can honour
 * (docs/api.md §3): the intersection of Business Messages' and WhatsApp's, so a reply valid on one channel is
 * valid on all and never fails at the platform after the turn has started. Pure.
 */
import { InvalidArgumentError } from '../errors.ts'
import type { Reply, ReplyObject } from './types.ts'

/** The shared limits (docs/api.md §3 gives each platform's own). */
export const REPLY_LIMITS = Object.freeze({
  /** Characters of a text without suggestions or link (Business Messages' limit; WhatsApp allows more). */
  textLength: 3072,
  /** Characters of a text that carries suggestions or a link (WhatsApp's interactive body). */
  interactiveTextLength: 1024,
  /** Suggestions per reply (a WhatsApp list holds ten rows). */
  suggestions: 10,
  /** Characters of a suggestion's or a link's label (WhatsApp's button title). */
  labelLength: 20,
  /** Characters of `postbackData` (a WhatsApp list row's id; a button's allows 256). */
  postbackDataLength: 200,
})

/** Postback data with this prefix is the runtime's own (e.g. a live-agent offer on a link channel). */
export const RESERVED_POSTBACK_PREFIX = 'bm-oauth:'

/**
 * The reply as an object, checked.
 * @throws {InvalidArgumentError} naming the field (`reply.suggestions[1].text`) and the rule.
 */
export function validateReply(reply: Reply): ReplyObject {
  const value: ReplyObject = typeof reply === 'string' ? { text: reply } : reply
  if (typeof value !== 'object' || value === null) throw new InvalidArgumentError('reply', 'a string or { text }')
  const interactive = value.suggestions !== undefined || value.link !== undefined
  text('reply.text', value.text, interactive ? REPLY_LIMITS.interactiveTextLength : REPLY_LIMITS.textLength)
  if (value.suggestions !== undefined && value.link !== undefined) {
    throw new InvalidArgumentError('reply', 'suggestions and link cannot be combined (one message on every channel)')
  }
  if (value.link !== undefined) {
    text('reply.link.text', value.link.text, REPLY_LIMITS.labelLength)
    if (!isHttpsURL(value.link.url)) throw new InvalidArgumentError('reply.link.url', 'an absolute https: URL')
  }
  if (value.suggestions !== undefined) suggestions(value.suggestions)
  return value
}

function suggestions(list: NonNullable<ReplyObject['suggestions']>): void {
  if (!Array.isArray(list)) throw new InvalidArgumentError('reply.suggestions', 'an array')
  if (list.length === 0 || list.length > REPLY_LIMITS.suggestions) {
    throw new InvalidArgumentError('reply.suggestions', `1 to ${REPLY_LIMITS.suggestions} suggestions`)
  }
  const seen = new Set<string>()
  for (const [index, suggestion] of list.entries()) {
    const at = `reply.suggestions[${index}]`
    text(`${at}.text`, suggestion.text, REPLY_LIMITS.labelLength)
    text(`${at}.postbackData`, suggestion.postbackData, REPLY_LIMITS.postbackDataLength)
    if (suggestion.postbackData.startsWith(RESERVED_POSTBACK_PREFIX)) {
      throw new InvalidArgumentError(`${at}.postbackData`, `must not start with ${RESERVED_POSTBACK_PREFIX}`)
    }
    if (seen.has(suggestion.postbackData)) throw new InvalidArgumentError(`${at}.postbackData`, 'must be unique')
    seen.add(suggestion.postbackData)
  }
}

function text(field: string, value: unknown, max: number): void {
  if (typeof value !== 'string' || value.trim() === '') throw new InvalidArgumentError(field, 'a non-empty string')
  // Code points, not UTF-16 units: both platforms count characters.
  if ([...value].length > max) throw new InvalidArgumentError(field, `at most ${max} characters`)
}

function isHttpsURL(value: unknown): boolean {
  if (typeof value !== 'string') return false
  try {
    return new URL(value).protocol === 'https:'
  } catch {
    return false
  }
}
