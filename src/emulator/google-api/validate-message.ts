/**
 * @module emulator/google-api/validate-message
 * The emulator's own check of an agent's `Message` (docs/contract-decisions.md §2.2–2.4, §10 Q8),
 * written independently of the client so the client is tested against a counterpart. Every broken
 * rule is an {@link InvalidArgumentError} (400 `INVALID_ARGUMENT`) whose message names the field
 * and the rule, e.g. `message.suggestions[0].reply.text: at most 25 characters`. Unknown fields are
 * refused like Google's JSON decoder refuses them.
 */
import { InvalidArgumentError } from '../../errors.ts'
import {
  enumValue,
  httpURL,
  isObject,
  isSet,
  list,
  optionalString,
  rejectUnknownNames,
  requiredObject,
  requiredString,
  type JSONObject,
} from './field-checks.ts'
import { richTextProblem } from './rich-text.ts'

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

const MESSAGE_FIELDS = [
  'name',
  'messageId',
  'representative',
  'text',
  'image',
  'richCard',
  'suggestions',
  'fallback',
  'containsRichText',
]
const SUGGESTION_KINDS = ['reply', 'action', 'liveAgentRequest', 'authenticationRequest']

/** Validates a `Message` body; throws on the first broken rule. */
export function validateMessage(body: unknown): void {
  if (!isObject(body)) throw new InvalidArgumentError('message', 'must be an object')
  rejectUnknownNames(body, MESSAGE_FIELDS, 'message')
  requiredString(body, 'messageId', 'message.messageId')
  if (isSet(body['representative'])) {
    validateRepresentative(requiredObject(body, 'representative', 'message.representative'), 'message.representative')
  }
  const content = ['text', 'image', 'richCard'].filter((k) => isSet(body[k]))
  if (content.length !== 1) {
    throw new InvalidArgumentError('message', 'exactly one of text, image, richCard must be set')
  }
  const text = optionalString(body, 'text', 'message.text', LIMITS.textChars)
  optionalString(body, 'fallback', 'message.fallback', LIMITS.fallbackChars)
  validateRichTextFlag(body['containsRichText'], text)
  if (isSet(body['image'])) {
    const image = requiredObject(body, 'image', 'message.image')
    validateContentInfo(requiredObject(image, 'contentInfo', 'message.image.contentInfo'), 'message.image.contentInfo')
  }
  if (isSet(body['richCard'])) validateRichCard(requiredObject(body, 'richCard', 'message.richCard'))
  const suggestions = list(body, 'suggestions', 'message.suggestions')
  if (suggestions.length > LIMITS.suggestions) {
    throw new InvalidArgumentError('message.suggestions', `at most ${LIMITS.suggestions}`)
  }
  for (const [i, s] of suggestions.entries()) validateSuggestion(s, `message.suggestions[${i}]`, { inCard: false })
}

function validateRichTextFlag(flag: unknown, text: string | undefined): void {
  if (flag !== undefined && flag !== null && typeof flag !== 'boolean') {
    throw new InvalidArgumentError('message.containsRichText', 'must be a boolean')
  }
  if (flag !== true) return
  if (text === undefined) throw new InvalidArgumentError('message.containsRichText', 'requires text')
  const problem = richTextProblem(text)
  if (problem !== undefined) throw new InvalidArgumentError('message.text', problem)
}

/**
 * `Representative` (docs/contract-decisions.md §2.2): `representativeType` BOT or HUMAN, optional
 * name and avatar URL.
 */
export function validateRepresentative(rep: JSONObject, field: string): void {
  enumValue(rep, 'representativeType', `${field}.representativeType`, ['BOT', 'HUMAN'], { required: true })
  optionalString(rep, 'displayName', `${field}.displayName`)
  httpURL(rep, 'avatarImage', `${field}.avatarImage`, { required: false })
}

function validateContentInfo(info: JSONObject, field: string): void {
  httpURL(info, 'fileUrl', `${field}.fileUrl`, { required: true })
  httpURL(info, 'thumbnailUrl', `${field}.thumbnailUrl`, { required: false })
  optionalString(info, 'altText', `${field}.altText`)
  const refresh = info['forceRefresh']
  if (refresh !== undefined && refresh !== null && typeof refresh !== 'boolean') {
    throw new InvalidArgumentError(`${field}.forceRefresh`, 'must be a boolean')
  }
}

function validateRichCard(card: JSONObject): void {
  const kinds = ['standaloneCard', 'carouselCard'].filter((k) => isSet(card[k]))
  if (kinds.length !== 1) {
    throw new InvalidArgumentError('message.richCard', 'exactly one of standaloneCard, carouselCard must be set')
  }
  if (kinds[0] === 'standaloneCard') {
    const field = 'message.richCard.standaloneCard'
    const standalone = requiredObject(card, 'standaloneCard', field)
    validateCardContent(
      requiredObject(standalone, 'cardContent', `${field}.cardContent`),
      `${field}.cardContent`,
      undefined,
    )
    return
  }
  const field = 'message.richCard.carouselCard'
  const carousel = requiredObject(card, 'carouselCard', field)
  enumValue(carousel, 'cardWidth', `${field}.cardWidth`, ['CARD_WIDTH_UNSPECIFIED', 'SMALL', 'MEDIUM'], {
    required: false,
  })
  const contents = list(carousel, 'cardContents', `${field}.cardContents`)
  if (contents.length < LIMITS.carouselMin || contents.length > LIMITS.carouselMax) {
    throw new InvalidArgumentError(
      `${field}.cardContents`,
      `between ${LIMITS.carouselMin} and ${LIMITS.carouselMax} cards`,
    )
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
    const heights = ['HEIGHT_UNSPECIFIED', 'SHORT', 'MEDIUM', 'TALL']
    enumValue(media, 'height', `${field}.media.height`, heights, { required: false })
    if (media['height'] === 'TALL' && cardWidth === 'SMALL') {
      throw new InvalidArgumentError(`${field}.media.height`, 'TALL is not allowed with cardWidth SMALL')
    }
    validateContentInfo(
      requiredObject(media, 'contentInfo', `${field}.media.contentInfo`),
      `${field}.media.contentInfo`,
    )
  } else if (!isSet(title) && !isSet(description)) {
    throw new InvalidArgumentError(field, 'at least one of title, description, media must be set')
  }
  const suggestions = list(content, 'suggestions', `${field}.suggestions`)
  if (suggestions.length > LIMITS.cardSuggestions) {
    throw new InvalidArgumentError(`${field}.suggestions`, `at most ${LIMITS.cardSuggestions}`)
  }
  for (const [i, s] of suggestions.entries()) validateSuggestion(s, `${field}.suggestions[${i}]`, { inCard: true })
}

function validateSuggestion(s: unknown, field: string, where: { inCard: boolean }): void {
  if (!isObject(s)) throw new InvalidArgumentError(field, 'must be an object')
  rejectUnknownNames(s, SUGGESTION_KINDS, field)
  const kinds = SUGGESTION_KINDS.filter((k) => s[k] !== undefined && s[k] !== null)
  if (kinds.length !== 1) {
    throw new InvalidArgumentError(field, `exactly one of ${SUGGESTION_KINDS.join(', ')} must be set`)
  }
  const kind = kinds[0] as string
  const value = requiredObject(s, kind, `${field}.${kind}`)
  if (kind === 'reply' || kind === 'action') {
    requiredString(value, 'text', `${field}.${kind}.text`, LIMITS.suggestionTextChars)
    optionalString(value, 'postbackData', `${field}.${kind}.postbackData`, LIMITS.postbackDataChars)
  }
  if (kind === 'action') validateAction(value, `${field}.action`)
  if (kind === 'liveAgentRequest' && where.inCard) {
    // Google's bootstrap sample: "live agent requests are not supported in rich cards"
    // (docs/contract-decisions.md §2.3).
    throw new InvalidArgumentError(`${field}.liveAgentRequest`, 'not supported in rich cards')
  }
  if (kind === 'authenticationRequest') {
    const oauthField = `${field}.authenticationRequest.oauth`
    validateOAuth(requiredObject(value, 'oauth', oauthField), oauthField)
  }
}

function validateAction(action: JSONObject, field: string): void {
  const kinds = ['openUrlAction', 'dialAction'].filter((k) => isSet(action[k]))
  if (kinds.length !== 1) throw new InvalidArgumentError(field, 'exactly one of openUrlAction, dialAction must be set')
  if (kinds[0] === 'openUrlAction') {
    const open = requiredObject(action, 'openUrlAction', `${field}.openUrlAction`)
    httpURL(open, 'url', `${field}.openUrlAction.url`, { required: true })
    return
  }
  const dial = requiredObject(action, 'dialAction', `${field}.dialAction`)
  const phone = requiredString(dial, 'phoneNumber', `${field}.dialAction.phoneNumber`)
  if (!/^\+[0-9][0-9-]{1,30}[0-9]$/.test(phone)) {
    throw new InvalidArgumentError(
      `${field}.dialAction.phoneNumber`,
      'must be an international number such as +1-201-555-0123',
    )
  }
}

function validateOAuth(oauth: JSONObject, field: string): void {
  requiredString(oauth, 'clientId', `${field}.clientId`)
  requiredString(oauth, 'codeChallenge', `${field}.codeChallenge`)
  enumValue(oauth, 'codeChallengeMethod', `${field}.codeChallengeMethod`, ['plain', 'S256'], { required: false })
  const scopes = list(oauth, 'scopes', `${field}.scopes`)
  if (scopes.length === 0) throw new InvalidArgumentError(`${field}.scopes`, 'required')
  scopes.forEach((scope, i) => {
    if (typeof scope !== 'string' || scope === '') {
      throw new InvalidArgumentError(`${field}.scopes[${i}]`, 'must be a non-empty string')
    }
  })
}

/**
 * The message as stored: a copy with `authenticationRequest.oauth.codeChallengeMethod` set to the
 * documented default `plain` where the agent omitted it (docs/contract-decisions.md §2.4, §10 Q1).
 */
export function normaliseMessage(body: JSONObject): JSONObject {
  const copy = structuredClone(body)
  for (const s of Array.isArray(copy['suggestions']) ? (copy['suggestions'] as unknown[]) : []) {
    const request = isObject(s) ? s['authenticationRequest'] : undefined
    const oauth = isObject(request) ? request['oauth'] : undefined
    if (isObject(oauth) && !isSet(oauth['codeChallengeMethod'])) oauth['codeChallengeMethod'] = 'plain'
  }
  return copy
}
