/**
 * @module ops/doctor-types
 * The vocabulary of `bm-oauth doctor`: one {@link DoctorCheck} per line, and small helpers the
 * check modules share (HTTP with a deadline and a capped body, provider text made printable).
 */
import type { Clock } from '../core/clock.ts'
import type { FetchLike } from '../core/fetch.ts'

/** The result of one check. `detail` and `hint` never hold a secret. */
export interface DoctorCheck {
  /** Stable id, e.g. `provider.discovery`, `redirect-uri.1`, `webhook.handshake`. */
  id: string
  title: string
  status: 'pass' | 'fail'
  detail: string
  /** What to do about a failure. */
  hint?: string
}

export interface DoctorReport {
  ok: boolean
  checks: DoctorCheck[]
}

/** Seams and settings for the checks. */
export interface DoctorContext {
  fetch: FetchLike
  clock: Clock
  /** Deadline per HTTP request in ms. */
  timeoutMs: number
}

export function pass(id: string, title: string, detail: string): DoctorCheck {
  return { id, title, status: 'pass', detail }
}

export function fail(id: string, title: string, detail: string, hint?: string): DoctorCheck {
  return hint === undefined ? { id, title, status: 'fail', detail } : { id, title, status: 'fail', detail, hint }
}

/** Largest response body a check reads (login pages and metadata are small). */
const MAX_BODY_CHARS = 64 * 1024

export interface ProbeResponse {
  status: number
  location: string | null
  contentType: string
  body: string
}

/** One request without following redirects, under the deadline; the body read is capped. */
export async function probe(ctx: DoctorContext, url: string | URL, init: RequestInit = {}): Promise<ProbeResponse> {
  const response = await ctx.fetch(url, { ...init, redirect: 'manual', signal: AbortSignal.timeout(ctx.timeoutMs) })
  const text = await response.text()
  return {
    status: response.status,
    location: response.headers.get('location'),
    contentType: response.headers.get('content-type') ?? '',
    body: text.slice(0, MAX_BODY_CHARS),
  }
}

/** Why a request did not get an answer, as a short phrase (error names and socket codes only). */
export function unreachable(err: unknown): string {
  if (err instanceof Error && (err.name === 'TimeoutError' || err.name === 'AbortError'))
    return 'no answer before the deadline'
  const code = (err as { cause?: { code?: unknown } }).cause?.code
  return typeof code === 'string' ? `unreachable (${code})` : 'unreachable'
}

/** Provider-supplied text, made safe to print: no control characters, at most 160 characters. */
export function printable(text: string): string {
  const clean = text.replace(/[\u0000-\u001f\u007f]+/g, ' ').trim()
  return clean.length > 160 ? `${clean.slice(0, 157)}...` : clean
}
