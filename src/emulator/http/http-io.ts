/**
 * @module emulator/http/http-io
 * The small HTTP vocabulary shared by every emulator handler: a {@link Reply} value that handlers
 * return instead of writing to the socket, and the node:http glue that reads bodies (with a size
 * limit) and writes replies. Keeping handlers on values makes them testable without a socket.
 */
import type { IncomingMessage, ServerResponse } from 'node:http'
import { EmulatorError } from './errors.ts'

/** What a handler answers: a status, optional headers, and a JSON value or a string body. */
export interface Reply {
  status: number
  headers?: Record<string, string>
  /** Objects are sent as JSON; strings are sent as is (set `content-type` yourself). */
  body?: object | string
}

/** Google's request size limit is larger; 1 MiB is ample for every emulated method. */
export const MAX_BODY_BYTES = 1024 * 1024

/** Reads the whole request body as UTF-8, refusing more than {@link MAX_BODY_BYTES}. */
export async function readRequestText(req: IncomingMessage): Promise<string> {
  const chunks: Buffer[] = []
  let size = 0
  for await (const chunk of req) {
    const buf = chunk as Buffer
    size += buf.length
    if (size > MAX_BODY_BYTES) {
      throw new EmulatorError('INVALID_ARGUMENT', `Request payload size exceeds the limit: ${MAX_BODY_BYTES} bytes.`)
    }
    chunks.push(buf)
  }
  return Buffer.concat(chunks).toString('utf8')
}

/** Writes `reply` to `res` (JSON for object bodies) and ends the response. */
export function writeReply(res: ServerResponse, reply: Reply): void {
  const headers: Record<string, string> = { 'cache-control': 'no-store', ...reply.headers }
  let payload: string | undefined
  if (typeof reply.body === 'string') {
    payload = reply.body
    headers['content-type'] ??= 'text/plain; charset=utf-8'
  } else if (reply.body !== undefined) {
    payload = JSON.stringify(reply.body)
    headers['content-type'] ??= 'application/json; charset=utf-8'
  }
  res.writeHead(reply.status, headers)
  res.end(payload)
}

/** A JSON reply with status 200 unless told otherwise. */
export function jsonReply(body: object, status = 200): Reply {
  return { status, body }
}

/** A small HTML page (the stand-in redirect targets' "you can close this window"). */
export function htmlReply(status: number, title: string, text: string): Reply {
  const esc = (s: string): string =>
    s.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c] ?? c)
  const html =
    `<!doctype html><html lang="en"><head><meta charset="utf-8"><title>${esc(title)}</title></head>` +
    `<body><h1>${esc(title)}</h1><p>${esc(text)}</p></body></html>`
  return { status, headers: { 'content-type': 'text/html; charset=utf-8' }, body: html }
}
