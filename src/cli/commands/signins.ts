/**
 * @module cli/commands/signins
 * `signins list` (who is signed in, and pending sign-ins; no secrets) and `signins revoke` (a
 * data-protection request: revoke at the provider per RFC 7009 when possible, then delete locally).
 */
import type { Command } from 'commander'
import { parseAgentName } from '../../google/index.ts'
import { providerIdOf, requireAgent, type BmOAuthConfig } from '../../ops/config.ts'
import { resolveConfiguredProvider } from '../../ops/provider.ts'
import { listSignIns, revokeSignIns, type RevokeReport, type SignInSummary } from '../../ops/signins.ts'
import { printResult } from '../io.ts'
import type { CLIIO } from '../io.ts'
import { withJSONOutput } from '../options.ts'
import { configFromCommand, withConfigOption, withStores } from './config-context.ts'
import { CommandExit } from './exit-status.ts'

const iso = (ms: number | null): string => (ms === null ? '-' : new Date(ms).toISOString())

function formatList(rows: readonly SignInSummary[]): string {
  if (rows.length === 0) return 'no sign-ins'
  const header = ['AGENT', 'CONVERSATION', 'PROVIDER', 'SUBJECT', 'SCOPES', 'STATUS', 'UPDATED', 'EXPIRES']
  const lines = rows.map((r) => [
    r.agent,
    r.conversation,
    r.provider,
    r.subject ?? '-',
    r.scopes.join(' ') || '-',
    r.status,
    iso(r.updatedAt),
    iso(r.expiresAt),
  ])
  return [header, ...lines].map((cells) => cells.join('\t')).join('\n')
}

function formatRevoke(report: RevokeReport): string {
  const lines = [`conversation ${report.conversation} of ${report.agent}:`]
  if (report.grants.length === 0) lines.push('  no stored grant')
  for (const g of report.grants) {
    const what = {
      revoked: 'revoked at the provider',
      'no-tokens': 'already signed out (nothing to revoke)',
      unreachable: 'NOT revoked: provider unreachable',
      refused: 'NOT revoked: the provider refused',
      'not-supported': 'NOT revoked: the provider has no revocation endpoint',
      'not-configured': 'NOT revoked: not the configured provider',
      unreadable: 'NOT revoked: stored tokens cannot be opened',
      failed: 'NOT revoked',
    }[g.revocation]
    const detail = g.detail === undefined ? '' : ` (${g.detail})`
    lines.push(
      `  ${g.provider} ${g.subject ?? ''}: ${what}${detail}; ${g.deletedLocally ? 'deleted locally' : 'not found locally'}`,
    )
  }
  lines.push(`  pending sign-in: ${report.pendingSignInDeleted ? 'deleted' : 'none'}`)
  lines.push(`  access log: ${report.auditEntriesErased} entries erased`)
  return lines.join('\n')
}

function agentFilter(config: BmOAuthConfig, explicit: string | undefined): string | undefined {
  return explicit === undefined ? config.agent : parseAgentName(explicit).name
}

/** Registers `signins list` and `signins revoke` on `program`. */
export function registerSignInsCommands(program: Command, io: CLIIO): void {
  const signins = program.command('signins').description('Stored sign-ins: list them, or revoke one conversation')
  const list = signins
    .command('list')
    .description('List signed-in conversations and pending sign-ins (no tokens, no verifiers)')
    .option('--agent <name>', 'only this agent (default: the configured agent, if any)')
    .option('--all-agents', 'every agent, even when one is configured', false)
    .option('--conversation <id>', 'only this conversation')
  withJSONOutput(withConfigOption(list)).action(
    async (opts: { agent?: string; allAgents: boolean; conversation?: string; json: boolean }, c: Command) => {
      const config = await configFromCommand(io, c)
      const agent = opts.allAgents ? undefined : agentFilter(config, opts.agent)
      const rows = await withStores(
        io,
        config,
        (stores) => listSignIns(stores, { agent, conversation: opts.conversation }, Date.now()),
        { requireVault: false },
      )
      printResult(io, opts.json, { signins: rows }, () => formatList(rows))
    },
  )

  const revoke = signins
    .command('revoke')
    .description(
      'Forget a conversation: revoke its grants at the provider (RFC 7009) when possible, then delete them ' +
        'and any pending sign-in locally, even if the provider is unreachable',
    )
    .requiredOption('--conversation <id>', 'conversation to forget')
    .option('--agent <name>', 'agent brands/BRAND_ID/agents/AGENT_ID (env BM_OAUTH_AGENT)')
  withJSONOutput(withConfigOption(revoke)).action(async (opts: { conversation: string; json: boolean }, c: Command) => {
    const config = await configFromCommand(io, c)
    const agent = requireAgent(config)
    const providerId = config.provider === undefined ? undefined : providerIdOf(config)
    const report = await withStores(io, config, (stores) =>
      revokeSignIns(
        { stores, providerId, resolveProvider: () => resolveConfiguredProvider(config) },
        agent,
        opts.conversation,
      ),
    )
    printResult(io, opts.json, report, () => formatRevoke(report))
    const unrevoked = report.grants.filter((g) => g.revocation !== 'revoked' && g.revocation !== 'no-tokens')
    if (unrevoked.length > 0)
      throw new CommandExit(1, 'deleted locally, but not every grant was revoked at the provider')
  })
}
