/**
 * @module cli/io
 * What a command may touch: output streams and the environment. Commands take a {@link CLIIO}
 * instead of reading `process` so tests run them in-process.
 */
export interface CLIIO {
  stdout: { write(chunk: string): unknown }
  stderr: { write(chunk: string): unknown }
  env: Record<string, string | undefined>
  /** Resolves when the command should stop (long-running commands only; default: SIGINT/SIGTERM). */
  untilStopped?: () => Promise<void>
}

/** Exit codes: 0 ok, 1 a remote or runtime failure, 2 bad input (usage, names, files, config). */
export const EXIT_OK = 0
export const EXIT_FAILURE = 1
export const EXIT_USAGE = 2

/** Writes a result as JSON (`--json`) or as human-readable lines. */
export function printResult(io: CLIIO, json: boolean, value: unknown, human: () => string): void {
  io.stdout.write(json ? `${JSON.stringify(value, null, 2)}\n` : `${human()}\n`)
}

/** Resolves on the first SIGINT or SIGTERM (the default `untilStopped` of long-running commands). */
export function waitForStopSignal(): Promise<void> {
  return new Promise((done) => {
    const stop = (): void => {
      process.off('SIGINT', stop)
      process.off('SIGTERM', stop)
      done()
    }
    process.on('SIGINT', stop)
    process.on('SIGTERM', stop)
  })
}
