/**
 * @module cli/commands/redirect-uris
 * `bm-oauth redirect-uris`: the four redirect URIs to register at the OAuth provider, one per line.
 */
import type { Command } from 'commander'
import { BUSINESS_MESSAGES_REDIRECT_URIS } from '../../oauth/index.ts'
import { commonOptions, withJSONOutput } from '../options.ts'
import { printResult } from '../io.ts'
import type { CLIIO } from '../io.ts'

export function registerRedirectURIsCommand(program: Command, io: CLIIO): void {
  const cmd = program
    .command('redirect-uris')
    .description('Print the four Business Messages redirect URIs to register at your OAuth provider, exactly as shown')
  withJSONOutput(cmd).action((_opts: unknown, command: Command) => {
    const uris = [...BUSINESS_MESSAGES_REDIRECT_URIS]
    printResult(io, commonOptions(command).json, uris, () => uris.join('\n'))
  })
}
