/**
 * @module google/business-messages/validate
 * Local validation of outgoing messages against every documented limit, so a bad message fails
 * here with a precise field path (`message.suggestions[2].reply.text: at most 25 characters`)
 * instead of as an opaque 400 from Google. Written independently of the emulator's validation on
 * purpose: each side checks the other.
 *
 * Lengths are counted in UTF-16 code units (`string.length`), which is never less than the number of
 * characters, so we are at worst stricter than Google.
 *
 * @see docs/contract-decisions.md §2.2 (Message), §2.3 (Suggestion), §2.4 (authenticationRequest)
 * @see docs/contract-decisions.md §2.5, §10 Q8
 */
import { InvalidArgumentError } from '../../errors.ts'
import { isHttpURL } from '../url.ts'
import { checkRichText } from './rich-text.ts'
import type { Event, Message, Receipt } from './types.ts'

/** Documented limits (docs/contract-decisions.md §2.2–2.3). */
export const MESSAGE_LIMITS = {
  textLength: 3072,
  fallbackLength: 3072,
  suggestions: 13,
  suggestionTextLength: 25,
  postbackDataLength: 2048,
  cardTitleLength: 200,
  cardDescriptionLength: 2000,
  cardSuggestions: 4,
  carouselMinCards: 2,
  carouselMaxCards: 10,
} as const

const REPRESENTATIVE_TYPES = ['REPRESENTATIVE_TYPE_UNSPECIFIED', 'BOT', 'HUMAN']
const MEDIA_HEIGHTS = ['HEIGHT_UNSPECIFIED', 'SHORT', 'MEDIUM', 'TALL']
const CARD_WIDTHS = ['CARD_WIDTH_UNSPECIFIED', 'SMALL', 'MEDIUM']
const CODE_CHALLENGE_METHODS = ['S256', 'plain']
const EVENT_TYPES = [
  'EVENT_TYPE_UNSPECIFIED',
  'TYPING_STARTED',
  'TYPING_STOPPED',
  'REPRESENTATIVE_JOINED',
  'REPRESENTATIVE_LEFT',
]
const RECEIPT_TYPES = ['RECEIPT_TYPE_UNSPECIFIED', 'READ']

type Obj = Record<string, unknown>

function fail(field: string, rule: string): never {
  throw new InvalidArgumentError(field, rule)
}

function object(value: unknown, field: string): Obj {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) fail(field, 'must be an object')
  return value as Obj
}

interface StringRule {
  required?: boolean
  max?: number
}

/** Checks an optional (or required) string field with a maximum length; returns it. */
function string(obj: Obj, key: string, path: string, rule: StringRule & { required: true }): string
function string(obj: Obj, key: string, path: string, rule?: StringRule): string | undefined
function string(obj: Obj, key: string, path: string, rule: StringRule = {}): string | undefined {
  const value = obj[key]
  const field = `${path}.${key}`
  if (value === undefined) return rule.required ? fail(field, 'is required') : undefined
  if (typeof value !== 'string') fail(field, 'must be a string')
  if (rule.required && value === '') fail(field, 'must not be empty')
  if (rule.max !== undefined && value.length > rule.max) fail(field, `at most ${rule.max} characters`)
  return value
}

function oneOf(obj: Obj, key: string, path: string, allowed: readonly string[], required = false): string | undefined {
  const value = obj[key]
  if (value === undefined) return required ? fail(`${path}.${key}`, 'is required') : undefined
  if (typeof value !== 'string' || !allowed.includes(value)) {
    fail(`${path}.${key}`, `must be one of: ${allowed.join(', ')}`)
  }
  return value
}

function array(obj: Obj, key: string, path: string, limits: { min?: number; max: number }): unknown[] {
  const value = obj[key]
  const field = `${path}.${key}`
  if (value === undefined && limits.min === undefined) return []
  if (!Array.isArray(value)) fail(field, limits.min === undefined ? 'must be an array' : 'is required')
  const rule =
    limits.min === undefined ? `at most ${limits.max} items` : `between ${limits.min} and ${limits.max} items`
  if (value.length < (limits.min ?? 0) || value.length > limits.max) fail(field, rule)
  return value
}

/** The one key of `keys` that is set; fails unless exactly one is. */
function exactlyOne(obj: Obj, keys: readonly string[], path: string): string {
  const present = keys.filter((k) => obj[k] !== undefined)
  if (present.length !== 1) fail(path, `must set exactly one of: ${keys.join(', ')}`)
  return present[0] as string
}

function httpUrl(obj: Obj, key: string, path: string, required: boolean): void {
  const value = string(obj, key, path, { required })
  if (value !== undefined && !isHttpURL(value)) fail(`${path}.${key}`, 'must be an absolute http(s) URL')
}

function validateSuggestedText(obj: Obj, path: string): void {
  string(obj, 'text', path, { required: true, max: MESSAGE_LIMITS.suggestionTextLength })
  string(obj, 'postbackData', path, { max: MESSAGE_LIMITS.postbackDataLength })
}

function validateAuthenticationRequest(value: unknown, path: string): void {
  const oauth = object(object(value, path).oauth ?? fail(`${path}.oauth`, 'is required'), `${path}.oauth`)
  const oauthPath = `${path}.oauth`
  string(oauth, 'clientId', oauthPath, { required: true })
  string(oauth, 'codeChallenge', oauthPath, { required: true })
  oneOf(oauth, 'codeChallengeMethod', oauthPath, CODE_CHALLENGE_METHODS)
  const scopes = oauth.scopes
  if (!Array.isArray(scopes) || scopes.length === 0) {
    fail(`${oauthPath}.scopes`, 'at least one scope is required')
  }
  scopes.forEach((scope, i) => {
    if (typeof scope !== 'string' || scope === '') {
      fail(`${oauthPath}.scopes[${i}]`, 'must be a non-empty string')
    }
  })
}

function validateSuggestion(value: unknown, path: string): void {
  const suggestion = object(value, path)
  const kind = exactlyOne(suggestion, ['reply', 'action', 'liveAgentRequest', 'authenticationRequest'], path)
  const kindPath = `${path}.${kind}`
  const body = object(suggestion[kind], kindPath)
  if (kind === 'reply') validateSuggestedText(body, kindPath)
  if (kind === 'action') {
    validateSuggestedText(body, kindPath)
    const action = exactlyOne(body, ['openUrlAction', 'dialAction'], kindPath)
    const actionPath = `${kindPath}.${action}`
    const target = object(body[action], actionPath)
    if (action === 'openUrlAction') httpUrl(target, 'url', actionPath, true)
    else string(target, 'phoneNumber', actionPath, { required: true })
  }
  if (kind === 'authenticationRequest') validateAuthenticationRequest(body, kindPath)
}

function validateSuggestions(obj: Obj, path: string, max: number): void {
  for (const [i, s] of array(obj, 'suggestions', path, { max }).entries()) {
    validateSuggestion(s, `${path}.suggestions[${i}]`)
  }
}

function validateContentInfo(value: unknown, path: string): void {
  const info = object(value ?? fail(path, 'is required'), path)
  httpUrl(info, 'fileUrl', path, true)
  httpUrl(info, 'thumbnailUrl', path, false)
  string(info, 'altText', path)
  if (info.forceRefresh !== undefined && typeof info.forceRefresh !== 'boolean') {
    fail(`${path}.forceRefresh`, 'must be a boolean')
  }
}

function validateCardContent(value: unknown, path: string, cardWidth: string | undefined): void {
  const card = object(value, path)
  string(card, 'title', path, { max: MESSAGE_LIMITS.cardTitleLength })
  string(card, 'description', path, { max: MESSAGE_LIMITS.cardDescriptionLength })
  if (card.media !== undefined) {
    const mediaPath = `${path}.media`
    const media = object(card.media, mediaPath)
    const height = oneOf(media, 'height', mediaPath, MEDIA_HEIGHTS)
    if (height === 'TALL' && cardWidth === 'SMALL') {
      fail(`${mediaPath}.height`, 'TALL is not allowed when cardWidth is SMALL')
    }
    validateContentInfo(media.contentInfo, `${mediaPath}.contentInfo`)
  }
  validateSuggestions(card, path, MESSAGE_LIMITS.cardSuggestions)
}

function validateRichCard(value: unknown, path: string): void {
  const richCard = object(value, path)
  const kind = exactlyOne(richCard, ['standaloneCard', 'carouselCard'], path)
  const kindPath = `${path}.${kind}`
  const card = object(richCard[kind], kindPath)
  if (kind === 'standaloneCard') {
    const content = card.cardContent ?? fail(`${kindPath}.cardContent`, 'is required')
    validateCardContent(content, `${kindPath}.cardContent`, undefined)
    return
  }
  const width = oneOf(card, 'cardWidth', kindPath, CARD_WIDTHS)
  const limits = { min: MESSAGE_LIMITS.carouselMinCards, max: MESSAGE_LIMITS.carouselMaxCards }
  const cards = array(card, 'cardContents', kindPath, limits)
  for (const [i, c] of cards.entries()) validateCardContent(c, `${kindPath}.cardContents[${i}]`, width)
}

function validateRepresentative(value: unknown, path: string): void {
  const representative = object(value, path)
  oneOf(representative, 'representativeType', path, REPRESENTATIVE_TYPES, true)
  string(representative, 'displayName', path)
  httpUrl(representative, 'avatarImage', path, false)
}

function validateContent(message: Obj): void {
  const content = exactlyOne(message, ['text', 'image', 'richCard'], 'message')
  if (content === 'text') {
    const text = string(message, 'text', 'message', { required: true, max: MESSAGE_LIMITS.textLength })
    if (message.containsRichText === true) checkRichText(text, 'message.text')
  } else if (message.containsRichText === true) {
    fail('message.containsRichText', 'is only allowed with text')
  }
  if (content === 'image') {
    validateContentInfo(object(message.image, 'message.image').contentInfo, 'message.image.contentInfo')
  }
  if (content === 'richCard') validateRichCard(message.richCard, 'message.richCard')
}

export interface ValidateMessageOptions {
  /** The message will be sent with `forceFallback=true`, which requires `fallback`. */
  forceFallback?: boolean
}

/**
 * Checks a message against every documented limit.
 * @throws {InvalidArgumentError} with `field` (e.g. `message.suggestions[2].reply.text`) and `rule`.
 */
export function validateMessage(message: unknown, options: ValidateMessageOptions = {}): asserts message is Message {
  const msg = object(message, 'message')
  string(msg, 'messageId', 'message', { required: true })
  validateContent(msg)
  const fallback = string(msg, 'fallback', 'message', { max: MESSAGE_LIMITS.fallbackLength })
  if (options.forceFallback === true && (fallback === undefined || fallback === '')) {
    fail('message.fallback', 'is required when forceFallback is true')
  }
  if (msg.containsRichText !== undefined && typeof msg.containsRichText !== 'boolean') {
    fail('message.containsRichText', 'must be a boolean')
  }
  if (msg.representative !== undefined) validateRepresentative(msg.representative, 'message.representative')
  validateSuggestions(msg, 'message', MESSAGE_LIMITS.suggestions)
}

/** Checks an outgoing event (`eventType` enum, optional representative). */
export function validateEvent(event: unknown): asserts event is Event {
  const evt = object(event, 'event')
  oneOf(evt, 'eventType', 'event', EVENT_TYPES, true)
  if (evt.representative !== undefined) validateRepresentative(evt.representative, 'event.representative')
}

/** Checks an outgoing receipt (`receiptType` is `READ` or unspecified). */
export function validateReceipt(receipt: unknown): asserts receipt is Receipt {
  oneOf(object(receipt, 'receipt'), 'receiptType', 'receipt', RECEIPT_TYPES, true)
}
