/**
 * @module test/support/strict-provider
 * Starts the strict demo OIDC provider on 127.0.0.1 with an ephemeral port, for integration tests.
 */
import { serveStrictProvider } from '../../src/demo/oidc-provider.ts'
import type { ServedStrictProvider, StrictProviderOptions } from '../../src/demo/oidc-provider.ts'

/** A strict provider on 127.0.0.1; `issuer` is `http://127.0.0.1:<port>`. */
export type RunningProvider = ServedStrictProvider

/**
 * Starts a strict provider; `issuer` is filled in from the bound port. Always `close()` it (t.after).
 * When the provider cannot be built, the server is closed before the error is rethrown.
 */
export function startStrictProvider(options: Omit<StrictProviderOptions, 'issuer'>): Promise<RunningProvider> {
  return serveStrictProvider({ ...options, port: 0, host: '127.0.0.1' })
}
