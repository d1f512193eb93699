/**
 * @module cli/commands/sandbox
 * `bm-oauth sandbox` (what `npm start` runs): the whole sign-in demo on 127.0.0.1: the emulator
 * with the web chat page, the strict demo OIDC provider, the bank API and the Growing Tree Bank
 * agent. Prints progress while starting, then one URL to open, what runs where and the demo users;
 * Ctrl-C stops every service in reverse order, one line each. Never prints a secret.
 */
import type { Command } from 'commander'
import { ConfigError } from '../../errors.ts'
import { createLogger } from '../../index.ts'
import type { Logger } from '../../index.ts'
import { createLineLogger } from '../../ops/line-logger.ts'
import {
  DEFAULT_SANDBOX_DATA_DIR,
  DEFAULT_SANDBOX_PORTS,
  startSandbox,
  type RunningSandbox,
  type SandboxPorts,
  type SandboxProgress,
} from '../../sandbox/index.ts'
import { waitForStopSignal } from '../io.ts'
import type { CLIIO } from '../io.ts'
import { parsePositiveInt } from '../options.ts'

interface SandboxCLIOptions {
  reset: boolean
  dataDir: string
  portBase?: number
  logLevel?: string
}

/** The ports for `--port-base N`: emulator N, provider N+1, bank API N+2, agent N+3 (0: any free ports). */
export function portsFromBase(base: number | undefined): SandboxPorts {
  if (base === undefined) return { ...DEFAULT_SANDBOX_PORTS }
  if (base === 0) return { emulator: 0, provider: 0, bank: 0, agent: 0 }
  return { emulator: base, provider: base + 1, bank: base + 2, agent: base + 3 }
}

export function registerSandboxCommand(program: Command, io: CLIIO): void {
  program
    .command('sandbox')
    .description('Run the whole sign-in demo locally: emulator + chat page, demo OIDC provider, bank API and agent')
    .option('--reset', 'wipe the data directory first (new keys, no sign-ins, no conversations)', false)
    .option(
      '--data-dir <dir>',
      'where keys, secrets and state are kept',
      io.env['BM_OAUTH_SANDBOX_DATA_DIR'] ?? DEFAULT_SANDBOX_DATA_DIR,
    )
    .option(
      '--port-base <n>',
      `first of four consecutive ports: emulator, provider, bank API, agent (default ${DEFAULT_SANDBOX_PORTS.emulator}; 0 = any free ports)`,
      (v) => (v === '0' ? 0 : parsePositiveInt(v, 'port-base')),
    )
    .option('--log-level <level>', 'print JSON logs at this level (debug, info); default: warnings only, one line each')
    .action(async (opts: SandboxCLIOptions) => {
      const ports = portsFromBase(opts.portBase)
      io.stdout.write('Growing Tree Bank sandbox\n')
      let sandbox: RunningSandbox
      try {
        sandbox = await startSandbox({
          dataDir: opts.dataDir,
          reset: opts.reset,
          ports,
          logger: sandboxLogger(io, opts.logLevel),
          onProgress: (event) => io.stdout.write(progressText(event)),
        })
      } catch (err) {
        io.stdout.write('failed\n')
        throw portHint(err, ports)
      }
      io.stdout.write(summary(sandbox))
      await (io.untilStopped ?? waitForStopSignal)()
      io.stdout.write('\nStopping…\n')
      await sandbox.close((service) => io.stdout.write(`  stopped ${service}\n`))
      io.stdout.write('Sandbox stopped.\n')
    })
}

function sandboxLogger(io: CLIIO, level: string | undefined): Logger {
  return level === undefined ? createLineLogger(io.stderr) : createLogger({ level, name: 'sandbox' })
}

/** "  Starting emulator… " then "ok" on the same line. */
export function progressText(event: SandboxProgress): string {
  if (event.phase === 'begin') return `  ${event.label}… `
  return event.step === 'keys' ? `${event.label}\n` : 'ok\n'
}

function summary(sandbox: RunningSandbox): string {
  const { services } = sandbox
  const users = sandbox.demoUsers.map((u) => `${u.username} / ${u.password} (${u.name})`).join(', ')
  return [
    '',
    `Open ${sandbox.url} in your browser`,
    '',
    'Running on 127.0.0.1:',
    `  emulator (Google's side + chat page)  ${services.emulator.url}`,
    `  demo OIDC provider                    ${services.provider.issuer}`,
    `  bank API                              ${services.bank.url}`,
    `  Growing Tree Bank agent (webhook)     ${services.agent.webhookUrl}`,
    `  agent metrics (admin, loopback)       ${services.agent.metricsUrl}`,
    `Demo users: ${users}`,
    `Data: ${sandbox.dataDir} (bm-oauth sandbox --reset wipes it)`,
    'Press Ctrl-C to stop.',
    '',
  ].join('\n')
}

/** A port already taken becomes one clear line saying which and what to do. */
function portHint(err: unknown, ports: SandboxPorts): unknown {
  const code = (err as NodeJS.ErrnoException | undefined)?.code
  if (code !== 'EADDRINUSE') return err
  const port = (err as { port?: number }).port
  return new ConfigError(
    'port-base',
    `port ${port ?? '?'} on 127.0.0.1 is in use (the sandbox uses ${Object.values(ports).join(', ')}): ` +
      'stop the other process or pick other ports with --port-base',
    'flag',
    { cause: err },
  )
}
