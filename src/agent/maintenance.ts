/**
 * @module agent/maintenance
 * Periodic clean-up the agent runs while started: webhook inbox rows past the dedupe retention
 * (which must outlive Google's 7-day redelivery horizon, so they are kept 8 days), exchange markers
 * past theirs, and pending sign-ins expired for longer than a grace period (the flow state keeps
 * the parked question, so nothing a user said is lost with them), and audit entries past their
 * retention.
 */
import type { Clock } from '../core/clock.ts'
import type { Logger } from '../core/logger.ts'
import { startIntervalTask, type IntervalTask } from './interval-task.ts'

export interface MaintenanceTargets {
  inbox: { purge(now: number): Promise<{ deliveries: number; quarantined: number }> }
  markers: { purgeExpired(now: number): Promise<number> }
  pending: { purgeExpired(now: number): Promise<number> }
  /** Audit entries older than `retentionMs` go. */
  audit?: { retentionMs: number; log: { purgeOlderThan(cutoff: number): Promise<number> } }
}

export interface MaintenanceOptions {
  clock: Clock
  logger: Logger
  /** How often to run (default 1 h). */
  intervalMs?: number
  /** Pending sign-ins are dropped this long after they expired (default 1 day). */
  pendingGraceMs?: number
}

export interface MaintenanceResult {
  inboxDeliveries: number
  quarantined: number
  markers: number
  pendingSignIns: number
  auditEntries: number
}

/** One clean-up pass; every purge is bounded by the retention rules of its store. */
export async function runMaintenance(
  targets: MaintenanceTargets,
  now: number,
  pendingGraceMs = 24 * 60 * 60_000,
): Promise<MaintenanceResult> {
  const inbox = await targets.inbox.purge(now)
  const markers = await targets.markers.purgeExpired(now)
  const pendingSignIns = await targets.pending.purgeExpired(now - pendingGraceMs)
  const auditEntries = (await targets.audit?.log.purgeOlderThan(now - targets.audit.retentionMs)) ?? 0
  return { inboxDeliveries: inbox.deliveries, quarantined: inbox.quarantined, markers, pendingSignIns, auditEntries }
}

/** Runs {@link runMaintenance} now and then every `intervalMs` (unref'd timer) until stopped. */
export function startMaintenance(targets: MaintenanceTargets, options: MaintenanceOptions): IntervalTask {
  return startIntervalTask(
    async () => {
      try {
        const result = await runMaintenance(targets, options.clock.now(), options.pendingGraceMs)
        options.logger.debug({ ...result }, 'maintenance pass')
      } catch (err) {
        options.logger.warn({ err: describe(err) }, 'maintenance pass failed')
      }
    },
    options.intervalMs ?? 60 * 60_000,
  )
}

function describe(err: unknown): string {
  return err instanceof Error ? `${err.name}: ${err.message}` : 'unknown error'
}
