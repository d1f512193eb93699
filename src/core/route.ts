/**
 * @module core/route
 * Plain-data HTTP (docs/api.md §2): what an agent's routes take and answer, with no `node:http`
 * and no Web `Request`, so the logic behind a route is testable without a socket and any server
 * (node:http via `serveAgent`, a framework, a worker) can mount it.
 */

export interface HTTPRequest {
  readonly method: string
  /** The path without the query, e.g. `/business-messages`. */
  readonly path: string
  readonly query: URLSearchParams
  /** Header names in any case (Node gives lower case); repeated headers as arrays. */
  readonly headers: Readonly<Record<string, string | readonly string[] | undefined>>
  readonly rawBody: Uint8Array
}

export interface HTTPResponse {
  readonly status: number
  readonly headers: Readonly<Record<string, string>>
  readonly body: string
}

/** One route; its handler never throws (a 500 means "not recorded: redeliver"). */
export interface Route {
  readonly method: 'GET' | 'POST'
  readonly path: string
  /** Bodies above this get 413 while still uploading, before any handler work. */
  readonly maxBodyBytes: number
  readonly handler: (request: HTTPRequest) => Promise<HTTPResponse>
}
