/**
 * @module core/private-file
 * Data files readable by their owner only (mode 0600), made before anything else opens them: an
 * SQLite database is created with the process umask (often 0644) unless the file already exists,
 * and SQLite gives its `-wal` and `-shm` files the main file's mode, so creating the main file
 * 0600 first covers all three (security case S14).
 */
import { chmodSync, closeSync, mkdirSync, openSync, statSync } from 'node:fs'
import { dirname } from 'node:path'

/** The mode of every private data file. */
export const PRIVATE_FILE_MODE = 0o600

/** The files SQLite keeps beside a database in WAL mode. */
export const SQLITE_COMPANION_SUFFIXES = ['-wal', '-shm'] as const

/**
 * Creates `path` empty with mode 0600 when it does not exist (its directory 0700), and narrows an
 * existing file to 0600 (one left by an older version). The content is never touched.
 */
export function ensurePrivateFile(path: string): void {
  mkdirSync(dirname(path), { recursive: true, mode: 0o700 })
  closeSync(openSync(path, 'a', PRIVATE_FILE_MODE))
  narrowToPrivate(path)
}

/**
 * After SQLite has opened `path`: narrows its `-wal` and `-shm` files to 0600 where they exist
 * and are wider (SQLite copies the main file's mode, so this only acts on files an older version
 * left behind). Returns the companions it had to narrow.
 */
export function narrowSQLiteCompanions(path: string): string[] {
  const narrowed: string[] = []
  for (const suffix of SQLITE_COMPANION_SUFFIXES) {
    if (narrowToPrivate(`${path}${suffix}`)) narrowed.push(`${path}${suffix}`)
  }
  return narrowed
}

/** chmod 0600 when the file exists with any other mode; true when it changed something. */
function narrowToPrivate(path: string): boolean {
  let mode: number
  try {
    mode = statSync(path).mode & 0o777
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return false
    throw err
  }
  if (mode === PRIVATE_FILE_MODE) return false
  chmodSync(path, PRIVATE_FILE_MODE)
  return true
}
