/**
 * @module google/resource-names
 * Parsing and validation of the resource names the Business Communications and Business Messages
 * APIs use (`brands/{b}`, `brands/{b}/agents/{a}`, `partners/{p}`, conversation ids). Ids are
 * opaque strings chosen by Google; we only require that each is a single URL-safe path segment,
 * so a name can never smuggle an extra path, query or fragment into a request URL.
 *
 * @see docs/contract-decisions.md §1.2 (resource names), §2.1 (conversation names)
 */
import { InvalidArgumentError } from '../errors.ts'

/** A parsed `brands/{brandId}` name. */
export interface BrandName {
  brandId: string
  /** The canonical name, `brands/{brandId}`. */
  name: string
}

/** A parsed `brands/{brandId}/agents/{agentId}` name. */
export interface AgentName {
  brandId: string
  agentId: string
  /** The canonical name, `brands/{brandId}/agents/{agentId}`. */
  name: string
}

/** A parsed `partners/{partnerId}` name. */
export interface PartnerName {
  partnerId: string
  /** The canonical name, `partners/{partnerId}`. */
  name: string
}

// One path segment: printable, no separators that would change the URL's structure.
const ID_PATTERN = /^[A-Za-z0-9._~-]+$/
const MAX_ID_LENGTH = 256

function isValidId(id: string): boolean {
  return id.length <= MAX_ID_LENGTH && ID_PATTERN.test(id) && id !== '.' && id !== '..'
}

function splitName(name: unknown, shape: readonly string[]): string[] | undefined {
  if (typeof name !== 'string') return undefined
  const parts = name.split('/')
  if (parts.length !== shape.length * 2) return undefined
  const ids: string[] = []
  for (let i = 0; i < shape.length; i++) {
    const id = parts[2 * i + 1] as string
    if (parts[2 * i] !== shape[i] || !isValidId(id)) return undefined
    ids.push(id)
  }
  return ids
}

/**
 * Parses `brands/{brandId}`.
 * @throws {InvalidArgumentError} `brand: must look like brands/BRAND_ID`
 */
export function parseBrandName(name: string, field = 'brand'): BrandName {
  const ids = splitName(name, ['brands'])
  if (ids === undefined) throw new InvalidArgumentError(field, 'must look like brands/BRAND_ID')
  const [brandId] = ids as [string]
  return { brandId, name: `brands/${brandId}` }
}

/**
 * Parses `brands/{brandId}/agents/{agentId}`.
 * @throws {InvalidArgumentError} `agent: must look like brands/BRAND_ID/agents/AGENT_ID`
 * @example
 * ```ts
 * parseAgentName('brands/1111/agents/2222') // { brandId: '1111', agentId: '2222', name: 'brands/1111/agents/2222' }
 * ```
 */
export function parseAgentName(name: string, field = 'agent'): AgentName {
  const ids = splitName(name, ['brands', 'agents'])
  if (ids === undefined) throw new InvalidArgumentError(field, 'must look like brands/BRAND_ID/agents/AGENT_ID')
  const [brandId, agentId] = ids as [string, string]
  return { brandId, agentId, name: `brands/${brandId}/agents/${agentId}` }
}

/**
 * Parses `partners/{partnerId}`.
 * @throws {InvalidArgumentError} `partner: must look like partners/PARTNER_ID`
 */
export function parsePartnerName(name: string, field = 'partner'): PartnerName {
  const ids = splitName(name, ['partners'])
  if (ids === undefined) throw new InvalidArgumentError(field, 'must look like partners/PARTNER_ID')
  const [partnerId] = ids as [string]
  return { partnerId, name: `partners/${partnerId}` }
}

/**
 * Checks that a conversation id (or message, event or survey id) is one URL-safe path segment and
 * returns it unchanged.
 * @throws {InvalidArgumentError} e.g. `conversationId: must be 1-256 characters of A-Z a-z 0-9 . _ ~ -`
 */
export function validateConversationId(id: string, field = 'conversationId'): string {
  if (typeof id !== 'string' || !isValidId(id)) {
    throw new InvalidArgumentError(field, `must be 1-${MAX_ID_LENGTH} characters of A-Z a-z 0-9 . _ ~ -`)
  }
  return id
}

/** Same rule as {@link validateConversationId}, for message, event and survey ids. */
export function validateResourceId(id: string, field: string): string {
  return validateConversationId(id, field)
}
