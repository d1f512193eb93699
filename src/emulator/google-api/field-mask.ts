/**
 * @module emulator/google-api/field-mask
 * `google.protobuf.FieldMask` handling for the emulated `patch` methods
 * (docs/contract-decisions.md §1.3, AIP-134), pure and schema-driven. A named path is copied from
 * the body, or cleared when the body lacks it; list fields are replaced wholesale; a missing mask
 * means "every populated field"; `*` means full replacement. Paths may be camelCase (JSON) or
 * snake_case (proto). An unknown path is a 400 naming it; unknown body fields are refused like
 * Google's JSON decoder does.
 */
import { InvalidArgumentError } from '../../errors.ts'
import { isObject, rejectUnknownNames, type JSONObject } from './field-checks.ts'

/**
 * A field's schema: `leaf` (scalar, list or opaque; no sub-paths), `any` (message not modelled:
 * any sub-path accepted), `output` (output only: ignored in masks and bodies), a message with known
 * fields, or a map with string keys.
 */
export type FieldSchema =
  | 'leaf'
  | 'any'
  | 'output'
  | { readonly fields: Readonly<Record<string, FieldSchema>> }
  | { readonly mapValue: FieldSchema }

/** The Agent fields of the 2022 BC schema (docs/contract-decisions.md §1.5). */
export const AGENT_SCHEMA: FieldSchema = {
  fields: {
    name: 'output',
    displayName: 'leaf',
    businessMessagesAgent: {
      fields: {
        logoUrl: 'leaf',
        entryPointConfigs: 'leaf',
        conversationalSettings: { mapValue: 'any' },
        defaultLocale: 'leaf',
        primaryAgentInteraction: 'any',
        additionalAgentInteractions: 'leaf',
        customAgentId: 'leaf',
        agentTestUrl: 'output',
        testUrls: 'output',
        phone: 'any',
        authorizationConfig: { fields: { endpointUrl: 'leaf' } },
        nonLocalConfig: 'any',
        surveyConfig: 'any',
      },
    },
    verifiedSmsAgent: 'any',
    verifiedCallsAgent: 'any',
    rcsBusinessMessagingAgent: 'any',
  },
}

/** The Partner fields (`Schema$Partner` of Google's generated Node client). */
export const PARTNER_SCHEMA: FieldSchema = {
  fields: {
    name: 'output',
    company: 'leaf',
    contactEmails: 'leaf',
    dialogflowServiceAccountEmail: 'output',
    displayName: 'leaf',
    productCapabilities: 'leaf',
  },
}

function snakeToCamel(segment: string): string {
  return segment.replace(/_([a-z0-9])/g, (_, c: string) => c.toUpperCase())
}

/**
 * Parses and validates an `updateMask` query value against `schema`. Returns canonical camelCase
 * paths without output-only ones; `undefined` when no mask was given; `['*']` for full replacement.
 */
export function parseUpdateMask(raw: string | null, schema: FieldSchema): string[] | undefined {
  if (raw === null || raw.trim() === '') return undefined
  const paths: string[] = []
  for (const part of raw
    .split(',')
    .map((p) => p.trim())
    .filter(Boolean)) {
    if (part === '*') return ['*']
    const canonical = canonicalPath(part, schema)
    if (canonical !== undefined) paths.push(canonical)
  }
  return paths
}

/** Canonical form of one path, `undefined` for output-only fields; throws on an unknown path. */
function canonicalPath(path: string, schema: FieldSchema): string | undefined {
  const out: string[] = []
  let node: FieldSchema = schema
  for (const segment of path.split('.')) {
    if (segment === '') throw new InvalidArgumentError('updateMask', `invalid field path "${path}"`)
    if (node === 'any') {
      out.push(segment)
      continue
    }
    if (node === 'leaf' || node === 'output') {
      throw new InvalidArgumentError('updateMask', `invalid field path "${path}": ${out.join('.')} has no sub-fields`)
    }
    if ('mapValue' in node) {
      out.push(segment)
      node = node.mapValue
      continue
    }
    const name = snakeToCamel(segment)
    const next: FieldSchema | undefined = node.fields[name]
    if (next === undefined) {
      throw new InvalidArgumentError('updateMask', `invalid field path "${path}": unknown field`)
    }
    out.push(name)
    node = next
  }
  return node === 'output' ? undefined : out.join('.')
}

/**
 * Refuses body fields the schema does not know (Google: "Unknown name … Cannot find field.") and
 * drops output-only ones. `where` is the message name used in the error, e.g. `agent`.
 */
export function checkKnownFields(body: JSONObject, schema: FieldSchema, where: string): JSONObject {
  if (schema === 'leaf' || schema === 'any' || schema === 'output' || 'mapValue' in schema) return body
  // Own keys only: a body key such as `constructor` or `__proto__` is unknown, not inherited.
  rejectUnknownNames(body, Object.keys(schema.fields), where)
  const cleaned: JSONObject = {}
  for (const [key, value] of Object.entries(body)) {
    const field = schema.fields[key] as FieldSchema
    if (field === 'output') continue
    cleaned[key] =
      isObject(value) && typeof field === 'object' ? checkKnownFields(value, field, `${where}.${key}`) : value
  }
  return cleaned
}

/** AIP-134 implied mask: the populated leaves of `body` (maps down to their entries, `any` wholesale). */
export function impliedMask(body: JSONObject, schema: FieldSchema, prefix = ''): string[] {
  const paths: string[] = []
  for (const [key, value] of Object.entries(body)) {
    if (value === undefined || value === null) continue
    const path = prefix === '' ? key : `${prefix}.${key}`
    const field = typeof schema === 'object' && 'fields' in schema ? schema.fields[key] : schema
    if (field === undefined || field === 'output') continue
    if (isObject(value) && typeof field === 'object') {
      if ('mapValue' in field) paths.push(...Object.keys(value).map((k) => `${path}.${k}`))
      else paths.push(...impliedMask(value, field, path))
    } else {
      paths.push(path)
    }
  }
  return paths
}

/** Returns a copy of `target` with each mask path copied from `body`, or cleared when `body` lacks it. */
export function applyFieldMask(target: JSONObject, body: JSONObject, paths: readonly string[]): JSONObject {
  const result = structuredClone(target)
  for (const path of paths) {
    const segments = path.split('.')
    const value = getPath(body, segments)
    if (value === undefined || value === null) deletePath(result, segments)
    else setPath(result, segments, structuredClone(value))
  }
  return result
}

function getPath(obj: JSONObject, segments: readonly string[]): unknown {
  let node: unknown = obj
  for (const s of segments) {
    if (!isObject(node)) return undefined
    node = node[s]
  }
  return node
}

function setPath(obj: JSONObject, segments: readonly string[], value: unknown): void {
  let node = obj
  for (const s of segments.slice(0, -1)) {
    if (!isObject(node[s])) node[s] = {}
    node = node[s] as JSONObject
  }
  node[segments[segments.length - 1] as string] = value
}

function deletePath(obj: JSONObject, segments: readonly string[]): void {
  const parent = getPath(obj, segments.slice(0, -1))
  if (isObject(parent)) delete parent[segments[segments.length - 1] as string]
}
