/**
 * @module whatsapp/graph-error
 * Meta's Graph API error envelope → {@link WhatsAppAPIError}, and which codes are retried
 * (docs/whatsapp-decisions.md §5), as pure functions.
 */
import { WhatsAppAPIError } from '../errors.ts'

/** Codes Meta documents as "try again later": throughput, pair rate, account and app rate limits. */
export const RETRIED_GRAPH_CODES: ReadonlySet<number> = new Set([130429, 131056, 80007, 4])

/** Outside the 24-hour customer-service window: only a template can reach the user. Never retried. */
export const OUTSIDE_WINDOW_CODE = 131047
/** Spam rate limit: retrying makes the number's quality worse. Never retried. */
export const SPAM_RATE_LIMIT_CODE = 131048
/** The pair rate limit (one business number → one user). */
export const PAIR_RATE_LIMIT_CODE = 131056

const MAX_TEXT = 1000

/** Builds the error for one failed call from its status and body text (any body: the envelope is optional). */
export function toWhatsAppAPIError(
  httpStatus: number,
  bodyText: string,
  request: { method: string; path: string },
): WhatsAppAPIError {
  const error = readEnvelope(bodyText)
  return new WhatsAppAPIError({
    httpStatus,
    graphCode: numberOf(error?.['code']) ?? 0,
    graphSubcode: numberOf(error?.['error_subcode']),
    graphType: textOf(error?.['type']),
    fbtraceId: textOf(error?.['fbtrace_id']),
    details: textOf((error?.['error_data'] as Record<string, unknown> | undefined)?.['details']),
    message: textOf(error?.['message']) ?? `HTTP ${httpStatus} without a Graph API error body`,
    request,
  })
}

function readEnvelope(text: string): Record<string, unknown> | undefined {
  try {
    const error = (JSON.parse(text) as { error?: unknown } | null)?.error
    return typeof error === 'object' && error !== null ? (error as Record<string, unknown>) : undefined
  } catch {
    return undefined
  }
}

/** Meta sends `code` as a number; some relays quote it. */
function numberOf(raw: unknown): number | undefined {
  if (typeof raw === 'number' && Number.isInteger(raw)) return raw
  if (typeof raw === 'string' && /^\d+$/.test(raw)) return Number(raw)
  return undefined
}

function textOf(raw: unknown): string | undefined {
  return typeof raw === 'string' ? raw.slice(0, MAX_TEXT) : undefined
}
