/**
 * @module agent/create-agent
 * {@link createAgent}: the runtime agent authors use. It composes the webhook receiver (ack after
 * a durable, sealed record), the inbox processor, the sign-in state machine and its runner, the
 * token vault and stores, the OAuth provider and the channel's client behind a small API:
 * `onMessage`, `webhookHandler`, `start`, `stop`, `provider`.
 */
import type { BusinessMessagesChannel } from '../channel/business-messages/channel.ts'
import type { Channel } from '../channel/channel.ts'
import { systemClock } from '../core/clock.ts'
import { silentLogger } from '../core/logger.ts'
import { ConfigError, isBmOAuthError } from '../errors.ts'
import { createFlowPolicy } from '../flow/policy.ts'
import { OAuthProvider, resolveProvider } from '../oauth/provider.ts'
import { createExchangeMarkers } from '../signin-store/exchange-markers.ts'
import { createPendingSignInStore } from '../signin-store/pending-signins.ts'
import { parseVaultKeys } from '../tokens/keyring.ts'
import { createRevocationQueue } from '../tokens/revocation-queue.ts'
import { createVault, type Vault } from '../tokens/seal.ts'
import { createSQLTokenStore } from '../tokens/sql-token-store.ts'
import type { Route } from '../core/route.ts'
import { within } from '../core/within.ts'
import type { Database } from '../db/queryable.ts'
import { createAgentMetrics } from '../metrics/agent-metrics.ts'
import { instrumentedFetch } from '../metrics/instrumented-fetch.ts'
import { createAuditLog, DEFAULT_AUDIT_RETENTION_MS } from '../audit/audit-log.ts'
import { createNodeWebhookHandler } from '../webhook/node-adapter.ts'
import {
  createWebhookReceiver,
  DEFAULT_MAX_BODY_BYTES,
  type WebhookReceiver,
  type WebhookRequest,
} from '../webhook/receiver.ts'
import { reportDecryptFailures } from './decrypt-failures.ts'
import { createFlowStateStore } from './flow-state-store.ts'
import { migrateAgentStores } from './store-migrations.ts'
import type { IntervalTask } from './interval-task.ts'
import { startMaintenance } from './maintenance.ts'
import { InboxProcessor } from './processor.ts'
import { startRevocationRetries } from './revocation.ts'
import { grantProviderId, type AgentRuntime } from './runtime.ts'
import { providerInfo } from './session.ts'
import { openSealedInbox } from './sealed-inbox.ts'
import type { AgentOptions, MessageHandler, ProviderInfo, SignInAgent } from './types.ts'

/**
 * Creates an agent. Nothing happens until `start()`: it migrates the stores, resolves the provider
 * (discovery; S256 support is required, P4), and starts processing deliveries, including those a
 * crash left behind. Until then the webhook answers 503 and Google redelivers.
 *
 * @example
 * ```ts
 * const agent = createAgent({
 *   channels: [businessMessages({ agents: [agentName], credentials: { keyFile }, webhook: { keys: [token] } })],
 *   provider, database, vaultKeys,
 * })
 * agent.onMessage(async (ctx) => {
 *   const session = await ctx.requireSignIn({ scopes: ['openid'], reason: 'your balance' })
 *   if (session === undefined) return // prompted; answered after sign-in
 *   await ctx.say(`Signed in as ${session.subject}`)
 * })
 * http.createServer(agent.webhookHandler).listen(8080)
 * await agent.start()
 * ```
 */
export function createAgent<const Cs extends readonly Channel[]>(options: AgentOptions<Cs>): SignInAgent<Cs[number]> {
  const channel = theChannel(options.channels)
  const logger = (options.logger ?? silentLogger).child({ component: 'agent' })
  const metrics = createAgentMetrics()
  // Every store opens its rows through this vault: one place logs and counts decrypt failures.
  const vault = reportDecryptFailures(
    createVault(typeof options.vaultKeys === 'string' ? parseVaultKeys(options.vaultKeys) : options.vaultKeys),
    logger,
    (failure) => metrics.decryptFailed(failure.table, failure.reason),
  )
  let handler: MessageHandler<Cs[number]> | undefined
  let provider: ProviderInfo | undefined
  let receiver: WebhookReceiver | undefined
  let inboxListener: { close(): Promise<void> } | undefined
  let processor: InboxProcessor | undefined
  let maintenance: IntervalTask | undefined
  let revocationRetries: IntervalTask | undefined
  let starting: Promise<void> | undefined
  let stopping: Promise<void> = Promise.resolve()
  // Until start() (and after stop()) the webhook answers 503, so the platform redelivers later.
  const webhook = (request: WebhookRequest) => receiver?.handle(request) ?? Promise.resolve(UNAVAILABLE)
  const routes: readonly Route[] = [
    {
      method: 'POST',
      path: channel.webhook.path ?? '/business-messages',
      maxBodyBytes: DEFAULT_MAX_BODY_BYTES,
      handler: webhook,
    },
  ]

  const start = async (): Promise<void> => {
    const current = () => handler as MessageHandler | undefined
    const runtime = await buildRuntime(options, channel, vault, { logger, metrics }, current)
    provider = providerInfo(runtime.provider)
    const inbox = await openSealedInbox(options.database, vault)
    const running = new InboxProcessor(runtime, inbox, {
      concurrency: options.concurrency ?? 4,
      ...(options.inboxPollIntervalMs === undefined ? {} : { pollIntervalMs: options.inboxPollIntervalMs }),
      ...(options.maxDeliveryAttempts === undefined ? {} : { maxAttempts: options.maxDeliveryAttempts }),
    })
    receiver = createWebhookReceiver({
      ...webhookKeys(channel),
      inbox,
      clock: runtime.clock,
      logger,
      agents: channel.agents,
      onRecorded: () => {
        running.wake()
        // Other instances on the same PostgreSQL hear of it at once; the poll is only the fallback.
        void options.database.notify?.(INBOX_CHANNEL).catch((err: unknown) => {
          logger.warn({ errCode: isBmOAuthError(err) ? err.code : 'unexpected' }, 'inbox NOTIFY failed')
        })
      },
      observe: (outcome, seconds) => metrics.webhookRequest(outcome, seconds),
    })
    processor = running
    inboxListener = await options.database.listen?.(INBOX_CHANNEL, () => running.wake())
    metrics.watchBacklog(async () => ({ ...(await inbox.backlog()), now: runtime.clock.now() }))
    running.start()
    maintenance = startMaintenance(
      {
        inbox,
        markers: runtime.markers,
        pending: runtime.pending,
        audit: { retentionMs: options.auditRetentionMs ?? DEFAULT_AUDIT_RETENTION_MS, log: runtime.audit },
      },
      {
        clock: runtime.clock,
        logger,
        ...(options.maintenanceIntervalMs === undefined ? {} : { intervalMs: options.maintenanceIntervalMs }),
      },
    )
    revocationRetries = startRevocationRetries(
      { ...runtime, channelId: runtime.channel.id },
      options.revocationRetryIntervalMs ?? 30_000,
    )
    logger.info({ channel: channel.id, agents: runtime.agents }, 'agent started')
  }

  return {
    channels: options.channels,
    onMessage(next) {
      handler = next
    },
    provider: () => provider,
    routes,
    webhookHandler: createNodeWebhookHandler({ maxBodyBytes: DEFAULT_MAX_BODY_BYTES, handle: webhook }),
    async ready() {
      const started = receiver !== undefined
      const database = await pingWithin(options.database, options.readyTimeoutMs ?? 2_000)
      return { ready: started && database, checks: { started, database } }
    },
    metrics: () => metrics.render(),
    start() {
      if (starting === undefined) {
        // After any stop in progress; a failed start (e.g. discovery unreachable) can be tried again.
        const attempt: Promise<void> = settled(stopping)
          .then(start)
          .catch((err: unknown) => {
            if (starting === attempt) starting = undefined
            throw err
          })
        starting = attempt
      }
      return starting
    },
    stop() {
      const started = starting
      starting = undefined
      stopping = settled(stopping).then(async () => {
        // A start in progress finishes wiring first, so nothing it starts outlives this stop.
        await started?.catch(() => undefined)
        receiver = undefined
        metrics.watchBacklog(undefined)
        await inboxListener?.close()
        inboxListener = undefined
        await processor?.stop()
        processor = undefined
        await maintenance?.stop()
        maintenance = undefined
        await revocationRetries?.stop()
        revocationRetries = undefined
        logger.info({ channel: channel.id }, 'agent stopped')
      })
      return stopping
    },
  }
}

/** The `LISTEN`/`NOTIFY` channel on which instances tell each other of new deliveries. */
const INBOX_CHANNEL = 'bm_oauth_inbox'

const UNAVAILABLE = { status: 503, headers: { 'retry-after': '1' }, body: '' }

/** Whether the store answers `SELECT 1` within `timeoutMs`. */
function pingWithin(db: Database, timeoutMs: number): Promise<boolean> {
  return within(
    db.query('SELECT 1').then(() => true),
    timeoutMs,
    false,
  )
}

/** `promise` settled either way: an earlier failed stop does not block the next start or stop. */
function settled(promise: Promise<unknown>): Promise<void> {
  return promise.then(
    () => undefined,
    () => undefined,
  )
}

/**
 * The one channel the host ingests today: Business Messages (the receiver, the inbox and the
 * processor take its events; docs/api.md §2 generalises them with the second channel).
 */
function theChannel(channels: readonly Channel[]): BusinessMessagesChannel {
  if (!Array.isArray(channels) || channels.length === 0) {
    throw new ConfigError('channels', 'give one channel, e.g. [businessMessages({ … })]')
  }
  const [only, ...more] = channels
  if (more.length > 0 || only?.id !== 'business-messages' || !('webhook' in only)) {
    throw new ConfigError('channels', 'exactly one channel, made by businessMessages()')
  }
  return only as BusinessMessagesChannel
}

async function buildRuntime(
  options: AgentOptions,
  channel: BusinessMessagesChannel,
  vault: Vault,
  { logger, metrics }: Pick<AgentRuntime, 'logger' | 'metrics'>,
  handler: AgentRuntime['handler'],
): Promise<AgentRuntime> {
  const db = options.database
  const clock = options.clock ?? systemClock
  const fetch = options.fetch ?? globalThis.fetch
  await migrateAgentStores(db)
  const provider =
    options.provider instanceof OAuthProvider
      ? options.provider
      : await resolveProvider(options.provider, {
          fetch,
          clock,
          ...(options.allowInsecureLoopback === undefined
            ? {}
            : { allowInsecureLoopback: options.allowInsecureLoopback }),
        })
  const report = (endpoint: string, status: string) => metrics.platformRequest(channel.id, endpoint, status)
  const client = await channel.connect({ fetch: instrumentedFetch(fetch, report), clock, logger })
  const policy = createFlowPolicy({
    ...(options.pendingTtlMs === undefined ? {} : { pendingTtlMs: options.pendingTtlMs }),
    ...(options.maxAttempts === undefined ? {} : { maxAttempts: options.maxAttempts }),
  })
  return {
    agents: channel.agents,
    channel: { id: channel.id, signIn: channel.signIn, client: client as AgentRuntime['channel']['client'] },
    providerId: grantProviderId(provider),
    provider,
    tokens: createSQLTokenStore(db, vault, { clock }),
    pending: createPendingSignInStore(db, vault, { ttlMs: policy.pendingTtlMs }),
    markers: createExchangeMarkers(db),
    states: createFlowStateStore(db, vault, () => clock.now()),
    revocations: createRevocationQueue(db, vault, { logger }),
    audit: createAuditLog(db),
    policy,
    clock,
    fetch,
    logger,
    metrics,
    hooks: options.hooks ?? {},
    messages: options.messages ?? {},
    defaultScopes: options.scopes ?? ['openid'],
    refreshAheadMs: options.refreshAheadMs ?? 60_000,
    handler,
  }
}

function webhookKeys(channel: BusinessMessagesChannel): {
  keys?: readonly string[]
  clientToken?: string
  unsafeDisableSignatureVerification?: boolean
} {
  const { keys, clientToken, unsafeDisableSignatureVerification } = channel.webhook
  return {
    ...(keys === undefined ? {} : { keys }),
    ...(clientToken === undefined ? {} : { clientToken }),
    ...(unsafeDisableSignatureVerification === undefined ? {} : { unsafeDisableSignatureVerification }),
  }
}
