/**
 * @module cli/commands/migrate
 * `bm-oauth migrate`: brings every store's schema up to this release, re-sealing the rows a data
 * migration changes (issue 9: every row keyed and sealed by channel, agent and conversation). Run it
 * with every instance stopped; an agent refuses to start on an older schema (docs/operations.md).
 */
import type { Command } from 'commander'
import { createLineLogger } from '../../ops/line-logger.ts'
import { migrateDatabase } from '../../ops/migrate.ts'
import { printResult, type CLIIO } from '../io.ts'
import { withJSONOutput } from '../options.ts'
import { configFromCommand, withConfigOption } from './config-context.ts'

/** Registers `migrate` on `program`. */
export function registerMigrateCommand(program: Command, io: CLIIO): void {
  const cmd = program
    .command('migrate')
    .description(
      'Migrate the database to this release (re-seals rows where needed); run with every bm-oauth instance stopped',
    )
  withJSONOutput(withConfigOption(cmd)).action(async (opts: { json: boolean }, c: Command) => {
    const config = await configFromCommand(io, c)
    const applied = await migrateDatabase(config, createLineLogger(io.stderr))
    const changed = Object.entries(applied).filter(([, versions]) => versions.length > 0)
    printResult(io, opts.json, { applied }, () =>
      changed.length === 0
        ? 'The database is up to date.'
        : changed.map(([namespace, versions]) => `${namespace}: applied version ${versions.join(', ')}`).join('\n'),
    )
  })
}
