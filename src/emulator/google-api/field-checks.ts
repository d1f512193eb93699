/**
 * @module emulator/google-api/field-checks
 * Small pure checks of JSON request fields shared by the emulator's validators. Each failure is an
 * {@link InvalidArgumentError} naming the field (Google spelling, dotted path) and the rule.
 */
import { InvalidArgumentError } from '../../errors.ts'
import { EmulatorError } from '../http/errors.ts'

export type JSONObject = Record<string, unknown>

export function isObject(v: unknown): v is JSONObject {
  return typeof v === 'object' && v !== null && !Array.isArray(v)
}

/** Length in characters (code points), not UTF-16 units. */
export function chars(s: string): number {
  return [...s].length
}

/** Proto3 JSON: an absent, null or empty string counts as "not set". */
export function isSet(v: unknown): boolean {
  return v !== undefined && v !== null && v !== ''
}

export function optionalString(obj: JSONObject, key: string, field: string, maxChars?: number): string | undefined {
  const v = obj[key]
  if (v === undefined || v === null) return undefined
  if (typeof v !== 'string') throw new InvalidArgumentError(field, 'must be a string')
  if (maxChars !== undefined && chars(v) > maxChars) {
    throw new InvalidArgumentError(field, `at most ${maxChars} characters`)
  }
  return v
}

export function requiredString(obj: JSONObject, key: string, field: string, maxChars?: number): string {
  const v = optionalString(obj, key, field, maxChars)
  if (v === undefined || v === '') throw new InvalidArgumentError(field, 'required')
  return v
}

export function requiredObject(obj: JSONObject, key: string, field: string): JSONObject {
  const v = obj[key]
  if (v === undefined || v === null) throw new InvalidArgumentError(field, 'required')
  if (!isObject(v)) throw new InvalidArgumentError(field, 'must be an object')
  return v
}

/** A list field (absent = empty). */
export function list(obj: JSONObject, key: string, field: string): unknown[] {
  const v = obj[key]
  if (v === undefined || v === null) return []
  if (!Array.isArray(v)) throw new InvalidArgumentError(field, 'must be a list')
  return v
}

/** Whether `value` parses as an absolute URL with the `http:` or `https:` scheme. */
export function isHttpURL(value: string): boolean {
  return URL.canParse(value) && /^https?:$/.test(new URL(value).protocol)
}

export function httpURL(obj: JSONObject, key: string, field: string, options: { required: boolean }): void {
  const v = options.required ? requiredString(obj, key, field) : optionalString(obj, key, field)
  if (v === undefined || v === '') return
  if (!isHttpURL(v)) {
    throw new InvalidArgumentError(field, 'must be an absolute http(s) URL')
  }
}

export function enumValue(
  obj: JSONObject,
  key: string,
  field: string,
  allowed: readonly string[],
  options: { required: boolean },
): void {
  const v = obj[key]
  if (v === undefined || v === null) {
    if (options.required) throw new InvalidArgumentError(field, 'required')
    return
  }
  if (typeof v !== 'string' || !allowed.includes(v)) {
    throw new InvalidArgumentError(field, `must be one of ${allowed.join(', ')}`)
  }
}

/** Refuses keys outside `known` the way Google's JSON decoder does. */
export function rejectUnknownNames(body: JSONObject, known: readonly string[], where: string): void {
  for (const key of Object.keys(body)) {
    if (!known.includes(key)) {
      throw new EmulatorError(
        'INVALID_ARGUMENT',
        `Invalid JSON payload received. Unknown name "${key}" at '${where}': Cannot find field.`,
      )
    }
  }
}
