/**
 * @module sandbox/demo-agent
 * Runs the Growing Tree Bank agent for the sandbox with the public `createAgent` API: Business
 * Messages through the emulator (its service-account key), the demo provider as a confidential
 * client (loopback `http:` allowed: local mode), the emulator's stand-in redirect URIs accepted
 * explicitly next to the four Google ones, signed webhooks with the emulator's client token, and
 * its store in SQLite in the data directory.
 */
import { join } from 'node:path'
import { BANK_AGENT_MESSAGES, BANK_AGENT_SCOPES, createBankAgentHandler } from '../demo/bank-agent/index.ts'
import type { RunningEmulator } from '../emulator/index.ts'
import { BUSINESS_MESSAGES_REDIRECT_URIS } from '../oauth/index.ts'
import { businessMessages, createAgent } from '../index.ts'
import { openPrivateSQLiteDatabase } from './private-database.ts'
import type { Clock } from '../core/clock.ts'
import type { Logger, SignInAgent } from '../index.ts'
import { createAgentStateReader, type AgentStateReader } from './agent-state.ts'
import { SANDBOX_WEBHOOK_PATH } from './agent-server.ts'
import { standInRedirectUris } from './provider-server.ts'

export interface SandboxAgentOptions {
  dataDir: string
  emulator: RunningEmulator
  issuer: string
  clientId: string
  clientSecret: string
  /** The emulator's webhook client token: the signing key and the handshake answer. */
  clientToken: string
  vaultKeys: string
  bankApiUrl: string
  logger: Logger
  /**
   * The emulator's clock: the inspector's fast-forward must move the agent's time too, or a
   * fast-forwarded `sendTime` would look like a replay from the future and pending sign-ins would
   * never expire.
   */
  clock: Clock
}

export interface SandboxAgent {
  /** Started; its routes (the webhook at {@link SANDBOX_WEBHOOK_PATH}) are served by the sandbox's host. */
  agent: SignInAgent
  readState: AgentStateReader
  /** Stops the agent (after the host drained it) and closes its database. */
  stop(): Promise<void>
}

const AGENT_DATABASE_FILE = 'agent.sqlite'

/** Creates and starts the agent (migrations, provider discovery, pending deliveries). */
export async function startSandboxAgent(options: SandboxAgentOptions): Promise<SandboxAgent> {
  const database = openPrivateSQLiteDatabase(join(options.dataDir, AGENT_DATABASE_FILE))
  let agent: SignInAgent
  try {
    // createAgent throws synchronously on bad options (e.g. vault keys): the database closes then too.
    agent = createAgent({
      channels: [
        businessMessages({
          agents: [options.emulator.agentName],
          credentials: { keyFile: options.emulator.keyFilePath },
          baseUrl: options.emulator.url,
          webhook: { keys: [options.clientToken], clientToken: options.clientToken, path: SANDBOX_WEBHOOK_PATH },
          allowedRedirectUris: [...BUSINESS_MESSAGES_REDIRECT_URIS, ...standInRedirectUris(options.emulator.url)],
        }),
      ],
      provider: {
        provider: { issuer: options.issuer },
        client: {
          clientId: options.clientId,
          clientSecret: options.clientSecret,
          tokenEndpointAuthMethod: 'client_secret_basic',
        },
      },
      allowInsecureLoopback: true,
      scopes: BANK_AGENT_SCOPES,
      database,
      vaultKeys: options.vaultKeys,
      messages: BANK_AGENT_MESSAGES,
      logger: options.logger,
      clock: options.clock,
    })
    agent.onMessage(createBankAgentHandler({ bankApiUrl: options.bankApiUrl }))
    await agent.start()
  } catch (err) {
    await database.close()
    throw err
  }
  return {
    agent,
    readState: createAgentStateReader({
      db: database,
      vaultKeys: options.vaultKeys,
      agentName: options.emulator.agentName,
      providerId: options.issuer,
    }),
    stop: async () => {
      await agent.stop()
      await database.close()
    },
  }
}
