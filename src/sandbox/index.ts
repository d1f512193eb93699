/**
 * @module sandbox
 * The composition behind `npm start`: on 127.0.0.1 it runs the emulator (Google's side and the
 * web chat page), the strict demo OIDC provider, the Growing Tree Bank resource API and the
 * Growing Tree Bank agent (`createAgent` with the demo handler), wired as a real deployment would
 * be: signed webhooks from the emulator, the agent's endpoint URL set through the Business
 * Communications API, tokens checked by introspection. Keys and secrets are made on first start in
 * the data directory and reused later; `reset` wipes it. Entry point: {@link startSandbox}.
 */
import { readFile, rm } from 'node:fs/promises'
import { join, resolve } from 'node:path'
import { startBankAPI } from '../demo/bank/index.ts'
import { DEMO_USERS } from '../demo/provider/accounts.ts'
import { startEmulator } from '../emulator/index.ts'
import { openPrivateSQLiteDatabase } from './private-database.ts'
import { newBearerToken } from '../core/bearer.ts'
import { silentLogger } from '../core/logger.ts'
import type { Logger } from '../index.ts'
import { startAgentServer } from './agent-server.ts'
import { configureAgent } from './configure.ts'
import { startSandboxAgent } from './demo-agent.ts'
import { openProviderStore } from './provider-store.ts'
import { startDemoProvider } from './provider-server.ts'
import { loadOrCreateSecrets } from './secrets.ts'

/** Where each service listens. */
export interface SandboxPorts {
  emulator: number
  provider: number
  bank: number
  agent: number
}

/** Fixed defaults, so URLs (and the provider's issuer, which stored sign-ins are keyed by) stay the same. */
export const DEFAULT_SANDBOX_PORTS: Readonly<SandboxPorts> = Object.freeze({
  emulator: 8790,
  provider: 8791,
  bank: 8792,
  agent: 8793,
})

export const DEFAULT_SANDBOX_DATA_DIR = '.bm-oauth/sandbox'

/** The OAuth client id of the agent and the introspection client id of the bank API. */
export const SANDBOX_CLIENT_IDS = Object.freeze({ agent: 'growing-tree-bank-agent', bank: 'growing-tree-bank-api' })

/** One start-up step, reported when it begins and when it ends. */
export interface SandboxProgress {
  step: 'keys' | 'agent-server' | 'emulator' | 'provider' | 'configure' | 'bank' | 'agent'
  phase: 'begin' | 'end'
  /** e.g. "Generating keys" or "Using keys from …". */
  label: string
}

export interface SandboxOptions {
  /** Default {@link DEFAULT_SANDBOX_DATA_DIR} (relative to the working directory). */
  dataDir?: string
  /** Wipe the data directory first (new keys, no sign-ins, no conversations). */
  reset?: boolean
  /** Default {@link DEFAULT_SANDBOX_PORTS}; 0 = any free port (tests). */
  ports?: Partial<SandboxPorts>
  onProgress?: (event: SandboxProgress) => void
  logger?: Logger
  /** The agent's admin listener (`/metrics`, `/readyz`, loopback); default 0: any free port. */
  agentAdminPort?: number
  /** Passed to the emulator (tests use short retry delays). */
  webhookBaseDelayMs?: number
}

/** Where everything runs. */
export interface SandboxServices {
  emulator: { url: string; agentName: string }
  provider: { issuer: string; authorizationEndpoint: string }
  bank: { url: string }
  agent: { url: string; webhookUrl: string; stateUrl: string; metricsUrl: string }
}

export interface RunningSandbox {
  /** The one URL to open: the emulator's chat page with the agent-state inspector switched on. */
  url: string
  dataDir: string
  /** True when this start generated the keys (first start or after a reset). */
  createdKeys: boolean
  services: SandboxServices
  ports: SandboxPorts
  /** The demo provider's users (documented on purpose). */
  demoUsers: ReadonlyArray<{ username: string; password: string; name: string }>
  /** Shuts everything down in reverse order of start; `onStopped` names each service as it stops. */
  close(onStopped?: (service: string) => void): Promise<void>
}

const HOST = '127.0.0.1'
const AGENT_STATE_PATH = '/emulator/v1/agent-state'

/** Starts the whole sandbox. On failure, whatever already started is stopped again. */
export async function startSandbox(options: SandboxOptions = {}): Promise<RunningSandbox> {
  const logger = options.logger ?? silentLogger
  const dataDir = resolve(options.dataDir ?? DEFAULT_SANDBOX_DATA_DIR)
  const ports = { ...DEFAULT_SANDBOX_PORTS, ...options.ports }
  const stops: Array<{ name: string; stop: () => Promise<void> }> = []
  const step = async <T>(event: Omit<SandboxProgress, 'phase'>, run: () => Promise<T>): Promise<T> => {
    options.onProgress?.({ ...event, phase: 'begin' })
    const value = await run()
    options.onProgress?.({ ...event, phase: 'end' })
    return value
  }
  const close = async (onStopped?: (service: string) => void): Promise<void> => {
    for (const { name, stop } of stops.splice(0).reverse()) {
      await stop().catch((err: unknown) => logger.warn({ service: name, errName: (err as Error).name }, 'stop failed'))
      onStopped?.(name)
    }
  }
  try {
    if (options.reset === true) await rm(dataDir, { recursive: true, force: true })
    options.onProgress?.({ step: 'keys', phase: 'begin', label: 'Preparing keys and secrets' })
    const { secrets, created } = await loadOrCreateSecrets(dataDir)
    options.onProgress?.({ step: 'keys', phase: 'end', label: created ? 'generated' : 'reused' })

    // Per start, never stored: only the relay, the agent and the page (in its URL fragment, which
    // no request carries) know it (E5).
    const stateToken = newBearerToken()
    const db = openPrivateSQLiteDatabase(join(dataDir, 'sandbox.sqlite'))
    stops.push({ name: 'database', stop: () => db.close() })
    const agentServer = await step({ step: 'agent-server', label: 'Opening the agent webhook' }, () =>
      startAgentServer({ port: ports.agent, adminPort: options.agentAdminPort ?? 0, host: HOST, logger, stateToken }),
    )
    stops.push({ name: 'agent webhook', stop: () => agentServer.close() })

    const emulator = await step({ step: 'emulator', label: 'Starting emulator' }, () =>
      startEmulator({
        port: ports.emulator,
        host: HOST,
        dataDir: join(dataDir, 'emulator'),
        webhookUrl: agentServer.webhookUrl,
        agentStateUrl: agentServer.stateUrl,
        agentStateToken: stateToken,
        logger,
        ...(options.webhookBaseDelayMs === undefined ? {} : { webhookBaseDelayMs: options.webhookBaseDelayMs }),
      }),
    )
    stops.push({ name: 'emulator', stop: () => emulator.close() })

    const provider = await step({ step: 'provider', label: 'Starting demo OIDC provider' }, async () =>
      startDemoProvider({
        port: ports.provider,
        host: HOST,
        agentClientId: SANDBOX_CLIENT_IDS.agent,
        agentClientSecret: secrets.agentClientSecret,
        bankClientId: SANDBOX_CLIENT_IDS.bank,
        bankClientSecret: secrets.bankIntrospectionSecret,
        standInOrigin: emulator.url,
        cookieKeys: secrets.providerCookieKeys,
        jwks: secrets.providerJwks,
        adapter: await openProviderStore(db),
      }),
    )
    stops.push({ name: 'demo OIDC provider', stop: () => provider.close() })

    const authorizationEndpoint = await step({ step: 'configure', label: "Setting the agent's sign-in endpoint" }, () =>
      configureAgent({
        emulatorUrl: emulator.url,
        keyFilePath: emulator.keyFilePath,
        agentName: emulator.agentName,
        issuer: provider.issuer,
      }),
    )

    const bank = await step({ step: 'bank', label: 'Starting bank API' }, () =>
      startBankAPI({
        port: ports.bank,
        host: HOST,
        issuer: provider.issuer,
        introspection: { clientId: SANDBOX_CLIENT_IDS.bank, clientSecret: secrets.bankIntrospectionSecret },
        logger,
      }),
    )
    stops.push({ name: 'bank API', stop: () => bank.close() })

    const clientToken = (await readFile(emulator.webhookClientTokenPath, 'utf8')).trim()
    const agent = await step({ step: 'agent', label: 'Starting Growing Tree Bank agent' }, () =>
      startSandboxAgent({
        dataDir,
        emulator,
        issuer: provider.issuer,
        clientId: SANDBOX_CLIENT_IDS.agent,
        clientSecret: secrets.agentClientSecret,
        clientToken,
        vaultKeys: secrets.vaultKeys,
        bankApiUrl: bank.url,
        logger,
        clock: emulator.clock,
      }),
    )
    // The host's drain stops the agent (requests in flight finish first); then its database closes.
    stops.push({
      name: 'Growing Tree Bank agent',
      stop: async () => {
        await agentServer.close()
        await agent.stop()
      },
    })
    await agentServer.attach(agent.agent, agent.readState)

    const used = {
      emulator: port(emulator.url),
      provider: port(provider.issuer),
      bank: port(bank.url),
      agent: port(agentServer.url),
    }
    return {
      url: `${emulator.url}/?agentState=${AGENT_STATE_PATH}#agentStateToken=${stateToken}`,
      dataDir,
      createdKeys: created,
      ports: used,
      services: {
        emulator: { url: emulator.url, agentName: emulator.agentName },
        provider: { issuer: provider.issuer, authorizationEndpoint },
        bank: { url: bank.url },
        agent: {
          url: agentServer.url,
          webhookUrl: agentServer.webhookUrl,
          stateUrl: agentServer.stateUrl,
          metricsUrl: agentServer.metricsUrl,
        },
      },
      demoUsers: DEMO_USERS.map((u) => ({ username: u.username, password: u.password, name: u.name ?? u.username })),
      close,
    }
  } catch (err) {
    await close()
    throw err
  }
}

function port(url: string): number {
  return Number(new URL(url).port)
}
