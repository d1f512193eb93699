/**
 * @module cli/options
 * Options shared by commands. They are declared on each command (not on the program) because
 * `header` keeps oauth2l's own `--json KEY_FILE`, which would clash with a global `--json` flag.
 */
import { Option } from 'commander'
import type { Command } from 'commander'
import { InvalidArgumentError } from '../index.ts'
import type { GoogleCLIOptions } from './google-context.ts'

export interface CommonOptions extends GoogleCLIOptions {
  json: boolean
}

/** Adds `--json` (machine-readable output). */
export function withJSONOutput(cmd: Command): Command {
  return cmd.option('--json', 'print the result as JSON', false)
}

/** Adds the options that say which Google key and endpoints to use. */
export function withGoogleOptions(cmd: Command, keyFlags = '--key <file>'): Command {
  return cmd
    .option(keyFlags, 'service-account key file (env BM_OAUTH_KEY_FILE, then GOOGLE_APPLICATION_CREDENTIALS)')
    .option('--base-url <url>', 'one origin for both Google APIs, e.g. the emulator (env BM_OAUTH_GOOGLE_BASE_URL)')
    .addOption(
      new Option('--bc-url <url>', 'Business Communications API base (env BM_OAUTH_BUSINESS_COMMUNICATIONS_URL)'),
    )
    .addOption(new Option('--bm-url <url>', 'Business Messages API base (env BM_OAUTH_BUSINESS_MESSAGES_URL)'))
    .option('--timeout <ms>', 'per-request timeout in milliseconds (default 30000)', (v) =>
      parsePositiveInt(v, 'timeout'),
    )
}

/** The shared options as seen from a command's action. */
export function commonOptions(cmd: Command): CommonOptions {
  const o = cmd.opts<Partial<CommonOptions>>()
  const out: CommonOptions = { json: o.json === true }
  if (o.key !== undefined) out.key = o.key
  if (o.baseUrl !== undefined) out.baseUrl = o.baseUrl
  if (o.bcUrl !== undefined) out.bcUrl = o.bcUrl
  if (o.bmUrl !== undefined) out.bmUrl = o.bmUrl
  if (o.timeout !== undefined) out.timeout = o.timeout
  return out
}

/** Parses a positive integer option value or fails with a usage error. */
export function parsePositiveInt(value: string, option: string): number {
  const n = Number(value)
  if (!Number.isInteger(n) || n <= 0) throw new InvalidArgumentError(`--${option}`, 'must be a positive integer')
  return n
}
