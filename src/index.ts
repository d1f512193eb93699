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

// PKCE (RFC 7636): bm-oauth only ever sends S256 challenges.
export {
  CODE_CHALLENGE_METHOD,
  calculateS256Challenge,
  generateCodeVerifier,
  isValidCodeVerifier,
  validateCodeVerifier,
} from './pkce/index.ts'
export type { RandomBytes } from './pkce/index.ts'

// OAuth wrapper: provider resolution and the four provider calls.
export {
  DEFAULT_OAUTH_TIMEOUT_MS,
  MAX_RESPONSE_BYTES,
  OAuthProtocolError,
  OAuthProvider,
  OAuthResponseError,
  TokenSet,
  exchangeAuthorizationCode,
  fetchUserInfo,
  refreshTokens,
  resolveProvider,
  revokeToken,
  tokenFingerprint,
} from './oauth/index.ts'
export type {
  AuthorizationCodeExchange,
  ClientConfig,
  DiscoveredProviderConfig,
  ExplicitProviderConfig,
  IDTokenClaims,
  OAuthConfig,
  OAuthOperation,
  OAuthOptions,
  OAuthResponseErrorOptions,
  ProviderConfig,
  TokenEndpointAuthMethod,
  TokenSetInit,
  TokenTypeHint,
  UserInfo,
} from './oauth/index.ts'

// SQL databases every store runs on (SQLite embedded default, PostgreSQL) and the migration runner.
export { openSQLiteDatabase } from './db/sqlite.ts'
export type { OpenSQLiteDatabaseOptions } from './db/sqlite.ts'
export { openPostgresDatabase } from './db/postgres.ts'
export type { OpenPostgresDatabaseOptions } from './db/postgres.ts'
export { migrate, storeMigrator } from './db/migrate.ts'
export type { Migration, MigrateOptions, MigrateResult, StoreMigrator } from './db/migrate.ts'
export { StoreError } from './db/store-error.ts'
export type { StoreErrorFields } from './db/store-error.ts'
export type { Database, Queryable, QueryResult, Row, SQLValue } from './db/queryable.ts'

// Token vault (AES-256-GCM keyring) and the token store.
export {
  Keyring,
  VAULT_KEYS_ENV,
  VAULT_KEY_BYTES,
  VaultKeyError,
  generateVaultKey,
  keyringFromEnv,
  parseVaultKeys,
} from './tokens/keyring.ts'
export type { GenerateVaultKeyOptions } from './tokens/keyring.ts'
export { SEAL_VERSION, VaultDecryptError, createVault } from './tokens/seal.ts'
export type { SealContext, Vault } from './tokens/seal.ts'
export { tokenSealContext } from './tokens/token-store.ts'
export type {
  IdTokenClaims,
  ListTokensFilter,
  MarkSignedOutOptions,
  RefreshLeases,
  RekeyOptions,
  RekeyResult,
  TokenKey,
  TokenRecord,
  TokenSet as StoredTokenSet,
  TokenStatus,
  TokenStore,
  TokenStoreAdmin,
  TokenSummary,
  TokenWrite,
} from './tokens/token-store.ts'
export { createSQLTokenStore } from './tokens/sql-token-store.ts'
export type { SQLTokenStore, SQLTokenStoreOptions } from './tokens/sql-token-store.ts'
export { TOKEN_TABLE, migrateTokenStore } from './tokens/migrations.ts'

// Pending sign-ins (sealed PKCE verifiers) and the exactly-once code-exchange markers.
export {
  DEFAULT_PENDING_SIGNIN_TTL_MS,
  createPendingSignInStore,
  pendingSignInSealContext,
} from './signin-store/pending-signins.ts'
export type {
  ConsumedSignIn,
  NewPendingSignIn,
  PendingSignIn,
  PendingSignInAdmin,
  PendingSignInStore,
  PendingSignInStoreOptions,
} from './signin-store/pending-signins.ts'
export {
  DEFAULT_EXCHANGE_MARKER_RETENTION_MS,
  createExchangeMarkers,
  hashAuthorizationCode,
} from './signin-store/exchange-markers.ts'
export type { ExchangeMarkerContext, ExchangeMarkers, ExchangeMarkersOptions } from './signin-store/exchange-markers.ts'
export {
  EXCHANGE_MARKER_TABLE,
  PENDING_SIGNIN_TABLE,
  migrateSignInStore,
} from './signin-store/migrations.ts'

// Webhook receiver: signature check, handshake, parsing, durable inbox, node:http adapter.
export { verifyWebhookSignature } from './webhook/verify-signature.ts'
export type { VerifyWebhookSignatureInput } from './webhook/verify-signature.ts'
export { answerHandshake, detectHandshake } from './webhook/handshake.ts'
export type { HandshakeAnswer, HandshakeRequest } from './webhook/handshake.ts'
export { parseWebhookEvent } from './webhook/parse-event.ts'
export { openInboxStore } from './webhook/inbox-store.ts'
export type { ClaimedDelivery, InboxStore, OpenInboxStoreOptions, PayloadSealer } from './webhook/inbox-store.ts'
export { DEFAULT_MAX_BODY_BYTES, createWebhookReceiver, handleWebhookRequest } from './webhook/receiver.ts'
export type {
  RecordedDelivery,
  WebhookReceiver,
  WebhookReceiverOptions,
  WebhookRequest,
  WebhookResponse,
} from './webhook/receiver.ts'
export { createNodeWebhookHandler } from './webhook/node-adapter.ts'
export { DEFAULT_DEDUPE_RETENTION_MS, MAX_EVENT_AGE_MS, RETRY_HORIZON_MS } from './webhook/replay-window.ts'
export type {
  AuthenticationEvent,
  AuthenticationOutcome,
  LiveAgentRequestEvent,
  MessageEvent,
  ReceiptsEvent,
  SuggestionEvent,
  SurveyEvent,
  TypingEvent,
  UnknownEvent,
  WebhookContext,
  WebhookEvent,
  WebhookEventBase,
  WebhookEventKind,
} from './webhook/types.ts'

// The agent runtime: createAgent, the handler context, sessions and lifecycle hooks.
export { createAgent, SignInRequiredError } from './agent/index.ts'
export type {
  AgentHooks,
  AgentOptions,
  AgentWebhookOptions,
  GoogleOptions,
  HookEvent,
  MessageContext,
  MessageHandler,
  Session,
  SignInAgent,
} from './agent/index.ts'
