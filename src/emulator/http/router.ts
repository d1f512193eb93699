/**
 * @module emulator/http/router
 * A tiny router on the global `URLPattern`: method + pathname pattern → handler. Patterns follow the
 * gRPC transcoding paths of the emulated APIs, e.g. `/v1/brands/:brandId/agents/:agentId`. An unknown
 * path answers 404 `NOT_FOUND`, a known path with the wrong method 405 with an `Allow` header.
 */
import type { IncomingHttpHeaders } from 'node:http'
import { EmulatorError } from './errors.ts'
import type { Reply } from './http-io.ts'

/** Everything a handler gets about one request. */
export interface RequestContext {
  method: string
  url: URL
  /** Decoded path parameters named in the pattern. */
  params: Readonly<Record<string, string>>
  headers: IncomingHttpHeaders
  /** Reads the body as UTF-8 (once; later calls return the same text). */
  readText(): Promise<string>
}

export type RouteHandler = (ctx: RequestContext) => Promise<Reply> | Reply

interface Route {
  method: string
  pattern: URLPattern
  handler: RouteHandler
}

/** The result of matching a request: a handler with its params. */
export interface RouteMatch {
  handler: RouteHandler
  params: Record<string, string>
}

/** Method + path table. Routes are tried in the order they were added. */
export class Router {
  readonly #routes: Route[] = []

  /** Adds a route; `pathname` is a URLPattern pathname such as `/v1/partners/:partnerId`. */
  add(method: string, pathname: string, handler: RouteHandler): this {
    this.#routes.push({ method: method.toUpperCase(), pattern: new URLPattern({ pathname }), handler })
    return this
  }

  /**
   * Finds the handler for `method` and `url`. Throws {@link EmulatorError} `NOT_FOUND` (404) for an unknown
   * path and a 405 for a known path with another method.
   */
  match(method: string, url: URL): RouteMatch {
    const allowed: string[] = []
    for (const route of this.#routes) {
      const result = route.pattern.exec({ pathname: url.pathname })
      if (result === null) continue
      if (route.method === method.toUpperCase()) {
        return { handler: route.handler, params: decodeParams(result.pathname.groups) }
      }
      allowed.push(route.method)
    }
    if (allowed.length > 0) {
      throw new EmulatorError('UNIMPLEMENTED', `Method ${method} is not allowed on ${url.pathname}.`, {
        httpStatus: 405,
        headers: { allow: [...new Set(allowed)].join(', ') },
      })
    }
    throw new EmulatorError('NOT_FOUND', `The requested URL ${url.pathname} was not found on this server.`)
  }
}

function decodeParams(groups: Record<string, string | undefined>): Record<string, string> {
  const params: Record<string, string> = {}
  for (const [key, value] of Object.entries(groups)) {
    if (value === undefined) continue
    try {
      params[key] = decodeURIComponent(value)
    } catch {
      throw new EmulatorError('INVALID_ARGUMENT', `Invalid percent-encoding in path parameter ${key}.`)
    }
  }
  return params
}
