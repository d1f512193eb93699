/**
 * @module cli/commands/keys
 * `bm-oauth keys generate`: prints one new vault key entry `k-YYYYMMDD-xxxx:<base64url of 32 bytes>`.
 * This is the one place bm-oauth prints key material, on purpose, and only to stdout.
 */
import type { Command } from 'commander'
import { generateVaultKey } from '../../stores/index.ts'
import type { CLIIO } from '../io.ts'

/** Registers `keys generate` on `program`. */
export function registerKeysCommands(program: Command, io: CLIIO): void {
  const keys = program.command('keys').description('Vault keys (BM_OAUTH_VAULT_KEYS) that encrypt tokens at rest')
  keys
    .command('generate')
    .description('Print a new vault key entry (id:base64url) to stdout; see "bm-oauth rekey --help" to rotate')
    .addHelpText(
      'after',
      '\nFirst key:  BM_OAUTH_VAULT_KEYS=<printed line>\n' +
        'Rotation:   BM_OAUTH_VAULT_KEYS=<new line>,<current value>, then "bm-oauth rekey", then drop the old entry.\n' +
        'Keep the line secret (a secret manager, not the config file). Losing every key loses every stored token.',
    )
    .action(() => {
      io.stdout.write(`${generateVaultKey()}\n`)
    })
}
