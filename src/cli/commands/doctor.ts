/**
 * @module cli/commands/doctor
 * `bm-oauth doctor`: checks the provider, the agent and the webhook; one ✓/✗ line per check with a
 * hint for each failure; exit code 1 when any check fails.
 */
import type { Command } from 'commander'
import { runDoctor, type DoctorReport } from '../../ops/doctor.ts'
import { printResult } from '../io.ts'
import type { CLIIO } from '../io.ts'
import { commonOptions, withGoogleOptions, withJSONOutput } from '../options.ts'
import { configFromCommand, withConfigOption } from './config-context.ts'
import { CommandExit } from './exit-status.ts'

function formatReport(report: DoctorReport): string {
  const lines = report.checks.flatMap((c) => {
    const line = `${c.status === 'pass' ? '✓' : '✗'} ${c.title}: ${c.detail}`
    return c.hint === undefined ? [line] : [line, `    → ${c.hint}`]
  })
  const failed = report.checks.filter((c) => c.status === 'fail').length
  lines.push(
    '',
    failed === 0 ? `all ${report.checks.length} checks passed` : `${failed} of ${report.checks.length} checks failed`,
  )
  return lines.join('\n')
}

/** Registers `doctor` on `program`. */
export function registerDoctorCommand(program: Command, io: CLIIO): void {
  const cmd = program
    .command('doctor')
    .description(
      'Check the setup end to end: provider discovery, PKCE S256, the four redirect URIs, the auth method, ' +
        "the agent's endpointUrl, and the webhook (handshake, signed delivery, forged delivery refused)",
    )
    .option('--agent <name>', 'agent brands/BRAND_ID/agents/AGENT_ID (env BM_OAUTH_AGENT)')
    .option('--webhook-url <url>', 'webhook URL to test (default: webhook.url, else http://host:port/path)')
  withJSONOutput(withGoogleOptions(withConfigOption(cmd))).action(async (opts: { webhookUrl?: string }, c: Command) => {
    const g = commonOptions(c)
    const config = await configFromCommand(io, c)
    const report = await runDoctor(config, {
      webhookUrl: opts.webhookUrl,
      ...(g.timeout === undefined ? {} : { timeoutMs: g.timeout }),
    })
    printResult(io, g.json, report, () => formatReport(report))
    if (!report.ok) throw new CommandExit(1, 'doctor: checks failed')
  })
}
