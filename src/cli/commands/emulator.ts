/**
 * @module cli/commands/emulator
 * `bm-oauth emulator`: runs the local Business Messages / Business Communications emulator until
 * Ctrl-C, and prints what a client needs to talk to it (never the secrets themselves, only paths).
 */
import { resolve } from 'node:path'
import type { Command } from 'commander'
import { startEmulator } from '../../emulator/index.ts'
import { createLogger } from '../../index.ts'
import { parsePositiveInt } from '../options.ts'
import { printResult, waitForStopSignal } from '../io.ts'
import type { CLIIO } from '../io.ts'

export const DEFAULT_EMULATOR_PORT = 8790
export const DEFAULT_EMULATOR_DATA_DIR = '.bm-oauth/emulator'

interface EmulatorCLIOptions {
  port?: number
  host: string
  dataDir: string
  webhookUrl?: string
  webhookTimeout?: number
  webhookHorizon?: number
  webhookBaseDelay?: number
  json: boolean
  logLevel: string
}

function isLoopback(host: string): boolean {
  return host === 'localhost' || host === '::1' || host.startsWith('127.')
}

export function registerEmulatorCommand(program: Command, io: CLIIO): void {
  program
    .command('emulator')
    .description("Run the local emulator of Google's Business Messages side (both APIs, token endpoint, webhooks)")
    .option('--port <n>', `port to listen on (default ${DEFAULT_EMULATOR_PORT}; 0 = any free port)`, (v) =>
      v === '0' ? 0 : parsePositiveInt(v, 'port'),
    )
    .option('--host <host>', 'interface to listen on', '127.0.0.1')
    .option(
      '--data-dir <dir>',
      'where state, keys and tokens are kept',
      io.env['BM_OAUTH_EMULATOR_DATA_DIR'] ?? DEFAULT_EMULATOR_DATA_DIR,
    )
    .option('--webhook-url <url>', "deliver user events here (default: the partner's webhook set with partners.patch)")
    .option('--webhook-timeout <ms>', 'per-delivery timeout (default 10000)', (v) =>
      parsePositiveInt(v, 'webhook-timeout'),
    )
    .option('--webhook-horizon <ms>', 'give up redelivering after this long (default 7 days)', (v) =>
      parsePositiveInt(v, 'webhook-horizon'),
    )
    .option('--webhook-base-delay <ms>', 'first retry delay, doubled per attempt (default 1000)', (v) =>
      parsePositiveInt(v, 'webhook-base-delay'),
    )
    .option('--log-level <level>', 'emulator log level (info, debug, warn)', 'info')
    .option('--json', 'print the start-up information as JSON', false)
    .action(async (opts: EmulatorCLIOptions) => {
      const logger = createLogger({ level: opts.logLevel, name: 'emulator' })
      const emulator = await startEmulator({
        port: opts.port ?? Number(io.env['BM_OAUTH_EMULATOR_PORT'] ?? DEFAULT_EMULATOR_PORT),
        host: opts.host,
        dataDir: resolve(opts.dataDir),
        logger,
        ...(opts.webhookUrl === undefined ? {} : { webhookUrl: opts.webhookUrl }),
        ...(opts.webhookTimeout === undefined ? {} : { webhookTimeoutMs: opts.webhookTimeout }),
        ...(opts.webhookHorizon === undefined ? {} : { webhookHorizonMs: opts.webhookHorizon }),
        ...(opts.webhookBaseDelay === undefined ? {} : { webhookBaseDelayMs: opts.webhookBaseDelay }),
      })
      if (!isLoopback(opts.host)) {
        io.stderr.write(
          `WARNING: the emulator listens on ${opts.host}. Its control API has no authentication and shows ` +
            'authorization codes in its logs; expose it only on a trusted network.\n',
        )
      }
      const info = {
        url: emulator.url,
        keyFile: emulator.keyFilePath,
        agent: emulator.agentName,
        brand: emulator.brandName,
        partner: emulator.partnerName,
        webhookClientTokenFile: emulator.webhookClientTokenPath,
      }
      printResult(io, opts.json, info, () =>
        [
          `Business Messages emulator listening on ${info.url}`,
          `  web chat page (simulated user + inspector): ${info.url}/`,
          `  base URL (both APIs + token endpoint): ${info.url}`,
          `  service-account key file:              ${info.keyFile}`,
          `  agent:                                 ${info.agent}`,
          `  brand / partner:                       ${info.brand} / ${info.partner}`,
          `  webhook client token (signing key) in: ${info.webhookClientTokenFile}`,
          '',
          'Point the CLI at it:',
          `  export BM_OAUTH_LOCAL=1 BM_OAUTH_GOOGLE_BASE_URL=${info.url} BM_OAUTH_KEY_FILE=${info.keyFile} BM_OAUTH_AGENT=${info.agent}`,
          'Press Ctrl-C to stop.',
        ].join('\n'),
      )
      await (io.untilStopped ?? waitForStopSignal)()
      await emulator.close()
    })
}
