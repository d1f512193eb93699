/**
 * @module examples/bank-agent
 * A runnable agent on the public bm-oauth API (in your project: `from 'bm-oauth'`), answering with
 * the demo bank agent's handler (src/demo/bank-agent — the one `npm start` and `bm-oauth serve` run).
 * "What is my balance?" needs sign-in; the question is answered right after the user signs in. With
 * `BANK_API_URL` (the sandbox's bank API) the answers come from the bank; without, "who am I" reads
 * the provider's UserInfo endpoint.
 *
 * Run against the local emulator and any OIDC provider that registered the four Business Messages
 * redirect URIs (see `bm-oauth redirect-uris`):
 *
 * ```sh
 * BANK_AGENT_NAME=brands/…/agents/… BANK_KEY_FILE=.bm-oauth/emulator/service-account.json \
 * BANK_GOOGLE_URL=http://127.0.0.1:8790 BANK_ISSUER=https://login.example.com \
 * BANK_CLIENT_ID=bank-agent BANK_CLIENT_SECRET=… BANK_VAULT_KEYS="$(npx bm-oauth keys generate)" \
 * BANK_WEBHOOK_KEY=… npx node examples/bank-agent.ts
 * ```
 */
import { businessMessages, createAgent, createLogger, openSQLiteDatabase, serveAgent } from '../src/index.ts'
import { createBankAgentHandler } from '../src/demo/bank-agent/index.ts'

function required(name: string): string {
  const value = process.env[name]
  if (value === undefined || value === '') throw new Error(`set ${name}`)
  return value
}

/** Hosts for which a plain `http:` issuer is allowed (local development only). */
const LOOPBACK_HOSTS = new Set(['127.0.0.1', 'localhost', '[::1]'])

async function main(): Promise<void> {
  const issuer = required('BANK_ISSUER')
  const database = openSQLiteDatabase(process.env['BANK_SQLITE'] ?? 'bank-agent.sqlite')
  const channel = businessMessages({
    agents: [required('BANK_AGENT_NAME')],
    credentials: { keyFile: required('BANK_KEY_FILE') },
    ...(process.env['BANK_GOOGLE_URL'] === undefined ? {} : { baseUrl: process.env['BANK_GOOGLE_URL'] }),
    webhook: { keys: [required('BANK_WEBHOOK_KEY')], clientToken: required('BANK_WEBHOOK_KEY') },
  })
  const agent = createAgent({
    channels: [channel],
    provider: {
      provider: { issuer },
      client: {
        clientId: required('BANK_CLIENT_ID'),
        clientSecret: required('BANK_CLIENT_SECRET'),
        tokenEndpointAuthMethod: 'client_secret_basic',
      },
    },
    allowInsecureLoopback: LOOPBACK_HOSTS.has(new URL(issuer).hostname),
    database,
    vaultKeys: required('BANK_VAULT_KEYS'),
    logger: createLogger({ name: 'bank-agent' }),
    hooks: {
      signedIn: (e) => console.log(`signed in: conversation ${e.key.conversation}`),
      signInFailed: (e) => console.log(`sign-in failed: ${e.reason}`),
    },
  })
  const bankApiUrl = process.env['BANK_API_URL']
  const scopes = process.env['BANK_SCOPES']?.split(/[\s,]+/)
  agent.onMessage(createBankAgentHandler({ ...(bankApiUrl ? { bankApiUrl } : {}), ...(scopes ? { scopes } : {}) }))
  // The one host: the webhook, /healthz and /readyz on BANK_PORT; /metrics on the admin port (loopback).
  const server = await serveAgent(agent, {
    listen: { port: Number(process.env['BANK_PORT'] ?? 8080) },
    admin: { port: Number(process.env['BANK_ADMIN_PORT'] ?? 9464) },
  })
  console.log(`bank agent: webhook on ${server.url}/business-messages, metrics on ${server.adminUrl}/metrics`)
  for (const signal of ['SIGINT', 'SIGTERM'] as const) {
    process.once(signal, () => void server.close().then(() => database.close()))
  }
}

await main()
