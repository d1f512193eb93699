/**
 * @module cli/commands/header
 * `bm-oauth header --json KEY_FILE SCOPE…`: a drop-in for `oauth2l header`, so Google's documented
 * curl commands work with `$(npx bm-oauth header --json key.json businesscommunications)`.
 * It prints exactly one `Authorization: Bearer …` line on stdout (that is its purpose), nothing else.
 */
import type { Command } from 'commander'
import {
  createAuthorizationHeader,
  expandScopes,
  readServiceAccountKey,
  resolveKeyFile,
  ServiceAccountCredentials,
} from '../../google/index.ts'
import type { CLIIO } from '../io.ts'
import { parsePositiveInt } from '../options.ts'

export function registerHeaderCommand(program: Command, io: CLIIO): void {
  program
    .command('header')
    .description(
      'Print an "Authorization: Bearer …" header for a service account (oauth2l header replacement); the token ' +
        "comes from the key file's token_uri",
    )
    .argument('<scopes...>', 'scopes: oauth2l short names (businessmessages, businesscommunications) or URLs')
    .option('--json <file>', 'service-account key file (as oauth2l; env BM_OAUTH_KEY_FILE)')
    .option('--key <file>', 'alias of --json')
    .option('--timeout <ms>', 'token request timeout in milliseconds', (v) => parsePositiveInt(v, 'timeout'))
    .action(async (scopes: string[], opts: { json?: string; key?: string; timeout?: number }) => {
      const key = await readServiceAccountKey(resolveKeyFile(io.env, opts.json ?? opts.key))
      const credentials = new ServiceAccountCredentials(key, {
        scopes: expandScopes(scopes),
        ...(opts.timeout === undefined ? {} : { timeoutMs: opts.timeout }),
      })
      io.stdout.write(`Authorization: ${await createAuthorizationHeader(credentials)}\n`)
    })
}
