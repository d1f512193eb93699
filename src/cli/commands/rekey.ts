/**
 * @module cli/commands/rekey
 * `bm-oauth rekey`: re-encrypts every stored token set, pending sign-in, conversation state and
 * queued revocation under the active (first) key of BM_OAUTH_VAULT_KEYS, while the old keys are
 * still listed to open them (security case S3).
 */
import type { Command } from 'commander'
import { rekeyStores } from '../../ops/rekey.ts'
import { printResult } from '../io.ts'
import type { CLIIO } from '../io.ts'
import { parsePositiveInt, withJSONOutput } from '../options.ts'
import { configFromCommand, withConfigOption, withStores } from './config-context.ts'
import { CommandExit } from './exit-status.ts'

const ROTATION_HELP = `
Key rotation, step by step:
  1. bm-oauth keys generate                      prints a new entry  k-YYYYMMDD-xxxx:...
  2. Put it FIRST, keep the old one after it:     BM_OAUTH_VAULT_KEYS=<new>,<old>
     and restart every bm-oauth process (new writes now use the new key; old rows still open).
  3. bm-oauth rekey                              re-encrypts every row under the new key
     (safe while the agent runs; repeat until "remaining" is 0 and "inbox" is 0).
  4. Remove the old entry:                       BM_OAUTH_VAULT_KEYS=<new>, restart again.
Rows that cannot be opened with any listed key are counted as "failed" and left untouched.
Exit code: 0 when nothing is left under an old key, 1 otherwise.`

/** Registers `rekey` on `program`. */
export function registerRekeyCommand(program: Command, io: CLIIO): void {
  const cmd = program
    .command('rekey')
    .description(
      'Re-encrypt stored tokens, pending sign-ins, conversation states and queued revocations under the active (first) vault key',
    )
    .option('--batch-size <n>', 'rows per batch (default 100)', (v) => parsePositiveInt(v, 'batch-size'))
    .addHelpText('after', ROTATION_HELP)
  withJSONOutput(withConfigOption(cmd)).action(async (opts: { batchSize?: number; json: boolean }, c: Command) => {
    const config = await configFromCommand(io, c)
    const report = await withStores(io, config, (stores) =>
      rekeyStores(stores, opts.batchSize === undefined ? {} : { batchSize: opts.batchSize }),
    )
    const { rekeyed, failed, remaining } = report.total
    printResult(io, opts.json, { rekeyed, failed, remaining, ...report }, () =>
      [
        `active key:      ${report.activeKeyId}`,
        `rekeyed:         ${rekeyed} (tokens ${report.tokens.rekeyed}, pending sign-ins ${report.pendingSignIns.rekeyed}, ` +
          `conversation states ${report.flowStates.rekeyed}, queued revocations ${report.revocations.rekeyed})`,
        `failed:          ${failed}${failed > 0 ? ' (sealed under a key that is not listed, or damaged)' : ''}`,
        `remaining:       ${remaining}`,
        `inbox:           ${report.inboxUnderOldKeys} unprocessed webhook deliveries under an old key`,
        remaining === 0 && report.inboxUnderOldKeys === 0
          ? 'Every row uses the active key: old keys can be removed from BM_OAUTH_VAULT_KEYS.'
          : 'Keep the old keys listed until remaining and inbox are 0.',
      ].join('\n'),
    )
    if (remaining > 0 || report.inboxUnderOldKeys > 0) throw new CommandExit(1, 'rows remain under old keys')
  })
}
