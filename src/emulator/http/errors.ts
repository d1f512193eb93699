/**
 * @module emulator/http/errors
 * Google's JSON error envelope as the emulator answers it: `{error: {code, message, status}}` with
 * `code` = HTTP status and `status` = the `google.rpc.Code` name (docs/contract-decisions.md §1.8).
 * Handlers throw {@link EmulatorError}; the server turns any thrown value into an envelope with
 * {@link errorReply}.
 */
import { isBmOAuthError } from '../../errors.ts'
import type { Logger } from '../../core/logger.ts'
import type { Reply } from './http-io.ts'

/** The `google.rpc.Code` names the emulator answers with. */
export type RpcStatus =
  | 'INVALID_ARGUMENT'
  | 'FAILED_PRECONDITION'
  | 'UNAUTHENTICATED'
  | 'PERMISSION_DENIED'
  | 'NOT_FOUND'
  | 'ALREADY_EXISTS'
  | 'RESOURCE_EXHAUSTED'
  | 'UNIMPLEMENTED'
  | 'INTERNAL'

/** Standard HTTP mapping of each code (docs/contract-decisions.md §1.8). */
export const HTTP_STATUS_OF: Readonly<Record<RpcStatus, number>> = {
  INVALID_ARGUMENT: 400,
  FAILED_PRECONDITION: 400,
  UNAUTHENTICATED: 401,
  PERMISSION_DENIED: 403,
  NOT_FOUND: 404,
  ALREADY_EXISTS: 409,
  RESOURCE_EXHAUSTED: 429,
  UNIMPLEMENTED: 501,
  INTERNAL: 500,
}

export interface EmulatorErrorOptions {
  /** Overrides the standard HTTP status (only for 405, which has no rpc code of its own). */
  httpStatus?: number
  /** Extra response headers, e.g. `WWW-Authenticate` or `Allow`. */
  headers?: Record<string, string>
}

/**
 * A failure the emulator answers with Google's error envelope. The message never holds a secret.
 * Not a `BmOAuthError`: the emulator stands in for Google, so its refusals are not failures of the
 * library, and `isBmOAuthError` must not claim them (docs/api.md §7). Its one code is
 * `ERR_EMULATOR_RPC` (docs/errors.md); `status` is the HTTP status it answers with.
 */
export class EmulatorError extends Error {
  readonly code = 'ERR_EMULATOR_RPC'
  readonly status: number
  readonly rpcStatus: RpcStatus
  readonly headers: Readonly<Record<string, string>>
  constructor(rpcStatus: RpcStatus, message: string, options: EmulatorErrorOptions = {}) {
    super(message)
    this.name = 'EmulatorError'
    this.status = options.httpStatus ?? HTTP_STATUS_OF[rpcStatus]
    this.rpcStatus = rpcStatus
    this.headers = options.headers ?? {}
  }
}

/** Builds the envelope body `{error: {code, message, status}}`. */
export function errorEnvelope(httpStatus: number, rpcStatus: string, message: string): object {
  return { error: { code: httpStatus, message, status: rpcStatus } }
}

/**
 * Maps anything a handler threw to an envelope reply: {@link EmulatorError} as is, a validation failure
 * (any `ERR_INVALID_ARGUMENT`, e.g. an `InvalidArgumentError`) as 400 `INVALID_ARGUMENT`,
 * everything else as 500 `INTERNAL` (logged, message hidden).
 */
export function errorReply(err: unknown, logger: Logger): Reply {
  if (err instanceof EmulatorError) {
    return {
      status: err.status,
      headers: { ...err.headers },
      body: errorEnvelope(err.status, err.rpcStatus, err.message),
    }
  }
  if (isBmOAuthError(err, 'ERR_INVALID_ARGUMENT')) {
    return { status: 400, body: errorEnvelope(400, 'INVALID_ARGUMENT', err.message) }
  }
  logger.error(
    { err: err instanceof Error ? { name: err.name, message: err.message, stack: err.stack } : String(err) },
    'handler failed',
  )
  return { status: 500, body: errorEnvelope(500, 'INTERNAL', 'Internal error encountered.') }
}
