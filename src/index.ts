/**
 * @module bm-oauth
 * What an agent author needs (docs/api.md §7): the runtime, its channels, the seams every agent
 * passes, and the errors with their types. Explicit named exports only; the toolkit lives behind
 * one-job subpaths (`bm-oauth/google`, `bm-oauth/webhook`, `bm-oauth/stores`, `bm-oauth/oauth`,
 * `bm-oauth/emulator`).
 */
export { BmOAuthError, ConfigError, InvalidArgumentError, GoogleAPIError, isBmOAuthError } from './errors.ts'
export type { AnyBmOAuthError, BmOAuthErrorOptions, ClassBmOAuthError, ErrorCode, PlainErrorCode } from './errors.ts'

// The runtime and its channels (docs/api.md §1–§3).
export { createAgent, SignInRequiredError } from './agent/index.ts'
export type {
  AccessOptions,
  AgentHooks,
  AgentOptions,
  BaseMessageContext,
  HookEvent,
  MessageContext,
  MessageHandler,
  ProviderInfo,
  Readiness,
  Session,
  SignInAgent,
} from './agent/index.ts'
export { createAgentHost, serveAgent } from './server/serve-agent.ts'
export { describeAuditLog as describeAccessLog } from './audit/audit-log.ts'
export type { AuditEntry, GrantEvent } from './audit/audit-log.ts'
export type { AgentHost, HostOptions, Listen, RunningServer, ServeOptions } from './server/serve-agent.ts'
export type { HTTPRequest, HTTPResponse, Route } from './core/route.ts'
export { businessMessages } from './channel/business-messages/channel.ts'
export type {
  BusinessMessagesChannel,
  BusinessMessagesCredentials,
  BusinessMessagesOptions,
  BusinessMessagesRaw,
  BusinessMessagesWebhookOptions,
} from './channel/business-messages/channel.ts'
export type { Channel, ChannelClient, ChannelDeps, IdOf, RawOf, SignInMode } from './channel/channel.ts'
export type {
  AuthorizationResult,
  ChannelId,
  ConversationKey,
  InboundUser,
  OutgoingMessage,
  Reply,
  ReplyObject,
  SuggestedReply,
} from './channel/types.ts'
export type { MessageKey, MessageOverrides } from './flow/index.ts'
export type { ClientConfig, OAuthConfig, ProviderConfig } from './oauth/config.ts'
export type { OAuthProvider } from './oauth/provider.ts'
export type { Keyring } from './tokens/keyring.ts'
export type { AccessTokenSource } from './google/service-account.ts'
export type { ServiceAccountKey } from './google/service-account-key.ts'
export type { Message, Representative } from './google/business-messages/types.ts'

// Seams every agent passes: its database and its logger.
export { openSQLiteDatabase } from './db/sqlite.ts'
export type { OpenSQLiteDatabaseOptions } from './db/sqlite.ts'
export { openPostgresDatabase } from './db/postgres.ts'
export type { OpenPostgresDatabaseOptions } from './db/postgres.ts'
export type { Database, Queryable } from './db/queryable.ts'
export { createLogger } from './core/logger.ts'
export type { Logger, CreateLoggerOptions } from './core/logger.ts'
export type { Clock } from './core/clock.ts'
export type { FetchLike } from './core/fetch.ts'
