/**
 * @module examples/bank-agent
 * A runnable bank agent built only on the public bm-oauth API (in your project: `from 'bm-oauth'`).
 * "What is my balance?" needs sign-in; the question is answered right after the user signs in.
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
import { createServer } from 'node:http'
import { createAgent, createLogger, openSQLiteDatabase } from '../src/index.ts'
import { bankHandler } from './bank-handler.ts'

function required(name: string): string {
  const value = process.env[name]
  if (value === undefined || value === '') throw new Error(`set ${name}`)
  return value
}

async function main(): Promise<void> {
  const issuer = required('BANK_ISSUER')
  const database = openSQLiteDatabase(process.env['BANK_SQLITE'] ?? 'bank-agent.sqlite')
  const agent = createAgent({
    agentName: required('BANK_AGENT_NAME'),
    google: {
      keyFile: required('BANK_KEY_FILE'),
      ...(process.env['BANK_GOOGLE_URL'] === undefined ? {} : { baseUrl: process.env['BANK_GOOGLE_URL'] }),
    },
    provider: {
      provider: { issuer },
      client: {
        clientId: required('BANK_CLIENT_ID'),
        clientSecret: required('BANK_CLIENT_SECRET'),
        tokenEndpointAuthMethod: 'client_secret_basic',
      },
    },
    allowInsecureLoopback: new URL(issuer).hostname === '127.0.0.1',
    database,
    vaultKeys: required('BANK_VAULT_KEYS'),
    webhook: { keys: [required('BANK_WEBHOOK_KEY')], clientToken: required('BANK_WEBHOOK_KEY') },
    logger: createLogger({ name: 'bank-agent' }),
    hooks: {
      signedIn: (e) => console.log(`signed in: conversation ${e.conversationId}`),
      signInFailed: (e) => console.log(`sign-in failed: ${e.reason}`),
    },
  })
  const discovery = (await (await fetch(`${issuer.replace(/\/$/, '')}/.well-known/openid-configuration`)).json()) as {
    userinfo_endpoint: string
  }
  agent.onMessage(bankHandler({ accountUrl: discovery.userinfo_endpoint }))
  const port = Number(process.env['BANK_PORT'] ?? 8080)
  const server = createServer(agent.webhookHandler).listen(port, '127.0.0.1')
  await agent.start()
  console.log(`bank agent: webhook on http://127.0.0.1:${port}/`)
  process.once('SIGINT', () => {
    void agent.stop().then(() => {
      server.close()
      return database.close()
    })
  })
}

await main()
