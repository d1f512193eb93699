/**
 * @module core/logger
 * The logger seam (pino-compatible subset) and the redaction list every logger must apply.
 * Logs never carry tokens, codes, verifiers, client secrets or keys, not even at debug level.
 */
import pino from 'pino'

export interface Logger {
  debug(obj: object, msg?: string): void
  info(obj: object, msg?: string): void
  warn(obj: object, msg?: string): void
  error(obj: object, msg?: string): void
  child(bindings: object): Logger
}

/** Keys whose values are secret wherever they appear in a logged object. */
export const SECRET_KEYS: readonly string[] = [
  'authorization',
  'Authorization',
  'code',
  'code_verifier',
  'codeVerifier',
  'verifier',
  'access_token',
  'accessToken',
  'refresh_token',
  'refreshToken',
  'id_token',
  'idToken',
  'client_secret',
  'clientSecret',
  'private_key',
  'privateKey',
  'assertion',
  'secret',
  'clientToken',
  'webhookClientToken',
  'key',
  'token',
  'password',
  'x-goog-signature',
]

/** pino `redact` paths: each secret key at the top level and up to two levels deep. */
export function redactPaths(): string[] {
  return SECRET_KEYS.flatMap((k) =>
    [k, `*.${k}`, `*.*.${k}`].map((p) => (/^[A-Za-z_]\w*$/.test(k) ? p : p.replace(k, `["${k}"]`))),
  )
}

export interface CreateLoggerOptions {
  level?: string
  name?: string
  /** Where lines go (default stderr); tests pass a stream to inspect output. */
  destination?: NodeJS.WritableStream
}

/** A pino logger with the secret redaction applied. */
export function createLogger(options: CreateLoggerOptions = {}): Logger {
  const opts: pino.LoggerOptions = {
    level: options.level ?? 'info',
    redact: { paths: redactPaths(), censor: '[REDACTED]' },
  }
  if (options.name !== undefined) opts.name = options.name
  return pino(opts, (options.destination ?? process.stderr) as pino.DestinationStream)
}

/** A logger that drops everything (library default when the caller passes none). */
export const silentLogger: Logger = {
  debug() {},
  info() {},
  warn() {},
  error() {},
  child() {
    return silentLogger
  },
}
