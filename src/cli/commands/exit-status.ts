/**
 * @module cli/commands/exit-status
 * A command that has already printed its own outcome (e.g. `doctor` with failed checks) throws
 * {@link CommandExit} to end with a non-zero exit code and no further error line.
 */

/** Ends the command with `exitCode`; `runCLI` prints nothing more for it. */
export class CommandExit extends Error {
  readonly exitCode: number
  constructor(exitCode: number, reason: string) {
    super(reason)
    this.name = 'CommandExit'
    this.exitCode = exitCode
  }
}
