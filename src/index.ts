/**
 * @module bm-oauth
 * What an agent author needs (docs/api.md §7): the runtime, the seams every agent passes, and the
 * errors with their types. Explicit named exports only; the toolkit lives behind one-job subpaths
 * (`bm-oauth/google`, `bm-oauth/webhook`, `bm-oauth/stores`, `bm-oauth/oauth`, `bm-oauth/emulator`).
 */
export { BmOAuthError, InvalidArgumentError, GoogleAPIError, isBmOAuthError } from './errors.ts'
export type { ErrorCode, BmOAuthErrorOptions } from './errors.ts'

// The runtime (and, with the channel API, its channel factories).
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
export type { MessageKey, MessageOverrides } from './flow/index.ts'
export type { OAuthConfig } from './oauth/config.ts'

// Seams every agent passes: its database and its logger.
export { openSQLiteDatabase } from './db/sqlite.ts'
export type { OpenSQLiteDatabaseOptions } from './db/sqlite.ts'
export { openPostgresDatabase } from './db/postgres.ts'
export type { OpenPostgresDatabaseOptions } from './db/postgres.ts'
export type { Database } from './db/queryable.ts'
export { createLogger } from './core/logger.ts'
export type { Logger, CreateLoggerOptions } from './core/logger.ts'
export type { Clock } from './core/clock.ts'
export type { FetchLike } from './core/fetch.ts'
