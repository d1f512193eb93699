/**
 * @module core/fetch
 * The `fetch` seam. Every module that talks HTTP takes a {@link FetchLike} (default: the global
 * `fetch`) so tests can inject faults without a network.
 */
export type FetchLike = (input: string | URL | Request, init?: RequestInit) => Promise<Response>
