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
