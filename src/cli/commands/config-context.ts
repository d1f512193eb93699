/**
 * @module cli/commands/config-context
 * What the agent-operations commands (send-auth-request, doctor, signins, rekey) share: the
 * `--config FILE` option, loading {@link BmOAuthConfig} with the command's flags on top, a stderr
 * logger for notices, and opening the stores for the length of one command.
 */
import type { Command } from 'commander'
import { loadConfig, type BmOAuthConfig } from '../../ops/config.ts'
import { createLineLogger } from '../../ops/line-logger.ts'
import { openStores, type AgentStores, type OpenStoresOptions } from '../../ops/stores.ts'
import type { CLIIO } from '../io.ts'
import { commonOptions } from '../options.ts'

/** Adds `--config <file>` (env BM_OAUTH_CONFIG). */
export function withConfigOption(cmd: Command): Command {
  return cmd.option('--config <file>', 'JSON configuration file (env BM_OAUTH_CONFIG; see docs/configuration.md)')
}

/** Loads the configuration: file < environment < this command's flags (`--agent`, Google options). */
export async function configFromCommand(io: CLIIO, cmd: Command): Promise<BmOAuthConfig> {
  const opts = cmd.opts<{ config?: string; agent?: string }>()
  const g = commonOptions(cmd)
  return loadConfig({
    file: opts.config,
    env: io.env,
    overrides: {
      agent: opts.agent,
      google: { keyFile: g.key, baseUrl: g.baseUrl, businessCommunicationsUrl: g.bcUrl, businessMessagesUrl: g.bmUrl },
    },
  })
}

/** Runs `fn` with the configured stores open, closing them afterwards whatever happens. */
export async function withStores<T>(
  io: CLIIO,
  config: BmOAuthConfig,
  fn: (stores: AgentStores) => Promise<T>,
  options: Omit<OpenStoresOptions, 'logger'> = {},
): Promise<T> {
  const stores = await openStores(config, { ...options, logger: createLineLogger(io.stderr) })
  try {
    return await fn(stores)
  } finally {
    await stores.close()
  }
}
