/**
 * @module cli/commands/partner
 * `partner show` and `partner set-webhook`: the partner-level webhook URL (partners.get / .patch).
 */
import type { Command } from 'commander'
import { InvalidArgumentError } from '../../index.ts'
import { parsePartnerName } from '../../google/index.ts'
import type { Partner } from '../../google/index.ts'
import { businessCommunicationsClient } from '../google-context.ts'
import { commonOptions, withGoogleOptions, withJSONOutput } from '../options.ts'
import { printResult } from '../io.ts'
import type { CLIIO } from '../io.ts'

function partnerNameFrom(io: CLIIO, explicit: string | undefined): string {
  const name = explicit ?? io.env['BM_OAUTH_PARTNER']
  if (name === undefined || name === '') {
    throw new InvalidArgumentError('partner', 'required: pass --partner partners/PARTNER_ID or set BM_OAUTH_PARTNER')
  }
  return parsePartnerName(name).name
}

function webhookUrlOf(partner: Partner): string | undefined {
  return partner.productCapabilities?.find((c) => c.product === 'BUSINESS_MESSAGES')?.businessMessagesCapability
    ?.webhookUrl
}

/** A printable view of a partner: the webhook client token is a signing key, so it is never shown. */
function redactPartner(partner: Partner): Partner {
  return JSON.parse(JSON.stringify(partner, (k, v: unknown) => (k === 'webhookClientToken' ? '[REDACTED]' : v)))
}

export function registerPartnerCommands(program: Command, io: CLIIO): void {
  const partner = program.command('partner').description('Read or change the partner (webhook URL)')
  const show = partner
    .command('show')
    .description('Show the partner (partners.get) and its Business Messages webhook URL')
    .option('--partner <name>', 'partner resource name partners/PARTNER_ID (env BM_OAUTH_PARTNER)')
  withJSONOutput(withGoogleOptions(show)).action(async (opts: { partner?: string }, cmd: Command) => {
    const g = commonOptions(cmd)
    const found = await (await businessCommunicationsClient(io, g)).getPartner(partnerNameFrom(io, opts.partner))
    printResult(io, g.json, redactPartner(found), () =>
      [`name:       ${found.name ?? ''}`, `webhookUrl: ${webhookUrlOf(found) ?? '(not set)'}`].join('\n'),
    )
  })
  const setWebhook = partner
    .command('set-webhook')
    .description('Set the Business Messages webhook URL (partners.patch updateMask=productCapabilities)')
    .option('--partner <name>', 'partner resource name partners/PARTNER_ID (env BM_OAUTH_PARTNER)')
    .requiredOption('--url <url>', 'https URL of your webhook')
  withJSONOutput(withGoogleOptions(setWebhook)).action(
    async (opts: { partner?: string; url: string }, cmd: Command) => {
      const g = commonOptions(cmd)
      const name = partnerNameFrom(io, opts.partner)
      const updated = await (await businessCommunicationsClient(io, g)).setPartnerWebhook(name, opts.url)
      printResult(
        io,
        g.json,
        redactPartner(updated),
        () => `${name}: webhookUrl = ${webhookUrlOf(updated) ?? '(not set)'}`,
      )
    },
  )
}
