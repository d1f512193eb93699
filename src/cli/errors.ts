/**
 * @module cli/errors
 * Turns any error into one clear line on stderr (or a JSON object with `--json`) and an exit code.
 * Messages come from our typed errors, which never carry secrets; unknown errors show only their message.
 */
import { BmOAuthError, type ErrorCode, GoogleAPIError } from '../errors.ts'
import { EXIT_FAILURE, EXIT_USAGE } from './io.ts'
import type { CLIIO } from './io.ts'

const USAGE_CODES: ReadonlySet<ErrorCode> = new Set(['ERR_INVALID_ARGUMENT', 'ERR_CONFIG', 'ERR_SERVICE_ACCOUNT_KEY'])

/** Reports `err` and returns the exit code for it. */
export function reportError(io: CLIIO, err: unknown, json: boolean): number {
  const info = describeError(err)
  if (json) {
    io.stderr.write(`${JSON.stringify({ error: info })}\n`)
  } else {
    io.stderr.write(`bm-oauth: ${info.message}\n`)
  }
  return info.exitCode
}

interface ErrorInfo {
  code: string
  message: string
  exitCode: number
  httpStatus?: number
  status?: string
}

function describeError(err: unknown): ErrorInfo {
  if (err instanceof GoogleAPIError) {
    return {
      code: err.code,
      message: `${err.request.method} ${err.request.url}: ${err.httpStatus} ${err.rpcStatus}: ${err.googleMessage}`,
      exitCode: EXIT_FAILURE,
      httpStatus: err.httpStatus,
      status: err.rpcStatus,
    }
  }
  if (err instanceof BmOAuthError) {
    return { code: err.code, message: err.message, exitCode: USAGE_CODES.has(err.code) ? EXIT_USAGE : EXIT_FAILURE }
  }
  const message = err instanceof Error ? err.message : String(err)
  return { code: 'ERR_UNEXPECTED', message, exitCode: EXIT_FAILURE }
}
