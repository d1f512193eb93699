/**
 * @module emulator/google-api/resource-rules
 * Pure checks of Agent and Partner resources after a create or patch
 * (docs/contract-decisions.md §1.5, §1.6): the rules the emulator enforces so an agent's
 * configuration mistakes surface at set-up time. Each failure is an {@link InvalidArgumentError}
 * naming the field and the rule.
 */
import { InvalidArgumentError } from '../../errors.ts'
import { isObject, optionalString, type JSONObject } from './field-checks.ts'

const LOOPBACK_HOSTS = new Set(['localhost', '127.0.0.1', '[::1]'])

/**
 * Whether `url` may serve as a webhook or authorization endpoint: absolute `https:`, or `http:` on a
 * loopback host (the emulator is a local tool; Google itself required HTTPS).
 */
export function isAcceptableEndpointURL(url: string): boolean {
  if (!URL.canParse(url)) return false
  const u = new URL(url)
  if (u.hash !== '') return false
  if (u.protocol === 'https:') return true
  return u.protocol === 'http:' && (LOOPBACK_HOSTS.has(u.hostname) || u.hostname.startsWith('127.'))
}

/** Checks an Agent about to be stored. */
export function checkAgent(agent: JSONObject): void {
  const displayName = agent['displayName']
  if (typeof displayName !== 'string' || displayName.trim() === '') {
    throw new InvalidArgumentError('agent.displayName', 'required')
  }
  optionalString(agent, 'displayName', 'agent.displayName', 100)
  const bm = agent['businessMessagesAgent']
  if (bm === undefined || bm === null) return
  if (!isObject(bm)) throw new InvalidArgumentError('agent.businessMessagesAgent', 'must be an object')
  for (const key of ['logoUrl', 'defaultLocale', 'customAgentId']) {
    optionalString(bm, key, `agent.businessMessagesAgent.${key}`)
  }
  checkAuthorizationConfig(bm['authorizationConfig'])
  const settings = bm['conversationalSettings']
  if (settings !== undefined && settings !== null && !isObject(settings)) {
    throw new InvalidArgumentError(
      'agent.businessMessagesAgent.conversationalSettings',
      'must be a map of locale to settings',
    )
  }
  const locale = bm['defaultLocale']
  if (typeof locale === 'string' && isObject(settings) && !(locale in settings)) {
    throw new InvalidArgumentError(
      'agent.businessMessagesAgent.defaultLocale',
      'must be a key of conversationalSettings',
    )
  }
}

function checkAuthorizationConfig(config: unknown): void {
  const field = 'agent.businessMessagesAgent.authorizationConfig'
  if (config === undefined || config === null) return
  if (!isObject(config)) throw new InvalidArgumentError(field, 'must be an object')
  const url = config['endpointUrl']
  if (url === undefined || url === null) return
  if (typeof url !== 'string' || !isAcceptableEndpointURL(url)) {
    throw new InvalidArgumentError(
      `${field}.endpointUrl`,
      'must be an absolute https URL (http only on loopback), without fragment',
    )
  }
}

const PRODUCTS = new Set(['PRODUCT_UNSPECIFIED', 'BUSINESS_MESSAGES', 'VERIFIED_SMS'])

/** Checks a Partner about to be stored. */
export function checkPartner(partner: JSONObject): void {
  optionalString(partner, 'displayName', 'partner.displayName')
  optionalString(partner, 'company', 'partner.company')
  const caps = partner['productCapabilities']
  if (caps === undefined || caps === null) return
  if (!Array.isArray(caps)) throw new InvalidArgumentError('partner.productCapabilities', 'must be a list')
  caps.forEach((cap: unknown, i) => {
    const field = `partner.productCapabilities[${i}]`
    if (!isObject(cap)) throw new InvalidArgumentError(field, 'must be an object')
    if (cap['product'] !== undefined && !PRODUCTS.has(String(cap['product']))) {
      throw new InvalidArgumentError(`${field}.product`, `must be one of ${[...PRODUCTS].join(', ')}`)
    }
    const bm = cap['businessMessagesCapability']
    if (bm === undefined || bm === null) return
    if (!isObject(bm)) {
      throw new InvalidArgumentError(`${field}.businessMessagesCapability`, 'must be an object')
    }
    const url = bm['webhookUrl']
    if (url !== undefined && url !== null && url !== '' && (typeof url !== 'string' || !isAcceptableEndpointURL(url))) {
      throw new InvalidArgumentError(
        `${field}.businessMessagesCapability.webhookUrl`,
        'must be an absolute https URL (http only on loopback), without fragment',
      )
    }
  })
}
