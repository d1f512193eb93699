/**
 * @module sandbox/private-database
 * Opens one of the sandbox's SQLite databases so that it, its WAL and its SHM are 0600 from the
 * first byte: the provider's store holds its tokens unencrypted (security case S14).
 */
import { ensurePrivateFile, narrowSQLiteCompanions } from '../core/private-file.ts'
import { openSQLiteDatabase } from '../index.ts'
import type { Database } from '../index.ts'

/** {@link openSQLiteDatabase} on a file created 0600 first; WAL and SHM checked after the open. */
export function openPrivateSQLiteDatabase(path: string): Database {
  ensurePrivateFile(path)
  const db = openSQLiteDatabase(path)
  narrowSQLiteCompanions(path)
  return db
}
