/**
 * @module google
 * Typed agent-side clients for Google's Business Communications and Business Messages APIs, the
 * service-account token source they authenticate with, and their configuration helpers.
 * Explicit named exports only.
 */
export {
  parseAgentName,
  parseBrandName,
  parsePartnerName,
  validateConversationId,
  validateResourceId,
} from './resource-names.ts'
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
  processTokenResponse,
} from './service-account.ts'
export type { AccessTokenSource, ServiceAccountCredentialsOptions } from './service-account.ts'

export { DEFAULT_TIMEOUT_MS } from './transport.ts'
export type { TimeoutSignalFactory } from './transport.ts'
export { GoogleHTTP, buildQuery } from './http.ts'
export type {
  CreateOutcome,
  GoogleClientOptions,
  GoogleHTTPOptions,
  GoogleRequest,
  HttpMethod,
} from './http.ts'
export { DEFAULT_RETRY, decideRetry } from './retry-policy.ts'
export type { FailedAttempt, RetryDecision, RetryOptions } from './retry-policy.ts'
export { rpcStatusForHttp, toGoogleAPIError } from './google-error.ts'
export { ConversationPacer, nextSendTime } from './pacer.ts'
export type { ConversationPacerOptions } from './pacer.ts'

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
export {
  MESSAGE_LIMITS,
  validateEvent,
  validateMessage,
  validateReceipt,
} from './business-messages/validate.ts'
export type { ValidateMessageOptions } from './business-messages/validate.ts'
export { checkRichText } from './business-messages/rich-text.ts'
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

export { resolveGoogleEndpoints, resolveKeyFile } from './endpoints.ts'
export type { Env, GoogleEndpointOverrides, GoogleEndpoints } from './endpoints.ts'
