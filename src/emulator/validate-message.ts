/**
 * @module emulator/validate-message
 * The emulator's own check of an agent's `Message` (contract §2.2–2.4, §10 Q8), written
 * independently of the client so the client is tested against a counterpart. Every broken rule is an
 * {@link InvalidArgumentError} (400 `INVALID_ARGUMENT`) whose message names the field and the rule,
 * e.g. `message.suggestions[0].reply.text: at most 25 characters`. Unknown fields are refused like
 * Google's JSON decoder refuses them.
 */
import { InvalidArgumentError } from '../errors.ts'
import { RpcError } from './errors.ts'
import { richTextProblem } from './rich-text.ts'

type JSONObject = Record<string, unknown>

export const LIMITS = {
  textChars: 3072,
  fallbackChars: 3072,
  suggestions: 13,
  suggestionTextChars: 25,
  postbackDataChars: 2048,
  cardTitleChars: 200,
  cardDescriptionChars: 2000,
  cardSuggestions: 4,
  carouselMin: 2,
  carouselMax: 10,
} as const

const MESSAGE_FIELDS = ['name', 'messageId', 'representative', 'text', 'image', 'richCard', 'suggestions', 'fallback', 'containsRichText']
const SUGGESTION_KINDS = ['reply', 'action', 'liveAgentRequest', 'authenticationRequest']

function isObject(v: unknown): v is JSONObject {
  return typeof v === 'object' && v !== null && !Array.isArray(v)
}

function chars(s: string): number {
  return [...s].length
}

/** Proto3 JSON: an absent, null or empty string counts as "not set". */
function isSet(v: unknown): boolean {
  return v !== undefined && v !== null && v !== ''
}

function optionalString(obj: JSONObject, key: string, field: string, maxChars?: number): string | undefined {
  const v = obj[key]
  if (v === undefined || v === null) return undefined
  if (typeof v !== 'string') throw new InvalidArgumentError(field, 'must be a string')
  if (maxChars !== undefined && chars(v) > maxChars) throw new InvalidArgumentError(field, `at most ${maxChars} characters`)
  return v
}

function requiredString(obj: JSONObject, key: string, field: string, maxChars?: number): string {
  const v = optionalString(obj, key, field, maxChars)
  if (v === undefined || v === '') throw new InvalidArgumentError(field, 'required')
  return v
}

function requiredObject(obj: JSONObject, key: string, field: string): JSONObject {
  const v = obj[key]
  if (v === undefined || v === null) throw new InvalidArgumentError(field, 'required')
  if (!isObject(v)) throw new InvalidArgumentError(field, 'must be an object')
  return v
}

function list(obj: JSONObject, key: string, field: string): unknown[] {
  const v = obj[key]
  if (v === undefined || v === null) return []
  if (!Array.isArray(v)) throw new InvalidArgumentError(field, 'must be a list')
  return v
}

function httpURL(obj: JSONObject, key: string, field: string, required: boolean): void {
  const v = required ? requiredString(obj, key, field) : optionalString(obj, key, field)
  if (v === undefined || v === '') return
  if (!URL.canParse(v) || !/^https?:$/.test(new URL(v).protocol)) throw new InvalidArgumentError(field, 'must be an absolute http(s) URL')
}

function enumValue(obj: JSONObject, key: string, field: string, allowed: readonly string[], required: boolean): void {
  const v = obj[key]
  if (v === undefined || v === null) {
    if (required) throw new InvalidArgumentError(field, 'required')
    return
  }
  if (typeof v !== 'string' || !allowed.includes(v)) throw new InvalidArgumentError(field, `must be one of ${allowed.join(', ')}`)
}

/** Validates a `Message` body; throws on the first broken rule. */
export function validateMessage(body: unknown): void {
  if (!isObject(body)) throw new InvalidArgumentError('message', 'must be an object')
  for (const key of Object.keys(body)) {
    if (!MESSAGE_FIELDS.includes(key)) {
      throw new RpcError('INVALID_ARGUMENT', `Invalid JSON payload received. Unknown name "${key}" at 'message': Cannot find field.`)
    }
  }
  requiredString(body, 'messageId', 'message.messageId')
  if (isSet(body['representative'])) validateRepresentative(requiredObject(body, 'representative', 'message.representative'))
  const content = ['text', 'image', 'richCard'].filter((k) => isSet(body[k]))
  if (content.length !== 1) throw new InvalidArgumentError('message', 'exactly one of text, image, richCard must be set')
  const text = optionalString(body, 'text', 'message.text', LIMITS.textChars)
  optionalString(body, 'fallback', 'message.fallback', LIMITS.fallbackChars)
  const rich = body['containsRichText']
  if (rich !== undefined && rich !== null && typeof rich !== 'boolean') {
    throw new InvalidArgumentError('message.containsRichText', 'must be a boolean')
  }
  if (rich === true) {
    if (text === undefined) throw new InvalidArgumentError('message.containsRichText', 'requires text')
    const problem = richTextProblem(text)
    if (problem !== undefined) throw new InvalidArgumentError('message.text', problem)
  }
  if (isSet(body['image'])) validateContentInfo(requiredObject(requiredObject(body, 'image', 'message.image'), 'contentInfo', 'message.image.contentInfo'), 'message.image.contentInfo')
  if (isSet(body['richCard'])) validateRichCard(requiredObject(body, 'richCard', 'message.richCard'))
  const suggestions = list(body, 'suggestions', 'message.suggestions')
  if (suggestions.length > LIMITS.suggestions) throw new InvalidArgumentError('message.suggestions', `at most ${LIMITS.suggestions}`)
  suggestions.forEach((s, i) => validateSuggestion(s, `message.suggestions[${i}]`, { inCard: false }))
}

function validateRepresentative(rep: JSONObject): void {
  enumValue(rep, 'representativeType', 'message.representative.representativeType', ['BOT', 'HUMAN'], true)
  optionalString(rep, 'displayName', 'message.representative.displayName')
  httpURL(rep, 'avatarImage', 'message.representative.avatarImage', false)
}

function validateContentInfo(info: JSONObject, field: string): void {
  httpURL(info, 'fileUrl', `${field}.fileUrl`, true)
  httpURL(info, 'thumbnailUrl', `${field}.thumbnailUrl`, false)
  optionalString(info, 'altText', `${field}.altText`)
  const refresh = info['forceRefresh']
  if (refresh !== undefined && refresh !== null && typeof refresh !== 'boolean') {
    throw new InvalidArgumentError(`${field}.forceRefresh`, 'must be a boolean')
  }
}

function validateRichCard(card: JSONObject): void {
  const kinds = ['standaloneCard', 'carouselCard'].filter((k) => isSet(card[k]))
  if (kinds.length !== 1) throw new InvalidArgumentError('message.richCard', 'exactly one of standaloneCard, carouselCard must be set')
  if (kinds[0] === 'standaloneCard') {
    const standalone = requiredObject(card, 'standaloneCard', 'message.richCard.standaloneCard')
    validateCardContent(requiredObject(standalone, 'cardContent', 'message.richCard.standaloneCard.cardContent'), 'message.richCard.standaloneCard.cardContent', undefined)
    return
  }
  const field = 'message.richCard.carouselCard'
  const carousel = requiredObject(card, 'carouselCard', field)
  enumValue(carousel, 'cardWidth', `${field}.cardWidth`, ['CARD_WIDTH_UNSPECIFIED', 'SMALL', 'MEDIUM'], false)
  const contents = list(carousel, 'cardContents', `${field}.cardContents`)
  if (contents.length < LIMITS.carouselMin || contents.length > LIMITS.carouselMax) {
    throw new InvalidArgumentError(`${field}.cardContents`, `between ${LIMITS.carouselMin} and ${LIMITS.carouselMax} cards`)
  }
  contents.forEach((c, i) => {
    if (!isObject(c)) throw new InvalidArgumentError(`${field}.cardContents[${i}]`, 'must be an object')
    validateCardContent(c, `${field}.cardContents[${i}]`, carousel['cardWidth'])
  })
}

function validateCardContent(content: JSONObject, field: string, cardWidth: unknown): void {
  const title = optionalString(content, 'title', `${field}.title`, LIMITS.cardTitleChars)
  const description = optionalString(content, 'description', `${field}.description`, LIMITS.cardDescriptionChars)
  if (isSet(content['media'])) {
    const media = requiredObject(content, 'media', `${field}.media`)
    enumValue(media, 'height', `${field}.media.height`, ['HEIGHT_UNSPECIFIED', 'SHORT', 'MEDIUM', 'TALL'], false)
    if (media['height'] === 'TALL' && cardWidth === 'SMALL') {
      throw new InvalidArgumentError(`${field}.media.height`, 'TALL is not allowed with cardWidth SMALL')
    }
    validateContentInfo(requiredObject(media, 'contentInfo', `${field}.media.contentInfo`), `${field}.media.contentInfo`)
  } else if (!isSet(title) && !isSet(description)) {
    throw new InvalidArgumentError(field, 'at least one of title, description, media must be set')
  }
  const suggestions = list(content, 'suggestions', `${field}.suggestions`)
  if (suggestions.length > LIMITS.cardSuggestions) throw new InvalidArgumentError(`${field}.suggestions`, `at most ${LIMITS.cardSuggestions}`)
  suggestions.forEach((s, i) => validateSuggestion(s, `${field}.suggestions[${i}]`, { inCard: true }))
}

function validateSuggestion(s: unknown, field: string, where: { inCard: boolean }): void {
  if (!isObject(s)) throw new InvalidArgumentError(field, 'must be an object')
  for (const key of Object.keys(s)) {
    if (!SUGGESTION_KINDS.includes(key)) {
      throw new RpcError('INVALID_ARGUMENT', `Invalid JSON payload received. Unknown name "${key}" at '${field}': Cannot find field.`)
    }
  }
  const kinds = SUGGESTION_KINDS.filter((k) => s[k] !== undefined && s[k] !== null)
  if (kinds.length !== 1) throw new InvalidArgumentError(field, `exactly one of ${SUGGESTION_KINDS.join(', ')} must be set`)
  const kind = kinds[0] as string
  const value = requiredObject(s, kind, `${field}.${kind}`)
  if (kind === 'reply' || kind === 'action') {
    requiredString(value, 'text', `${field}.${kind}.text`, LIMITS.suggestionTextChars)
    optionalString(value, 'postbackData', `${field}.${kind}.postbackData`, LIMITS.postbackDataChars)
  }
  if (kind === 'action') validateAction(value, `${field}.action`)
  if (kind === 'liveAgentRequest' && where.inCard) throw new InvalidArgumentError(`${field}.liveAgentRequest`, 'not supported in rich cards')
  if (kind === 'authenticationRequest') validateOAuth(requiredObject(value, 'oauth', `${field}.authenticationRequest.oauth`), `${field}.authenticationRequest.oauth`)
}

function validateAction(action: JSONObject, field: string): void {
  const kinds = ['openUrlAction', 'dialAction'].filter((k) => isSet(action[k]))
  if (kinds.length !== 1) throw new InvalidArgumentError(field, 'exactly one of openUrlAction, dialAction must be set')
  if (kinds[0] === 'openUrlAction') {
    httpURL(requiredObject(action, 'openUrlAction', `${field}.openUrlAction`), 'url', `${field}.openUrlAction.url`, true)
    return
  }
  const phone = requiredString(requiredObject(action, 'dialAction', `${field}.dialAction`), 'phoneNumber', `${field}.dialAction.phoneNumber`)
  if (!/^\+[0-9][0-9-]{1,30}[0-9]$/.test(phone)) {
    throw new InvalidArgumentError(`${field}.dialAction.phoneNumber`, 'must be an international number such as +1-201-555-0123')
  }
}

function validateOAuth(oauth: JSONObject, field: string): void {
  requiredString(oauth, 'clientId', `${field}.clientId`)
  requiredString(oauth, 'codeChallenge', `${field}.codeChallenge`)
  enumValue(oauth, 'codeChallengeMethod', `${field}.codeChallengeMethod`, ['plain', 'S256'], false)
  const scopes = list(oauth, 'scopes', `${field}.scopes`)
  if (scopes.length === 0) throw new InvalidArgumentError(`${field}.scopes`, 'required')
  scopes.forEach((scope, i) => {
    if (typeof scope !== 'string' || scope === '') throw new InvalidArgumentError(`${field}.scopes[${i}]`, 'must be a non-empty string')
  })
}

/**
 * The message as stored: a copy with `authenticationRequest.oauth.codeChallengeMethod` set to the
 * documented default `plain` where the agent omitted it (§2.4, §10 Q1).
 */
export function normaliseMessage(body: JSONObject): JSONObject {
  const copy = structuredClone(body)
  for (const s of Array.isArray(copy['suggestions']) ? (copy['suggestions'] as unknown[]) : []) {
    const oauth = isObject(s) && isObject(s['authenticationRequest']) ? s['authenticationRequest']['oauth'] : undefined
    if (isObject(oauth) && !isSet(oauth['codeChallengeMethod'])) oauth['codeChallengeMethod'] = 'plain'
  }
  return copy
}
