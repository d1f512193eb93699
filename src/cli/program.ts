/**
 * @module cli/program
 * The `bm-oauth` command tree. {@link runCLI} parses arguments, runs one command and returns the
 * exit code; it never calls `process.exit`, so tests run it in-process.
 */
import { Command, CommanderError } from 'commander'
import { registerAgentCommands } from './commands/agents.ts'
import { registerEmulatorCommand } from './commands/emulator.ts'
import { registerHeaderCommand } from './commands/header.ts'
import { registerPartnerCommands } from './commands/partner.ts'
import { registerRedirectURIsCommand } from './commands/redirect-uris.ts'
import { registerDoctorCommand } from './commands/doctor.ts'
import { CommandExit } from './commands/exit-status.ts'
import { registerKeysCommands } from './commands/keys.ts'
import { registerRekeyCommand } from './commands/rekey.ts'
import { registerSandboxCommand } from './commands/sandbox.ts'
import { registerSendAuthRequestCommand } from './commands/send-auth-request.ts'
import { registerServeCommand } from './commands/serve.ts'
import { registerSignInsCommands } from './commands/signins.ts'
import { registerAuditCommand } from './commands/audit.ts'
import { reportError } from './errors.ts'
import { EXIT_OK, EXIT_USAGE } from './io.ts'
import type { CLIIO } from './io.ts'

export const CLI_VERSION = '0.1.0'

/** Builds the command tree; output and exits go through `io` and exceptions. */
export function createProgram(io: CLIIO): Command {
  const program = new Command('bm-oauth')
    .description('OAuth 2.0 sign-in inside Google Business Messages conversations: configure, test and run agents.')
    .version(CLI_VERSION)
    .showHelpAfterError('(run with --help for usage)')
    .configureOutput({
      writeOut: (s) => io.stdout.write(s),
      writeErr: (s) => io.stderr.write(s),
    })
    .exitOverride()
  registerAgentCommands(program, io)
  registerPartnerCommands(program, io)
  registerRedirectURIsCommand(program, io)
  registerHeaderCommand(program, io)
  registerEmulatorCommand(program, io)
  registerSendAuthRequestCommand(program, io)
  registerDoctorCommand(program, io)
  registerSignInsCommands(program, io)
  registerAuditCommand(program, io)
  registerServeCommand(program, io)
  registerRekeyCommand(program, io)
  registerKeysCommands(program, io)
  registerSandboxCommand(program, io)
  for (const cmd of allCommands(program)) {
    cmd.exitOverride().configureOutput({ writeOut: (s) => io.stdout.write(s), writeErr: (s) => io.stderr.write(s) })
  }
  return program
}

function allCommands(cmd: Command): Command[] {
  return cmd.commands.flatMap((c) => [c, ...allCommands(c)])
}

/** Runs `bm-oauth <argv…>` and resolves to the process exit code. */
export async function runCLI(argv: readonly string[], io: CLIIO): Promise<number> {
  const program = createProgram(io)
  // Errors are reported as JSON when the command was given the boolean `--json` flag. Read from the
  // parsed options, not argv: `header --json KEY_FILE` names a file, and the words `--json` or
  // `header` may be an option's value. Commander's own listener has stored the value by the time this
  // one runs, so an error from a later option's parser is reported in the right mode too.
  let jsonErrors = false
  for (const cmd of [program, ...allCommands(program)]) {
    cmd.on('option:json', () => {
      jsonErrors = cmd.getOptionValue('json') === true
    })
  }
  try {
    await program.parseAsync([...argv], { from: 'user' })
    return EXIT_OK
  } catch (err) {
    if (err instanceof CommanderError) {
      // help and version "errors" are normal exits; everything else commander reports is bad usage
      return err.exitCode === 0 ? EXIT_OK : EXIT_USAGE
    }
    if (err instanceof CommandExit) return err.exitCode // the command already printed its outcome
    return reportError(io, err, jsonErrors)
  }
}
