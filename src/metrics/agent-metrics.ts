/**
 * @module metrics/agent-metrics
 * The agent's Prometheus metrics (docs/operations.md lists each with suggested alerts), one
 * registry per agent so two agents in a process, or in a test, never share counts. Every label set
 * is bounded: outcomes, reasons and hook names are stable codes; no conversation id, user id,
 * code or token ever becomes a label.
 */
import { Counter, collectDefaultMetrics, Gauge, Histogram, Registry } from 'prom-client'
import type { WebhookOutcome } from '../webhook/receiver.ts'

/** What became of one processing attempt of a recorded delivery. */
export type DeliveryOutcome = 'done' | 'retry' | 'dead-letter'

export interface AgentMetrics {
  readonly registry: Registry
  /** The Prometheus text of every metric (Node's process metrics join on the first call). */
  render(): Promise<{ readonly contentType: string; readonly text: string }>
  webhookRequest(outcome: WebhookOutcome, seconds: number): void
  deliveryProcessed(outcome: DeliveryOutcome, seconds: number): void
  /** A sign-in lifecycle event (the hook's name) with its stable reason code, if any. */
  signInEvent(event: string, reason: string | undefined): void
  signInPrompted(): void
  /** Why a processing attempt failed: a library error code (`ERR_STORE`, `ERR_GOOGLE_API`, …) or `other`. */
  deliveryFailed(code: string): void
  /** A token refresh: `refreshed`, `needs-reconnect` (the grant is gone), or `failed` (to be retried). */
  refresh(outcome: 'refreshed' | 'needs-reconnect' | 'failed'): void
  /** One revocation attempt at the provider (RFC 7009): `revoked`, `retrying` (queued), or `given-up`. */
  revocation(outcome: 'revoked' | 'retrying' | 'given-up'): void
  /** One platform API call of a channel: its endpoint template and HTTP status (or `failed`). */
  platformRequest(channel: string, endpoint: string, status: string): void
  /** A sealed row no configured key opens (`table` is one of the agent's few tables; `reason` the vault's). */
  decryptFailed(table: string, reason: string): void
  /** Where the inbox gauges read from at each scrape (set at `start()`; cleared at `stop()`). */
  watchBacklog(source: BacklogSource | undefined): void
}

/** The inbox's unprocessed deliveries, read when metrics are scraped. */
export type BacklogSource = () => Promise<{ pending: number; oldestReceivedAt: number | undefined; now: number }>

/** Seconds buckets for the ack (fast: a durable write) and for processing (provider and Google calls). */
const ACK_BUCKETS = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5]
const PROCESSING_BUCKETS = [0.01, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60]

/**
 * A fresh registry with the agent's metrics; Node's process metrics (event-loop delay among them)
 * are added when first rendered, so agents nobody scrapes (tests, libraries) start no monitors.
 */
export function createAgentMetrics(): AgentMetrics {
  const registry = new Registry()
  let processMetrics = false
  const registers = [registry]
  // Every counter is registered on this agent's registry only, with a fixed label set.
  const counter = <L extends string>(name: string, help: string, labelNames: readonly L[] = []) =>
    new Counter<L>({ name, help, labelNames, registers })
  const webhookRequests = counter('bm_oauth_webhook_requests_total', 'Webhook requests by outcome', ['outcome'])
  const ackSeconds = new Histogram({
    name: 'bm_oauth_webhook_ack_seconds',
    help: 'Time from a webhook request to its answer',
    buckets: ACK_BUCKETS,
    registers,
  })
  const deliveries = counter(
    'bm_oauth_deliveries_processed_total',
    'Processing attempts of recorded deliveries by outcome',
    ['outcome'],
  )
  const processingSeconds = new Histogram({
    name: 'bm_oauth_delivery_processing_seconds',
    help: 'Time to process one recorded delivery',
    buckets: PROCESSING_BUCKETS,
    registers,
  })
  const signInEvents = counter(
    'bm_oauth_signin_events_total',
    'Sign-in lifecycle events (signed-in, sign-in-failed, refreshed, …) by reason',
    ['event', 'reason'],
  )
  const deliveryFailures = counter(
    'bm_oauth_delivery_failures_total',
    'Failed processing attempts by error code (ERR_STORE: the database; ERR_GOOGLE_API: the platform; …)',
    ['code'],
  )
  const refreshes = counter('bm_oauth_token_refreshes_total', 'Access-token refreshes by outcome', ['outcome'])
  const revocations = counter(
    'bm_oauth_revocations_total',
    'Revocation attempts at the provider by outcome (retrying: queued for a later attempt)',
    ['outcome'],
  )
  const platformRequests = counter(
    'bm_oauth_platform_requests_total',
    "Channel platform API calls (e.g. Google's Business Messages API) by endpoint template and status",
    ['channel', 'endpoint', 'status'],
  )
  const decryptFailures = counter(
    'bm_oauth_vault_decrypt_failures_total',
    'Sealed rows that no configured vault key opens, by table and reason',
    ['table', 'reason'],
  )
  const prompts = counter('bm_oauth_signin_prompts_total', 'Sign-in prompts sent')
  let backlog: BacklogSource | undefined
  let reading: Promise<Awaited<ReturnType<BacklogSource>> | undefined> | undefined
  // One store query per scrape serves both gauges.
  const read = () => (reading ??= (backlog?.() ?? Promise.resolve(undefined)).finally(() => (reading = undefined)))
  new Gauge({
    name: 'bm_oauth_inbox_pending',
    help: 'Acknowledged deliveries not yet processed',
    registers,
    async collect() {
      const now = await read()
      this.set(now?.pending ?? 0)
    },
  })
  new Gauge({
    name: 'bm_oauth_inbox_oldest_pending_age_seconds',
    help: 'Age of the oldest acknowledged delivery not yet processed (0 when none)',
    registers,
    async collect() {
      const now = await read()
      const oldest = now?.oldestReceivedAt
      this.set(now === undefined || oldest === undefined ? 0 : Math.max(0, (now.now - oldest) / 1000))
    },
  })
  return {
    registry,
    watchBacklog(source) {
      backlog = source
    },
    async render() {
      if (!processMetrics) {
        processMetrics = true
        collectDefaultMetrics({ register: registry, prefix: 'bm_oauth_' })
      }
      return { contentType: registry.contentType, text: await registry.metrics() }
    },
    webhookRequest(outcome, seconds) {
      webhookRequests.inc({ outcome })
      ackSeconds.observe(seconds)
    },
    deliveryProcessed(outcome, seconds) {
      deliveries.inc({ outcome })
      processingSeconds.observe(seconds)
    },
    signInEvent(event, reason) {
      // Only the reason's category (`authorization`, `exchange`, …): what follows the colon may be
      // provider text, and a label must stay a small fixed set.
      signInEvents.inc({ event, reason: reason?.split(':')[0] ?? '' })
    },
    signInPrompted() {
      prompts.inc()
    },
    deliveryFailed(code) {
      deliveryFailures.inc({ code })
    },
    refresh(outcome) {
      refreshes.inc({ outcome })
    },
    revocation(outcome) {
      revocations.inc({ outcome })
    },
    platformRequest(channel, endpoint, status) {
      platformRequests.inc({ channel, endpoint, status })
    },
    decryptFailed(table, reason) {
      decryptFailures.inc({ table, reason })
    },
  }
}
