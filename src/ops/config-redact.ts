/**
 * @module ops/config-redact
 * A printable copy of a {@link BmOAuthConfig}: every secret (client secret, vault keys, webhook keys
 * and client token, the PostgreSQL password in the URL or in its `password` / `sslpassword` query
 * parameters) replaced by `[REDACTED]`.
 */
import type { BmOAuthConfig } from './config.ts'

const REDACTED = '[REDACTED]'

/** A printable copy of `config` with every secret replaced by `[REDACTED]`. */
export function redactConfig(config: BmOAuthConfig): Record<string, unknown> {
  const store = 'postgres' in config.store ? { postgres: redactConnectionString(config.store.postgres) } : config.store
  return {
    ...config,
    client:
      config.client === undefined
        ? undefined
        : { ...config.client, ...(config.client.clientSecret === undefined ? {} : { clientSecret: REDACTED }) },
    store,
    vaultKeys: config.vaultKeys === undefined ? undefined : REDACTED,
    webhook: {
      ...config.webhook,
      signingKeys: config.webhook.signingKeys.map(() => REDACTED),
      ...(config.webhook.clientToken === undefined ? {} : { clientToken: REDACTED }),
    },
  }
}

/** Query parameters of a PostgreSQL URL that carry a secret (node-postgres reads both). */
const SECRET_PARAMS = ['password', 'sslpassword']

function redactConnectionString(value: string): string {
  const url = URL.parse(value)
  if (url === null) return REDACTED
  if (url.password !== '') url.password = 'REDACTED'
  for (const name of [...url.searchParams.keys()]) {
    if (SECRET_PARAMS.includes(name.toLowerCase())) url.searchParams.set(name, REDACTED)
  }
  return url.href
}
