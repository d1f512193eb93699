/**
 * @module jobs/test-support/commit-gate
 * A `beforeCommit` hook for group-commit tests that records each batch's size and, when `hold` is
 * set, holds the first batch just before `COMMIT` until `release()`: `reached` settles when it
 * is held, so a test can look at the world between the writes and their commit without sleeping.
 */
import type { GroupCommitOptions } from '../group-commit.ts'

export interface CommitGate {
  readonly beforeCommit: NonNullable<GroupCommitOptions['beforeCommit']>
  /** Every batch's size, in commit order. */
  readonly batches: number[]
  /** Settles when a held batch has reached its `COMMIT`. */
  readonly reached: Promise<void>
  release(): void
}

export function commitGate(options: { hold?: boolean; fail?: Error } = {}): CommitGate {
  const batches: number[] = []
  const { promise: reached, resolve: atCommit } = Promise.withResolvers<void>()
  const { promise: gate, resolve: release } = Promise.withResolvers<void>()
  return {
    batches,
    reached,
    release: () => release(),
    beforeCommit: async (size) => {
      batches.push(size)
      if (options.fail !== undefined) throw options.fail
      if (options.hold !== true) return
      atCommit()
      await gate
    },
  }
}
