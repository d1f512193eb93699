/**
 * @module bm-oauth
 * Public library entry: explicit named exports only.
 */
export { BmOAuthError, InvalidArgumentError, GoogleAPIError, isBmOAuthError } from './errors.ts'
export type { ErrorCode, BmOAuthErrorOptions } from './errors.ts'
export { systemClock, ManualClock, OffsetClock } from './core/clock.ts'
export type { Clock } from './core/clock.ts'
export type { FetchLike } from './core/fetch.ts'
export { createLogger, silentLogger } from './core/logger.ts'
export type { Logger, CreateLoggerOptions } from './core/logger.ts'

// Google's two APIs (agent side): clients, credentials, wire types, local validation.
export {
  parseAgentName,
  parseBrandName,
  parsePartnerName,
  validateConversationId,
  parseServiceAccountKey,
  readServiceAccountKey,
  SCOPES,
  expandScope,
  expandScopes,
  GOOGLE_TOKEN_URL,
  ServiceAccountCredentials,
  ServiceAccountTokenError,
  StaticAccessTokenSource,
  createAuthorizationHeader,
  ConversationPacer,
  BUSINESS_COMMUNICATIONS_BASE_URL,
  BusinessCommunicationsClient,
  formatUpdateMask,
  BUSINESS_MESSAGES_BASE_URL,
  BusinessMessagesClient,
  MESSAGE_LIMITS,
  validateEvent,
  validateMessage,
  validateReceipt,
  authenticationRequestSuggestion,
  openUrlSuggestion,
  replySuggestion,
  resolveGoogleEndpoints,
  resolveKeyFile,
} from './google/index.ts'
export type {
  AgentName,
  BrandName,
  PartnerName,
  ServiceAccountKey,
  AccessTokenSource,
  ServiceAccountCredentialsOptions,
  GoogleClientOptions,
  RetryOptions,
  ConversationPacerOptions,
  AgentPage,
  ListAgentsOptions,
  Agent,
  AuthorizationConfig,
  BusinessMessagesAgent,
  BusinessMessagesCapability,
  ConversationalSetting,
  Partner,
  ProductCapability,
  BusinessMessagesClientOptions,
  CreateMessageOptions,
  ValidateMessageOptions,
  AuthenticationRequestInput,
  ActionSuggestion,
  AuthenticationRequestSuggestion,
  CardContent,
  ContentInfo,
  Event,
  EventType,
  LiveAgentRequestSuggestion,
  Message,
  Receipt,
  ReceiptType,
  ReplySuggestion,
  Representative,
  RichCard,
  Suggestion,
  Survey,
  GoogleEndpoints,
  GoogleEndpointOverrides,
} from './google/index.ts'

// OAuth provider side.
export { BUSINESS_MESSAGES_REDIRECT_URIS, isAllowedRedirectURI } from './oauth/redirect-uris.ts'
