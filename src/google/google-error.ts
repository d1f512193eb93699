/**
 * @module google/google-error
 * Turns a non-2xx answer from a Google API into a {@link GoogleAPIError} (pure). The standard
 * envelope `{error: {code, message, status}}` is used as is; any other body gets the `google.rpc.Code`
 * name that the HTTP status maps to and a short message that does not quote the body.
 *
 * @see docs/contract-decisions.md §1.8 (error responses, HTTP ↔ google.rpc.Code mapping)
 */
import { GoogleAPIError } from '../errors.ts'

// HTTP status → google.rpc.Code name, for answers without the envelope. 409 maps to ABORTED, not
// ALREADY_EXISTS: only an explicit ALREADY_EXISTS may ever count as "the create already happened".
const RPC_STATUS_BY_HTTP: Readonly<Record<number, string>> = {
  400: 'INVALID_ARGUMENT',
  401: 'UNAUTHENTICATED',
  403: 'PERMISSION_DENIED',
  404: 'NOT_FOUND',
  409: 'ABORTED',
  429: 'RESOURCE_EXHAUSTED',
  499: 'CANCELLED',
  500: 'INTERNAL',
  501: 'UNIMPLEMENTED',
  502: 'UNAVAILABLE',
  503: 'UNAVAILABLE',
  504: 'DEADLINE_EXCEEDED',
}

/** The `google.rpc.Code` name for an HTTP status (`UNKNOWN` when there is no standard mapping). */
export function rpcStatusForHttp(status: number): string {
  return RPC_STATUS_BY_HTTP[status] ?? 'UNKNOWN'
}

const MAX_MESSAGE_LENGTH = 1000

/** Builds the error for one failed call from its status and body text. */
export function toGoogleAPIError(
  httpStatus: number,
  bodyText: string,
  request: { method: string; url: string },
  retryAfterMs?: number,
): GoogleAPIError {
  const envelope = readEnvelope(bodyText)
  const rpcStatus = envelope?.status ?? rpcStatusForHttp(httpStatus)
  const message = envelope?.message ?? `HTTP ${httpStatus} without a Google error body`
  const retryAfterSeconds = retryAfterMs === undefined ? undefined : Math.ceil(retryAfterMs / 1000)
  return new GoogleAPIError(httpStatus, rpcStatus, message, request, retryAfterSeconds)
}

function readEnvelope(text: string): { status?: string; message?: string } | undefined {
  let body: unknown
  try {
    body = JSON.parse(text)
  } catch {
    return undefined
  }
  const error = (body as { error?: unknown } | null)?.error
  if (typeof error !== 'object' || error === null) return undefined
  const { status, message } = error as { status?: unknown; message?: unknown }
  const result: { status?: string; message?: string } = {}
  if (typeof status === 'string' && /^[A-Z_]+$/.test(status)) result.status = status
  if (typeof message === 'string') result.message = message.slice(0, MAX_MESSAGE_LENGTH)
  return result
}
