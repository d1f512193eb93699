/**
 * @module agent/revocation
 * RFC 7009 revocation at sign-out, with retries that survive failures and restarts (R7, R8, R9).
 *
 * Sign-out, in this order: queue each token (sealed, durable), delete the local copy, then send the
 * revocations. Deleting before revoking means that by the time the provider says 200 no instance
 * can read the token any more (RFC 7009 §2.1, R9); queueing first means a crash or a provider that
 * answers 503, times out or cannot be reached still gets the token revoked later (RFC 7009 §2.2.1:
 * the client must assume the token still exists). Retries honour `Retry-After`, else back off
 * exponentially with full jitter (`core/retry`), and give up (with an error log line) after a horizon. The queue is the only place
 * the token still exists locally, and it is only ever sent to the revocation endpoint.
 */
import type { ChannelId } from '../channel/types.ts'
import type { Clock } from '../core/clock.ts'
import type { AgentMetrics } from '../metrics/agent-metrics.ts'
import type { Logger } from '../core/logger.ts'
import { backoffDelay, parseRetryAfter, type Backoff, type RandomSource } from '../core/retry.ts'
import { isBmOAuthError } from '../errors.ts'
import { isProviderFailure } from '../oauth/errors.ts'
import { revokeToken } from '../oauth/operations.ts'
import type { OAuthProvider } from '../oauth/provider.ts'
import type { PendingRevocation, RevocationQueue, RevocationTokenTypeHint } from '../tokens/revocation-queue.ts'
import { startIntervalTask, type IntervalTask } from './interval-task.ts'

/** Timing of revocation retries. */
export interface RevocationPolicy extends Backoff {
  /** How long a claimed row is ours before another process may retry it (default 60 s). */
  readonly leaseMs: number
  /** First backoff step without `Retry-After` (default 30 s); doubles per attempt. */
  readonly baseDelayMs: number
  /** Longest wait between two attempts, `Retry-After` included (default 6 h). */
  readonly maxDelayMs: number
  /** Give up this long after sign-out (default 7 days). */
  readonly horizonMs: number
  /** Rows retried per pass (default 50). */
  readonly batchSize: number
}

export const DEFAULT_REVOCATION_POLICY: RevocationPolicy = {
  leaseMs: 60_000,
  baseDelayMs: 30_000,
  maxDelayMs: 6 * 60 * 60_000,
  horizonMs: 7 * 24 * 60 * 60_000,
  batchSize: 50,
}

/** What revocation needs from the agent, for one platform agent's grants (the queue is per channel, agent, provider). */
export interface RevocationDeps {
  /** The channel of the grants (the queue is per channel, agent and provider). */
  readonly channelId: ChannelId
  readonly agentName: string
  readonly providerId: string
  readonly provider: OAuthProvider
  readonly revocations: RevocationQueue
  readonly clock: Clock
  readonly logger: Logger
  readonly revocationPolicy?: RevocationPolicy
  /** Jitter source for the backoff (default `Math.random`). */
  readonly random?: RandomSource
  /** Counts each attempt's outcome (the agent's metrics). */
  readonly metrics?: Pick<AgentMetrics, 'revocation'>
}

/** The fate of one queued token after an attempt. */
export type RevocationOutcome = 'revoked' | 'retrying' | 'given-up'

/** When to try again, or why not. */
export type RevocationRetry = { readonly retryAt: number } | { readonly giveUp: 'refused' | 'horizon' }

/** One token's attempt: its outcome, and the failure behind it when not revoked. */
export interface RevocationAttempt {
  readonly outcome: RevocationOutcome
  /** Why the attempt failed, for the caller's own report (may carry provider text: never log it as is). */
  readonly error?: unknown
}

/** The tokens of one grant to revoke. */
export interface RevocableTokens {
  readonly accessToken: string
  readonly refreshToken?: string | undefined
}

/**
 * Sign-out of one grant: queue its tokens (refresh token first: it ends the grant), run
 * `deleteLocal`, then attempt each revocation once now. Without a revocation endpoint the tokens are
 * only deleted. Never throws for a provider failure (the queue retries); store failures propagate.
 */
export async function revokeAndForget(
  deps: RevocationDeps,
  tokens: RevocableTokens,
  deleteLocal: () => Promise<unknown>,
): Promise<RevocationAttempt[]> {
  if (deps.provider.revocationEndpoint === undefined) {
    await deleteLocal()
    return []
  }
  const policy = deps.revocationPolicy ?? DEFAULT_REVOCATION_POLICY
  const queued = await enqueueRevocations(deps, tokens, policy.leaseMs)
  await deleteLocal()
  const attempts: RevocationAttempt[] = []
  for (const entry of queued) attempts.push(await attemptRevocation(deps, entry))
  return attempts
}

/**
 * Queues a grant's tokens (refresh token first), claimed by the caller for `leaseMs` (0: due at
 * once, for the running agent's retry loop).
 */
export async function enqueueRevocations(
  deps: Pick<RevocationDeps, 'channelId' | 'agentName' | 'providerId' | 'revocations' | 'clock'>,
  tokens: RevocableTokens,
  leaseMs: number,
): Promise<PendingRevocation[]> {
  const wanted: Array<[string, RevocationTokenTypeHint]> = [
    ...(tokens.refreshToken === undefined
      ? []
      : [[tokens.refreshToken, 'refresh_token'] as [string, RevocationTokenTypeHint]]),
    [tokens.accessToken, 'access_token'],
  ]
  const queued: PendingRevocation[] = []
  for (const [token, tokenTypeHint] of wanted) {
    const entry = { channel: deps.channelId, agent: deps.agentName, provider: deps.providerId, token, tokenTypeHint }
    queued.push(await deps.revocations.enqueue(entry, deps.clock.now(), leaseMs))
  }
  return queued
}

/** Sends one queued revocation; removes the row on success, else reschedules or gives up. */
async function attemptRevocation(deps: RevocationDeps, entry: PendingRevocation): Promise<RevocationAttempt> {
  const policy = deps.revocationPolicy ?? DEFAULT_REVOCATION_POLICY
  const fields = { revocationId: entry.id, hint: entry.tokenTypeHint, attempt: entry.attempts }
  try {
    await revokeToken(deps.provider, entry.token, entry.tokenTypeHint)
  } catch (err) {
    const reason = failureCode(err)
    const decision = decideRevocationRetry(err, entry, deps.clock.now(), policy, deps.random ?? Math.random)
    if ('giveUp' in decision) {
      await deps.revocations.remove(entry.id)
      const message = 'token revocation given up; the provider may still honour the token'
      deps.logger.error({ ...fields, errCode: reason, why: decision.giveUp }, message)
      deps.metrics?.revocation('given-up')
      return { outcome: 'given-up', error: err }
    }
    await deps.revocations.reschedule(entry.id, decision.retryAt, reason)
    deps.logger.warn({ ...fields, errCode: reason, retryAt: decision.retryAt }, 'token revocation failed; will retry')
    deps.metrics?.revocation('retrying')
    return { outcome: 'retrying', error: err }
  }
  await deps.revocations.remove(entry.id)
  deps.logger.info(fields, 'token revoked at the provider')
  deps.metrics?.revocation('revoked')
  return { outcome: 'revoked' }
}

/** Result of one retry pass. */
export interface RetryPassResult {
  readonly revoked: number
  readonly retrying: number
  readonly givenUp: number
}

/** What the retry loop needs: revocation's deps for every platform agent the process serves. */
export type RevocationRetryDeps = Omit<RevocationDeps, 'agentName'> & { readonly agents: readonly string[] }

/** One pass over every served agent's queue. */
async function retryAllDueRevocations(deps: RevocationRetryDeps): Promise<RetryPassResult> {
  const total = { revoked: 0, retrying: 0, givenUp: 0 }
  for (const agentName of deps.agents) {
    const result = await retryDueRevocations({ ...deps, agentName })
    total.revoked += result.revoked
    total.retrying += result.retrying
    total.givenUp += result.givenUp
  }
  return total
}

/** One pass: drops rows past the horizon, then retries the due rows of this agent and provider. */
async function retryDueRevocations(deps: RevocationDeps): Promise<RetryPassResult> {
  const policy = deps.revocationPolicy ?? DEFAULT_REVOCATION_POLICY
  const now = deps.clock.now()
  const owner = { channel: deps.channelId, agent: deps.agentName }
  const expired = await deps.revocations.dropCreatedBefore(owner, now - policy.horizonMs)
  if (expired > 0) {
    deps.logger.error(
      { count: expired, horizonMs: policy.horizonMs },
      'token revocations given up after the retry horizon',
    )
  }
  const result = { revoked: 0, retrying: 0, givenUp: expired }
  if (deps.provider.revocationEndpoint === undefined) return result
  const due = await deps.revocations.claimDue(owner, deps.providerId, now, {
    leaseMs: policy.leaseMs,
    limit: policy.batchSize,
  })
  for (const entry of due) {
    const { outcome } = await attemptRevocation(deps, entry)
    if (outcome === 'revoked') result.revoked++
    else if (outcome === 'retrying') result.retrying++
    else result.givenUp++
  }
  return result
}

/**
 * Pure: when to try `entry` again after `err`. A 4xx answer (other than 429) is final: the provider
 * understood and refused (e.g. `unsupported_token_type`, `invalid_client`). Anything else (5xx, 429,
 * timeouts, unreachable, an unreadable answer) is retried: at `Retry-After` when given (capped at
 * `maxDelayMs`), else after a full-jitter backoff ({@link backoffDelay}); never past the horizon.
 */
export function decideRevocationRetry(
  err: unknown,
  entry: PendingRevocation,
  now: number,
  policy: RevocationPolicy,
  random: RandomSource,
): RevocationRetry {
  if (isFinalRefusal(err)) return { giveUp: 'refused' }
  const hinted = isProviderFailure(err) ? parseRetryAfter(err.retryAfter, now) : undefined
  const delayMs =
    hinted === undefined ? backoffDelay(entry.attempts, policy, random) : Math.min(policy.maxDelayMs, hinted)
  const retryAt = now + delayMs
  return retryAt > entry.createdAt + policy.horizonMs ? { giveUp: 'horizon' } : { retryAt }
}

/**
 * Whether a failed request will fail the same way every time: a 4xx answer other than 429 (the
 * provider understood and refused) or a configuration error. Anything else may pass.
 */
export function isFinalRefusal(err: unknown): boolean {
  const status = isProviderFailure(err) ? err.httpStatus : undefined
  if (status !== undefined && status >= 400 && status < 500 && status !== 429) return true
  return isBmOAuthError(err, 'ERR_CONFIG') || isBmOAuthError(err, 'ERR_INVALID_ARGUMENT')
}

/** A secret-free reason: the error code plus HTTP status or OAuth error name. */
function failureCode(err: unknown): string {
  if (isProviderFailure(err)) {
    const name = 'error' in err ? `:${err.error}` : ''
    return `${err.code}${name}${err.httpStatus === undefined ? '' : ` (HTTP ${err.httpStatus})`}`
  }
  if (isBmOAuthError(err)) return err.code
  return err instanceof Error ? err.name : 'non-error'
}

/** Runs {@link retryDueRevocations} for every agent now and then every `intervalMs` (unref'd timer) until stopped. */
export function startRevocationRetries(deps: RevocationRetryDeps, intervalMs: number): IntervalTask {
  return startIntervalTask(async () => {
    try {
      const result = await retryAllDueRevocations(deps)
      if (result.revoked + result.retrying + result.givenUp > 0)
        deps.logger.debug({ ...result }, 'revocation retry pass')
    } catch (err) {
      deps.logger.warn({ errCode: failureCode(err) }, 'revocation retry pass failed')
    }
  }, intervalMs)
}
