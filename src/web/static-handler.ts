/**
 * @module web/static-handler
 * Serves the web chat page (the files under `public/`) over `node:http`: `/` is `index.html`, and
 * `/web/<file>` is `<root>/<file>`. GET and HEAD only. Paths are resolved safely (no `..`, no
 * dotfiles, no backslashes or NUL bytes, no escape from `root` through a symlink), only known file
 * types are served, and every answer says `Cache-Control: no-cache` and `X-Content-Type-Options:
 * nosniff`. The HTML carries a strict Content-Security-Policy: scripts, styles and `fetch` from the
 * page's own origin only. Imports nothing from `src/`, so the emulator can mount it without
 * depending on agent-side code.
 */
import { createReadStream } from 'node:fs'
import { realpath, stat } from 'node:fs/promises'
import type { IncomingMessage, ServerResponse } from 'node:http'
import { extname, resolve, sep } from 'node:path'
import { fileURLToPath } from 'node:url'

/**
 * Where the page's files live: `public/` next to this module. From `src/web/` (type stripping) that
 * is `src/web/public/`; from the build it is `dist/web/public/` (the build copies the folder).
 */
export const WEB_PUBLIC_DIR: string = fileURLToPath(new URL('./public/', import.meta.url))

/** URL prefix of the page's assets; `/` itself answers `index.html`. */
export const WEB_ASSET_PREFIX = '/web/'

/** A node:http request handler that answers `true` when the request was its to serve. */
export type StaticHandler = (req: IncomingMessage, res: ServerResponse) => boolean

export interface StaticHandlerOptions {
  /** Folder holding `index.html` and the assets (usually {@link WEB_PUBLIC_DIR}). */
  root: string
}

const CONTENT_TYPES: Readonly<Record<string, string>> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
}

/**
 * Policy of the chat page. Images may come from anywhere on http(s): agents' rich cards and avatars
 * point at their own hosts (docs/contract-decisions.md §2.2). Everything that can run code or send
 * data stays on `'self'`. The sign-in popup is opened with `window.open`, which CSP does not
 * restrict.
 */
export const PAGE_CONTENT_SECURITY_POLICY = [
  "default-src 'none'",
  "script-src 'self'",
  "style-src 'self'",
  "connect-src 'self'",
  "img-src 'self' data: http: https:",
  "form-action 'self'",
  "base-uri 'none'",
  "frame-ancestors 'none'",
  "object-src 'none'",
].join('; ')

/** Assets other than the page get a policy that runs nothing (an SVG opened directly, say). */
const ASSET_CONTENT_SECURITY_POLICY = "default-src 'none'; style-src 'unsafe-inline'; sandbox"

/**
 * Creates the handler. It claims GET/HEAD requests for `/`, `/index.html` and `/web/*` (answering
 * 404 itself for files that do not exist or may not be served) and returns `false` for everything
 * else, so the caller's router handles those.
 * @example
 * ```ts
 * const serveStatic = createStaticHandler({ root: WEB_PUBLIC_DIR })
 * http.createServer((req, res) => { if (!serveStatic(req, res)) router(req, res) })
 * ```
 */
export function createStaticHandler(options: StaticHandlerOptions): StaticHandler {
  const root = resolve(options.root)
  const realRoot = realpath(root).catch(() => root)
  return (req, res) => {
    const method = req.method ?? 'GET'
    if (method !== 'GET' && method !== 'HEAD') return false
    const relativePath = assetPathOf(req.url ?? '/')
    if (relativePath === undefined) return false
    serveFile(root, realRoot, relativePath, req, res).catch(() => {
      if (!res.headersSent) sendStatus(res, 500, 'Internal Server Error')
      else res.destroy()
    })
    return true
  }
}

/**
 * The file a request target asks for, relative to the root: `index.html` for `/`, the rest of the
 * path for `/web/…`, `''` for a `/web/…` path that is malformed (answered 404), or `undefined` when
 * the target is not the page's at all.
 */
export function assetPathOf(target: string): string | undefined {
  const pathname = target.split(/[?#]/, 1)[0] ?? ''
  if (pathname === '/' || pathname === '/index.html') return 'index.html'
  if (!pathname.startsWith(WEB_ASSET_PREFIX)) return undefined
  let decoded: string
  try {
    decoded = decodeURIComponent(pathname.slice(WEB_ASSET_PREFIX.length))
  } catch {
    return ''
  }
  if (decoded === '') return 'index.html'
  if (decoded.includes('\0') || decoded.includes('\\')) return ''
  const segments = decoded.split('/')
  if (segments.some((s) => s === '' || s.startsWith('.'))) return ''
  return segments.join('/')
}

async function serveFile(
  root: string,
  realRoot: Promise<string>,
  relativePath: string,
  req: IncomingMessage,
  res: ServerResponse,
): Promise<void> {
  const contentType = CONTENT_TYPES[extname(relativePath).toLowerCase()]
  if (relativePath === '' || contentType === undefined) return sendStatus(res, 404, 'Not Found')
  const file = resolve(root, relativePath)
  if (!file.startsWith(root + sep)) return sendStatus(res, 404, 'Not Found')
  const found = await statInside(file, await realRoot)
  if (found === undefined) return sendStatus(res, 404, 'Not Found')
  const etag = `W/"${found.size.toString(16)}-${Math.floor(found.mtimeMs).toString(16)}"`
  const headers: Record<string, string> = {
    ...commonHeaders(contentType),
    'content-length': String(found.size),
    etag,
  }
  if (req.headers['if-none-match'] === etag) {
    const { 'content-length': _length, ...notModified } = headers
    res.writeHead(304, notModified)
    return void res.end()
  }
  res.writeHead(200, headers)
  if (req.method === 'HEAD') return void res.end()
  await new Promise<void>((done, fail) => {
    createReadStream(found.realPath).on('error', fail).on('end', done).pipe(res)
  })
}

/** The file's size and mtime when it is a regular file whose real path stays inside the root. */
async function statInside(
  file: string,
  realRoot: string,
): Promise<{ size: number; mtimeMs: number; realPath: string } | undefined> {
  try {
    const realPath = await realpath(file)
    if (!realPath.startsWith(realRoot + sep)) return undefined
    const info = await stat(realPath)
    return info.isFile() ? { size: info.size, mtimeMs: info.mtimeMs, realPath } : undefined
  } catch {
    return undefined
  }
}

function commonHeaders(contentType: string): Record<string, string> {
  const isPage = contentType.startsWith('text/html')
  return {
    'content-type': contentType,
    'cache-control': 'no-cache',
    'x-content-type-options': 'nosniff',
    'content-security-policy': isPage ? PAGE_CONTENT_SECURITY_POLICY : ASSET_CONTENT_SECURITY_POLICY,
    'referrer-policy': 'no-referrer',
  }
}

function sendStatus(res: ServerResponse, status: number, text: string): void {
  res.writeHead(status, {
    'content-type': 'text/plain; charset=utf-8',
    'cache-control': 'no-cache',
    'x-content-type-options': 'nosniff',
    'content-length': String(Buffer.byteLength(text)),
  })
  res.end(text)
}
