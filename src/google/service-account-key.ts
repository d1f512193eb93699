/**
 * @module google/service-account-key
 * Reading and validating a Google service-account key file (the JSON the Cloud console hands out).
 * Errors name the missing or malformed field but never echo a value: a key file is one long secret,
 * and even `JSON.parse`'s own error text quotes a snippet of its input, so it is not kept as `cause`.
 *
 * @see docs/contract-decisions.md §5 (service-account authentication)
 */
import { readFile } from 'node:fs/promises'
import { z } from 'zod'
import { BmOAuthError } from '../errors.ts'
import { isHttpURL } from './url.ts'

/** The fields of a service-account key file that bm-oauth uses (Google's spelling). */
export interface ServiceAccountKey {
  type: 'service_account'
  client_email: string
  /** PEM PKCS#8 RSA private key. Secret. */
  private_key: string
  private_key_id?: string
  /** Token endpoint; defaults to `https://oauth2.googleapis.com/token`. Honoured (unlike google-auth-library). */
  token_uri?: string
  project_id?: string
  client_id?: string
}

const PEM_HEADER = '-----BEGIN PRIVATE KEY-----'

const httpUrl = z.string().refine(isHttpURL)

const keySchema = z.object({
  type: z.literal('service_account'),
  client_email: z.string().min(3).includes('@'),
  private_key: z.string().refine((v) => v.trimStart().startsWith(PEM_HEADER)),
  private_key_id: z.string().min(1).optional(),
  token_uri: httpUrl.optional(),
  project_id: z.string().optional(),
  client_id: z.string().optional(),
})

type KeyField = keyof ServiceAccountKey

/** What each field must be; used instead of zod's messages so no value can ever leak into text. */
const FIELD_RULES: Record<KeyField, string> = {
  type: 'must be "service_account"',
  client_email: 'must be an e-mail address string',
  private_key: `must be a PEM string starting with ${PEM_HEADER}`,
  private_key_id: 'must be a non-empty string when present',
  token_uri: 'must be an absolute http(s) URL when present',
  project_id: 'must be a string when present',
  client_id: 'must be a string when present',
}

function keyError(message: string): BmOAuthError {
  return new BmOAuthError('ERR_SERVICE_ACCOUNT_KEY', message, { status: 500 })
}

/**
 * Validates a service-account key given as JSON text or an already-parsed object.
 * @throws {BmOAuthError} `ERR_SERVICE_ACCOUNT_KEY`, naming the bad field (never its value).
 */
export function parseServiceAccountKey(json: string | unknown): ServiceAccountKey {
  let value: unknown = json
  if (typeof json === 'string') {
    try {
      value = JSON.parse(json)
    } catch {
      throw keyError('service-account key is not valid JSON')
    }
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw keyError('service-account key must be a JSON object')
  }
  const result = keySchema.safeParse(value)
  if (!result.success) {
    const field = String(result.error.issues[0]?.path[0] ?? 'type') as KeyField
    const present = Object.hasOwn(value, field) && (value as Record<string, unknown>)[field] !== undefined
    const rule = present ? (FIELD_RULES[field] ?? 'is invalid') : 'is required'
    throw keyError(`service-account key: field "${field}" ${rule}`)
  }
  return dropUndefined(result.data)
}

function dropUndefined(parsed: z.infer<typeof keySchema>): ServiceAccountKey {
  const key: ServiceAccountKey = {
    type: parsed.type,
    client_email: parsed.client_email,
    private_key: parsed.private_key,
  }
  if (parsed.private_key_id !== undefined) key.private_key_id = parsed.private_key_id
  if (parsed.token_uri !== undefined) key.token_uri = parsed.token_uri
  if (parsed.project_id !== undefined) key.project_id = parsed.project_id
  if (parsed.client_id !== undefined) key.client_id = parsed.client_id
  return key
}

/**
 * Reads and validates a key file.
 * @throws {BmOAuthError} `ERR_SERVICE_ACCOUNT_KEY`: `key file not found: PATH`, unreadable, or invalid.
 */
export async function readServiceAccountKey(path: string): Promise<ServiceAccountKey> {
  let text: string
  try {
    text = await readFile(path, 'utf8')
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code
    if (code === 'ENOENT') throw keyError(`key file not found: ${path}`)
    throw keyError(`key file could not be read: ${path} (${code ?? 'unknown error'})`)
  }
  return parseServiceAccountKey(text)
}
