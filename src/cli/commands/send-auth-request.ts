/**
 * @module cli/commands/send-auth-request
 * `bm-oauth send-auth-request`: the seed's send step. Generates a PKCE verifier and its S256
 * challenge, stores the pending sign-in (verifier sealed with BM_OAUTH_VAULT_KEYS) keyed by agent
 * and conversation, and sends one message with the `authenticationRequest` chip. Prints the
 * message name; the verifier is never printed.
 */
import type { Command } from 'commander'
import { InvalidArgumentError } from '../../index.ts'
import { providerIdOf, requireAgent } from '../../ops/config.ts'
import { businessMessagesClientFor } from '../../ops/google-clients.ts'
import { sendAuthRequest } from '../../ops/send-auth-request.ts'
import { printResult } from '../io.ts'
import type { CLIIO } from '../io.ts'
import { commonOptions, withGoogleOptions, withJSONOutput } from '../options.ts'
import { configFromCommand, withConfigOption, withStores } from './config-context.ts'

interface SendAuthRequestOptions {
  conversation: string
  clientId?: string
  scope: string[]
  text?: string
  fallback?: string
}

const collect = (value: string, previous: string[]): string[] => [...previous, value]

/** Registers `send-auth-request` on `program`. */
export function registerSendAuthRequestCommand(program: Command, io: CLIIO): void {
  const cmd = program
    .command('send-auth-request')
    .description(
      'Send the sign-in chip (authenticationRequest, PKCE S256) to a conversation and store the pending ' +
        'sign-in; needs BM_OAUTH_VAULT_KEYS',
    )
    .requiredOption('--conversation <id>', 'Business Messages conversation id')
    .option('--client-id <id>', 'OAuth client id at the provider (default: client.clientId of the config)')
    .option('--scope <scope>', 'provider scope; repeat for several (default: scopes of the config)', collect, [])
    .option('--text <text>', 'message text shown with the chip')
    .option('--fallback <text>', 'text for devices that cannot show the chip')
    .option('--agent <name>', 'agent brands/BRAND_ID/agents/AGENT_ID (env BM_OAUTH_AGENT)')
  withJSONOutput(withGoogleOptions(withConfigOption(cmd))).action(async (opts: SendAuthRequestOptions, c: Command) => {
    const g = commonOptions(c)
    const config = await configFromCommand(io, c)
    const agent = requireAgent(config)
    const clientId = opts.clientId ?? config.client?.clientId
    if (clientId === undefined) {
      throw new InvalidArgumentError('--client-id', 'required (or set client.clientId / BM_OAUTH_CLIENT_ID)')
    }
    const scopes = opts.scope.length > 0 ? opts.scope : config.scopes
    if (scopes.length === 0) throw new InvalidArgumentError('--scope', 'at least one (or set scopes / BM_OAUTH_SCOPES)')
    const provider = providerIdOf(config)
    const messages = await businessMessagesClientFor(config, g.timeout === undefined ? {} : { timeoutMs: g.timeout })
    const sent = await withStores(io, config, (stores) =>
      sendAuthRequest(
        { pendingSignIns: stores.pendingSignIns, messages },
        {
          agent,
          conversation: opts.conversation,
          clientId,
          scopes,
          provider,
          text: opts.text,
          fallback: opts.fallback,
        },
      ),
    )
    printResult(io, g.json, { ...sent, expiresAt: new Date(sent.expiresAt).toISOString(), verifierStored: true }, () =>
      [
        `message:   ${sent.messageName}`,
        `chip:      authenticationRequest (clientId ${clientId}, scopes ${scopes.join(' ')}, S256)`,
        `verifier:  stored sealed for ${agent} / ${sent.conversation} (prompt #${sent.attempts}, ` +
          `expires ${new Date(sent.expiresAt).toISOString()}); never printed`,
      ].join('\n'),
    )
  })
}
