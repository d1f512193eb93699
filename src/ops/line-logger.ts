/**
 * @module ops/line-logger
 * A {@link Logger} for short-lived operator commands: warnings and errors as one readable line
 * each (`bm-oauth: warning: …`), info and debug dropped. Only the message is printed, never the
 * structured fields, so nothing secret a caller put there can reach the terminal.
 */
import type { Logger } from '../core/logger.ts'

/** Where lines go, e.g. a CLI's stderr. */
export interface LineSink {
  write(chunk: string): unknown
}

/** A logger printing warnings and errors to `sink`. */
export function createLineLogger(sink: LineSink): Logger {
  const logger: Logger = {
    debug() {},
    info() {},
    warn(_obj, msg) {
      sink.write(`bm-oauth: warning: ${msg ?? ''}\n`)
    },
    error(_obj, msg) {
      sink.write(`bm-oauth: error: ${msg ?? ''}\n`)
    },
    child: () => logger,
  }
  return logger
}
