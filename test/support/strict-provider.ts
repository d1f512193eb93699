/**
 * @module test/support/strict-provider
 * Starts the strict demo OIDC provider on 127.0.0.1 with an ephemeral port, for integration tests.
 */
import { createServer } from 'node:http'
import type { Server } from 'node:http'
import type { AddressInfo } from 'node:net'
import type Provider from 'oidc-provider'
import { createStrictProvider } from '../../src/demo/oidc-provider.ts'
import type { StrictProviderOptions } from '../../src/demo/oidc-provider.ts'

export interface RunningProvider {
  /** `http://127.0.0.1:<port>` */
  issuer: string
  provider: Provider
  server: Server
  close(): Promise<void>
}

/** Starts a strict provider; `issuer` is filled in from the bound port. Always `close()` it (t.after). */
export async function startStrictProvider(options: Omit<StrictProviderOptions, 'issuer'>): Promise<RunningProvider> {
  const server = createServer()
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject)
    server.listen(0, '127.0.0.1', () => resolve())
  })
  const { port } = server.address() as AddressInfo
  const issuer = `http://127.0.0.1:${port}`
  const provider = await createStrictProvider({ ...options, issuer })
  server.on('request', provider.callback())
  return {
    issuer,
    provider,
    server,
    close: () =>
      new Promise<void>((resolve, reject) => {
        server.closeAllConnections()
        server.close((err) => (err ? reject(err) : resolve()))
      }),
  }
}
