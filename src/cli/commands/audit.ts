/**
 * @module cli/commands/audit
 * `bm-oauth audit --conversation ID`: what the agent did with that conversation's tokens — each
 * use (purpose, API, outcome) and each grant event — newest first. No tokens, no user text.
 */
import type { Command } from 'commander'
import { describeAccessLog, InvalidArgumentError } from '../../index.ts'
import { requireAgent } from '../../ops/config.ts'
import { printResult } from '../io.ts'
import type { CLIIO } from '../io.ts'
import { withJSONOutput } from '../options.ts'
import { configFromCommand, withConfigOption, withStores } from './config-context.ts'

/** Registers `audit` on `program`. */
export function registerAuditCommand(program: Command, io: CLIIO): void {
  const audit = program
    .command('audit')
    .description("A conversation's access log: each use of its tokens and each grant event, newest first")
    .requiredOption('--conversation <id>', 'the conversation')
    .option('--agent <name>', 'agent brands/BRAND_ID/agents/AGENT_ID (env BM_OAUTH_AGENT)')
    .option('--channel <id>', 'the channel', 'business-messages')
    .option('--limit <n>', 'at most this many entries', '100')
  withJSONOutput(withConfigOption(audit)).action(
    async (opts: { conversation: string; channel: string; limit: string; json: boolean }, c: Command) => {
      const config = await configFromCommand(io, c)
      const key = { channel: opts.channel, agent: requireAgent(config), conversation: opts.conversation }
      if (!/^[1-9]\d{0,3}$/.test(opts.limit) || Number(opts.limit) > 1000) {
        throw new InvalidArgumentError('--limit', 'a whole number from 1 to 1000')
      }
      const limit = Number(opts.limit)
      const entries = await withStores(io, config, (stores) => stores.audit.list(key, { limit }), {
        requireVault: false,
      })
      printResult(io, opts.json, { ...key, entries }, () => describeAccessLog(entries))
    },
  )
}
