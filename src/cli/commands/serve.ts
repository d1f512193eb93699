/**
 * @module cli/commands/serve
 * `bm-oauth serve`: runs an agent from the configuration (docs/configuration.md) on the one host,
 * `serveAgent` (docs/operations.md), until SIGTERM or Ctrl-C, then drains: the webhook on
 * `webhook.host:port/path` with `/healthz` and `/readyz`, metrics on `admin.host:port`, and a message
 * handler — the demo bank agent
 * (src/demo/bank-agent, without a bank API: "who am I" reads UserInfo), or the agent module given
 * with `--module FILE`, which must export `register(agent)` and call `agent.onMessage(…)` there.
 */
import { Writable } from 'node:stream'
import { pathToFileURL } from 'node:url'
import { resolve } from 'node:path'
import type { Command } from 'commander'
import {
  businessMessages,
  createAgent,
  createLogger,
  serveAgent,
  type RunningServer,
  type SignInAgent,
} from '../../index.ts'
import { resolveKeyFile } from '../../google/index.ts'
import { createBankAgentHandler } from '../../demo/bank-agent/index.ts'
import { allowedRedirectURIs, requireAgent, type BmOAuthConfig } from '../../ops/config.ts'
import { googleEndpointsOf } from '../../ops/google-clients.ts'
import { resolveConfiguredProvider } from '../../ops/provider.ts'
import { keyringFromConfig, openDatabase } from '../../ops/stores.ts'
import type { CLIIO } from '../io.ts'
import { waitForStopSignal } from '../io.ts'
import { configFromCommand, withConfigOption } from './config-context.ts'

function streamOf(io: CLIIO): Writable {
  return new Writable({
    write(chunk: Buffer, _encoding, callback) {
      io.stderr.write(chunk.toString('utf8'))
      callback()
    },
  })
}

async function loadModule(agent: SignInAgent, file: string): Promise<void> {
  const module = (await import(pathToFileURL(resolve(file)).href)) as { register?: (agent: SignInAgent) => unknown }
  if (typeof module.register !== 'function') throw new Error(`${file} does not export register(agent)`)
  await module.register(agent)
}

async function buildAgent(
  config: BmOAuthConfig,
  logger: ReturnType<typeof createLogger>,
): Promise<{ agent: SignInAgent; close(): Promise<void> }> {
  const database = openDatabase(config, logger)
  const channel = businessMessages({
    agents: [requireAgent(config)],
    credentials: { keyFile: resolveKeyFile({}, config.google.keyFile) },
    baseUrl: googleEndpointsOf(config.google).businessMessagesUrl,
    webhook: {
      path: config.webhook.path,
      keys: config.webhook.signingKeys,
      ...(config.webhook.clientToken === undefined ? {} : { clientToken: config.webhook.clientToken }),
      unsafeDisableSignatureVerification: config.local.unsafeDisableSignatureVerification,
    },
    allowedRedirectUris: allowedRedirectURIs(config),
  })
  const agent = createAgent({
    channels: [channel],
    provider: await resolveConfiguredProvider(config),
    scopes: config.scopes,
    database,
    vaultKeys: keyringFromConfig(config),
    logger,
  })
  return { agent, close: () => database.close() }
}

/** Registers `serve` on `program`. */
export function registerServeCommand(program: Command, io: CLIIO): void {
  withConfigOption(
    program
      .command('serve')
      .description('Run an agent: webhook, sign-in flow and a message handler (the demo bank agent or --module)')
      .option('--agent <name>', 'brands/BRAND_ID/agents/AGENT_ID (env BM_OAUTH_AGENT)')
      .option('--module <file>', 'agent module exporting register(agent)')
      .option('--log-level <level>', 'debug, info, warn or error', 'info'),
  ).action(async (_opts: unknown, cmd: Command) => {
    const opts = cmd.opts<{ module?: string; logLevel: string }>()
    const config = await configFromCommand(io, cmd)
    const logger = createLogger({ level: opts.logLevel, name: 'bm-oauth', destination: streamOf(io) })
    const { agent, close } = await buildAgent(config, logger)
    // Without a module: the demo bank agent, asking for the configured scopes (else its own).
    const scopes = config.scopes.length > 0 ? { scopes: config.scopes } : {}
    if (opts.module === undefined) agent.onMessage(createBankAgentHandler(scopes))
    else await loadModule(agent, opts.module)
    let server: RunningServer
    try {
      server = await serveAgent(agent, {
        listen: { host: config.webhook.host, port: config.webhook.port },
        admin: { host: config.admin.host, port: config.admin.port },
        shutdownGraceMs: config.shutdownGraceMs,
      })
    } catch (err) {
      await close()
      throw err
    }
    io.stdout.write(`bm-oauth serve: webhook on ${server.url}${config.webhook.path}\n`)
    io.stdout.write(`bm-oauth serve: metrics on ${server.adminUrl}/metrics, readiness on ${server.url}/readyz\n`)
    try {
      await (io.untilStopped ?? waitForStopSignal)()
      // A second Ctrl-C / SIGTERM while draining stops at once.
      if (io.untilStopped === undefined) void waitForStopSignal().then(() => process.exit(130))
      io.stdout.write('bm-oauth serve: draining (requests in flight finish, then the agent stops)\n')
    } finally {
      await server.close()
      await close()
    }
  })
}
