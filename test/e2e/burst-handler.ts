/**
 * @module test/e2e/burst-handler
 * A test agent handler for the refresh single-flight cases (R1): "burst" asks for sign-in, then
 * fires many `getAccessToken()` / `session.fetch()` calls at once from one handler invocation and
 * records what each returned; anything else goes to the example bank handler. An optional barrier
 * holds the burst until every instance has reached it, so two agents refresh at the same moment.
 */
import { bankHandler } from './balance-handler.ts'
import type { MessageHandler } from '../../src/index.ts'

/** What one burst saw. */
export interface BurstResult {
  readonly instance: string
  /** Tokens `getAccessToken()` returned. */
  readonly tokens: string[]
  /** Statuses `session.fetch()` returned. */
  readonly statuses: number[]
  /** Calls that rejected (error names). */
  readonly failures: string[]
}

export interface BurstOptions {
  readonly instance: string
  readonly accountUrl: string
  /** Concurrent calls per burst (half getAccessToken, half fetch when `withFetch`). */
  readonly calls: number
  readonly withFetch: boolean
  readonly results: BurstResult[]
  /** Awaited after sign-in, before the burst (e.g. until both instances are there). */
  readonly barrier?: (instance: string) => Promise<void>
}

export function burstHandler(options: BurstOptions): MessageHandler {
  const bank = bankHandler({ accountUrl: options.accountUrl })
  return async (ctx) => {
    if (!ctx.text.toLowerCase().includes('burst')) return bank(ctx)
    const session = await ctx.requireSignIn({ scopes: ['openid', 'profile'], reason: 'the burst' })
    if (session === undefined) return
    await options.barrier?.(options.instance)
    const result: BurstResult = { instance: options.instance, tokens: [], statuses: [], failures: [] }
    const calls = Array.from({ length: options.calls }, async (_, i) => {
      try {
        if (options.withFetch && i % 2 === 1) {
          const response = await session.fetch(options.accountUrl)
          await response.body?.cancel()
          result.statuses.push(response.status)
        } else {
          result.tokens.push(await session.getAccessToken())
        }
      } catch (err) {
        result.failures.push(err instanceof Error ? err.name : 'non-error')
        throw err
      }
    })
    const settled = await Promise.allSettled(calls)
    options.results.push(result)
    const failed = settled.find((s): s is PromiseRejectedResult => s.status === 'rejected')
    if (failed !== undefined) throw failed.reason // e.g. a concurrent writer: the delivery is retried
    await ctx.say(`burst done: ${result.tokens.length + result.statuses.length} calls`)
  }
}
