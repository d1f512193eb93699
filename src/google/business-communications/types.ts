/**
 * @module google/business-communications/types
 * Wire types of the Business Communications API v1 (agent and partner configuration), with Google's
 * exact field names. Only the parts bm-oauth reads or writes are spelled out; every object may carry
 * further fields, which clients must pass through untouched.
 *
 * @see docs/contract-decisions.md §1.5 (Agent schema), §1.6 (partner webhook)
 * @see docs/contract-decisions.md §10 "webhook key via API"
 */

export type EntryPoint = 'ENTRY_POINT_UNSPECIFIED' | 'LOCATION' | 'NON_LOCAL'
export type InteractionType = 'INTERACTION_TYPE_UNSPECIFIED' | 'BOT' | 'HUMAN'
export type TestUrlSurface = 'SURFACE_UNSPECIFIED' | 'SURFACE_ANDROID_WEB' | 'SURFACE_ANDROID_MAPS' | 'SURFACE_IOS_MAPS'
export type Product = 'PRODUCT_UNSPECIFIED' | 'BUSINESS_MESSAGES' | 'VERIFIED_SMS'

/** Where the user signs in; the only OAuth setting stored on the agent. */
export interface AuthorizationConfig {
  /** "The endpoint URL where the user logs in" (the provider's authorization endpoint). */
  endpointUrl?: string
}

export interface ConversationalSetting {
  welcomeMessage?: { text?: string; [field: string]: unknown }
  offlineMessage?: { text?: string }
  privacyPolicy?: { url?: string }
  conversationStarters?: Array<{ suggestion?: Record<string, unknown> }>
}

export interface SupportedAgentInteraction {
  interactionType?: InteractionType
  botRepresentative?: Record<string, unknown>
  humanRepresentative?: Record<string, unknown>
}

export interface BusinessMessagesAgent {
  logoUrl?: string
  entryPointConfigs?: Array<{ allowedEntryPoint?: EntryPoint }>
  /** Locale → settings; `defaultLocale` must be one of the keys. */
  conversationalSettings?: Record<string, ConversationalSetting>
  defaultLocale?: string
  primaryAgentInteraction?: SupportedAgentInteraction
  additionalAgentInteractions?: SupportedAgentInteraction[]
  /** Partner string echoed in every webhook payload. */
  customAgentId?: string
  /** Output only. */
  agentTestUrl?: string
  /** Output only. */
  testUrls?: Array<{ surface?: TestUrlSurface; url?: string }>
  phone?: { number?: string }
  authorizationConfig?: AuthorizationConfig
  nonLocalConfig?: Record<string, unknown>
  surveyConfig?: Record<string, unknown>
  [field: string]: unknown
}

/** `brands/{brandId}/agents/{agentId}`. */
export interface Agent {
  /** Output only, e.g. `brands/1111/agents/2222`. */
  name?: string
  /** Required on create, ≤ 100 characters. */
  displayName?: string
  businessMessagesAgent?: BusinessMessagesAgent
  [field: string]: unknown
}

export interface ListAgentsResponse {
  agents?: Agent[]
  nextPageToken?: string
}

export interface BusinessMessagesCapability {
  webhookUrl?: string
  /**
   * bm-oauth extension (docs/contract-decisions.md §10 "webhook key via API"): the client token the
   * emulator generates when the webhook URL is set by API, used to sign deliveries. Secret; never
   * log it.
   */
  webhookClientToken?: string
}

export interface ProductCapability {
  product?: Product
  businessMessagesCapability?: BusinessMessagesCapability
  [field: string]: unknown
}

/** `partners/{partnerId}`. */
export interface Partner {
  name?: string
  displayName?: string
  productCapabilities?: ProductCapability[]
  [field: string]: unknown
}
