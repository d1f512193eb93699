/**
 * @module emulator
 * A local stand-in for Google's side of Business Messages (docs/contract-decisions.md §7): the Business
 * Communications and Business Messages APIs, the service-account token endpoint, the signing
 * webhook sender, and a scriptable user device behind the `/emulator/v1` control API. State lives
 * in `dataDir` and survives restarts. Entry point: {@link startEmulator}; also exported: the clocks a
 * test drives it with and its own {@link EmulatorError}.
 */
import type { Server } from 'node:http'
import { OffsetClock } from '../core/clock.ts'
import type { FetchLike } from '../core/fetch.ts'
import { silentLogger, type Logger } from '../core/logger.ts'
import { addBusinessCommunicationsRoutes } from './google-api/business-communications.ts'
import { addBusinessMessagesRoutes } from './google-api/business-messages.ts'
import { addAdminControlRoutes } from './control/admin.ts'
import { addAgentStateRelay } from './control/agent-state.ts'
import { addConversationControlRoutes } from './control/conversations.ts'
import { addSignInControlRoutes } from './control/signin.ts'
import { ConversationStore } from './state/conversation-store.ts'
import { openEmulatorDatabase } from './state/db.ts'
import type { ControlDeps } from './control/device-actions.ts'
import { provisionEmulator, writeTokenURI } from './state/provision.ts'
import { ResourceStore } from './state/resource-store.ts'
import { Router } from './http/router.ts'
import { closeServer, createEmulatorServer, listen } from './http/server.ts'
import { createTokenHandler } from './google-api/token-endpoint.ts'
import { TokenStore } from './state/access-tokens.ts'
import { WebhookConfig } from './state/webhook-config.ts'
import { WebhookDispatcher, type HandshakeResult } from './webhook/dispatcher.ts'
import { createStaticHandler, WEB_PUBLIC_DIR } from '../web/static-handler.ts'

export { ManualClock, OffsetClock } from '../core/clock.ts'
export type { Clock } from '../core/clock.ts'
export { EmulatorError } from './http/errors.ts'
export type { EmulatorErrorOptions, RpcStatus } from './http/errors.ts'

export interface EmulatorOptions {
  /** Default 0 (ephemeral); the CLI passes 8790. */
  port?: number
  /** Default 127.0.0.1. */
  host?: string
  dataDir: string
  /** Overrides the partner webhook (the handshake still runs, in the background). */
  webhookUrl?: string
  clock?: OffsetClock
  fetch?: FetchLike
  logger?: Logger
  /** Origin that stands in for https://business.google.com (default: the emulator's own URL). */
  standInOrigin?: string
  webhookTimeoutMs?: number
  webhookHorizonMs?: number
  webhookBaseDelayMs?: number
  /**
   * The agent's sign-in state endpoint (JSON). When set, `GET /emulator/v1/agent-state?…` relays it
   * on the emulator's origin, for the web page's inspector (`/?agentState=/emulator/v1/agent-state`).
   */
  agentStateUrl?: string
  /**
   * The bearer token the relay requires from the page and forwards to the agent (a fresh random one
   * per start). Without it the relay answers every request 401.
   */
  agentStateToken?: string
}

export interface RunningEmulator {
  /** Base URL, e.g. http://127.0.0.1:8790: serves BC, BM, /token and the control API. */
  url: string
  /** Service-account key JSON (token_uri = `${url}/token`), rewritten on each start. */
  keyFilePath: string
  agentName: string
  partnerName: string
  brandName: string
  /** File holding the webhook client token (the signing key). */
  webhookClientTokenPath: string
  dispatcher: WebhookDispatcher
  clock: OffsetClock
  close(): Promise<void>
}

/** Starts the emulator: opens or provisions `dataDir`, listens, starts the webhook sender. */
export async function startEmulator(options: EmulatorOptions): Promise<RunningEmulator> {
  const logger = (options.logger ?? silentLogger).child({ component: 'emulator' })
  const clock = options.clock ?? new OffsetClock()
  const host = options.host ?? '127.0.0.1'
  const db = openEmulatorDatabase(options.dataDir)
  let server: Server | undefined
  try {
    const provisioned = await provisionEmulator(db, options.dataDir)
    const tokens = new TokenStore(db)
    tokens.purgeExpired(clock.now())
    const resources = new ResourceStore(db)
    const conversations = new ConversationStore(db)
    const webhook = new WebhookConfig({
      tokenPath: provisioned.webhookClientTokenPath,
      resources,
      partnerName: provisioned.partnerName,
      overrideUrl: options.webhookUrl,
    })
    const dispatcher = new WebhookDispatcher({
      db,
      clock,
      resolveTarget: () => webhook.target(),
      logger,
      ...(options.fetch === undefined ? {} : { fetch: options.fetch }),
      ...(options.webhookTimeoutMs === undefined ? {} : { timeoutMs: options.webhookTimeoutMs }),
      ...(options.webhookHorizonMs === undefined ? {} : { horizonMs: options.webhookHorizonMs }),
      ...(options.webhookBaseDelayMs === undefined ? {} : { baseDelayMs: options.webhookBaseDelayMs }),
    })
    const router = new Router()
    // The web chat page (`/`, `/web/*`) talks to the control API on this same origin.
    server = createEmulatorServer(router, logger, createStaticHandler({ root: WEB_PUBLIC_DIR }))
    const port = await listen(server, options.port ?? 0, host)
    const url = `http://${host.includes(':') ? `[${host}]` : host}:${port}`
    writeTokenURI(provisioned.keyFilePath, provisioned.keyFile, `${url}/token`)
    const base = { resources, tokens, clock, logger, partnerName: provisioned.partnerName }
    const tokenHandler = createTokenHandler({
      ...base,
      ownTokenURL: `${url}/token`,
      clientEmail: provisioned.clientEmail,
      publicKey: provisioned.publicKey,
      unshiftedClock: { now: () => clock.now() - clock.offsetMs },
    })
    router.add('POST', '/token', tokenHandler)
    const verifyWebhook = (u: string, t: string): Promise<HandshakeResult> => dispatcher.verifyWebhook(u, t)
    addBusinessCommunicationsRoutes(router, { ...base, webhook, verifyWebhook })
    addBusinessMessagesRoutes(router, { ...base, conversations })
    const control: ControlDeps = {
      ...base,
      conversations,
      dispatcher,
      webhook,
      defaultAgentName: provisioned.agentName,
      brandName: provisioned.brandName,
      keyFilePath: provisioned.keyFilePath,
      webhookClientTokenPath: provisioned.webhookClientTokenPath,
      baseUrl: url,
      standInOrigin: options.standInOrigin ?? url,
      payloadVariants: {},
    }
    addConversationControlRoutes(router, control)
    addSignInControlRoutes(router, control)
    addAdminControlRoutes(router, control)
    addAgentStateRelay(router, {
      agentStateUrl: options.agentStateUrl,
      agentStateToken: options.agentStateToken,
      fetch: options.fetch ?? globalThis.fetch,
      logger,
    })
    const listening = server
    dispatcher.start()
    const handshake =
      options.webhookUrl === undefined
        ? Promise.resolve()
        : runStartupHandshake(dispatcher, webhook, options.webhookUrl, logger)
    const webhookUrl = webhook.effectiveUrl()
    const started = { event: 'emulator.started', url, agent: provisioned.agentName }
    const loggedWebhookUrl = webhookUrl === undefined ? null : loggableURL(webhookUrl)
    logger.info({ ...started, webhookUrl: loggedWebhookUrl }, 'emulator listening')
    return {
      url,
      keyFilePath: provisioned.keyFilePath,
      agentName: provisioned.agentName,
      partnerName: provisioned.partnerName,
      brandName: provisioned.brandName,
      webhookClientTokenPath: provisioned.webhookClientTokenPath,
      dispatcher,
      clock,
      close: async () => {
        await closeServer(listening)
        await dispatcher.stop()
        await handshake
        db.close()
        logger.info({ event: 'emulator.stopped', url }, 'emulator stopped')
      },
    }
  } catch (err) {
    if (server?.listening === true) await closeServer(server)
    db.close()
    throw err
  }
}

/** A webhook URL as logged: origin and path only (its query or user info may carry a secret). */
function loggableURL(url: string): string {
  if (!URL.canParse(url)) return '(not a URL)'
  const parsed = new URL(url)
  return `${parsed.origin}${parsed.pathname}`
}

async function runStartupHandshake(
  dispatcher: WebhookDispatcher,
  webhook: WebhookConfig,
  url: string,
  logger: Logger,
): Promise<void> {
  try {
    const result = await dispatcher.verifyWebhook(url, webhook.clientToken)
    const log = { event: 'emulator.webhook.verification', ok: result.ok, status: result.status, detail: result.detail }
    if (result.ok) logger.info(log, 'webhook verified')
    else logger.warn(log, 'webhook verification failed; deliveries are attempted anyway')
  } catch (err) {
    logger.warn(
      { event: 'emulator.webhook.verification', err: err instanceof Error ? err.message : String(err) },
      'webhook verification failed',
    )
  }
}
