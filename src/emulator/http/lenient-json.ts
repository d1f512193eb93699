/**
 * @module emulator/http/lenient-json
 * Request bodies parsed the way Google's front end evidently did: the documented curl commands use
 * single quotes and trailing commas (docs/contract-decisions.md §1.4, §10 "lenient JSON"), so JSON5
 * syntax is accepted. Anything that is still not parseable answers 400 `INVALID_ARGUMENT` like
 * Google's JSON decoder.
 */
import JSON5 from 'json5'
import { EmulatorError } from './errors.ts'

/**
 * Parses `text` leniently (JSON5). An empty or blank body yields `undefined` (Google treats it as an
 * empty message). Throws {@link EmulatorError} `INVALID_ARGUMENT` with Google's wording on a syntax error.
 */
export function parseLenientJSON(text: string): unknown {
  if (text.trim() === '') return undefined
  try {
    return JSON5.parse(text) as unknown
  } catch (err) {
    const detail = err instanceof Error ? err.message.replace(/^JSON5: /, '') : 'syntax error'
    throw new EmulatorError('INVALID_ARGUMENT', `Invalid JSON payload received. ${detail}`)
  }
}

/**
 * Parses a request body that must be a JSON object (or empty, which counts as `{}`); `what` names the
 * message type in the error, e.g. `agent`.
 */
export function parseJSONObjectBody(text: string, what: string): Record<string, unknown> {
  const value = parseLenientJSON(text)
  if (value === undefined) return {}
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw new EmulatorError('INVALID_ARGUMENT', `Invalid JSON payload received. Expected an object for '${what}'.`)
  }
  return value as Record<string, unknown>
}
