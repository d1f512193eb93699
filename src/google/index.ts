/**
 * @module google
 * Entry of `bm-oauth/google`: typed agent-side clients for Google's Business Communications and
 * Business Messages APIs, the service-account credentials they authenticate with, message builders,
 * local validation, and the wire types (Google's field names, unchanged). Explicit named exports only.
 */
export { GoogleAPIError } from '../errors.ts'

export { parseAgentName, parseBrandName, parsePartnerName, validateConversationId } from './resource-names.ts'
export type { AgentName, BrandName, PartnerName } from './resource-names.ts'

export { parseServiceAccountKey, readServiceAccountKey } from './service-account-key.ts'
export type { ServiceAccountKey } from './service-account-key.ts'
export { SCOPES, expandScope, expandScopes } from './scopes.ts'
export {
  GOOGLE_TOKEN_URL,
  ServiceAccountCredentials,
  ServiceAccountTokenError,
  StaticAccessTokenSource,
  createAuthorizationHeader,
} from './service-account.ts'
export type { AccessTokenSource, ServiceAccountCredentialsOptions } from './service-account.ts'
export type { GoogleClientOptions } from './http.ts'
export type { RetryOptions } from './retry-policy.ts'
export { ConversationPacer } from './pacer.ts'
export type { ConversationPacerOptions } from './pacer.ts'
export { resolveGoogleEndpoints, resolveKeyFile } from './endpoints.ts'
export type { GoogleEndpointOverrides, GoogleEndpoints } from './endpoints.ts'

export {
  BUSINESS_COMMUNICATIONS_BASE_URL,
  BusinessCommunicationsClient,
  formatUpdateMask,
} from './business-communications/client.ts'
export type { AgentPage, ListAgentsOptions } from './business-communications/client.ts'
export type {
  Agent,
  AuthorizationConfig,
  BusinessMessagesAgent,
  BusinessMessagesCapability,
  ConversationalSetting,
  EntryPoint,
  InteractionType,
  ListAgentsResponse,
  Partner,
  Product,
  ProductCapability,
  SupportedAgentInteraction,
  TestUrlSurface,
} from './business-communications/types.ts'

export { BUSINESS_MESSAGES_BASE_URL, BusinessMessagesClient } from './business-messages/client.ts'
export type { BusinessMessagesClientOptions, CreateMessageOptions } from './business-messages/client.ts'
export { MESSAGE_LIMITS, validateEvent, validateMessage, validateReceipt } from './business-messages/validate.ts'
export type { ValidateMessageOptions } from './business-messages/validate.ts'
export {
  authenticationRequestSuggestion,
  openUrlSuggestion,
  replySuggestion,
} from './business-messages/builders.ts'
export type { AuthenticationRequestInput } from './business-messages/builders.ts'
export type {
  ActionSuggestion,
  AuthenticationRequestSuggestion,
  CardContent,
  CardWidth,
  CodeChallengeMethod,
  ContentInfo,
  Event,
  EventType,
  LiveAgentRequestSuggestion,
  Media,
  MediaHeight,
  Message,
  Receipt,
  ReceiptType,
  ReplySuggestion,
  Representative,
  RepresentativeType,
  RichCard,
  SuggestedAction,
  Suggestion,
  Survey,
} from './business-messages/types.ts'
