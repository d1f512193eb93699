/**
 * @module google/transport
 * The Google clients' one HTTP exchange with a deadline; it lives in `core/transport` since the
 * WhatsApp client shares it.
 */
export { DEFAULT_TIMEOUT_MS, exchange } from '../core/transport.ts'
export type { ExchangeOptions, RawResponse, TimeoutSignalFactory } from '../core/transport.ts'
