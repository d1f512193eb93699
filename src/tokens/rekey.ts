/**
 * @module tokens/rekey
 * Online re-encryption after a key rotation (S3), shared by every table that holds a `sealed` value
 * and its `key_id`. Rows are walked in primary-key order in small batches (keyset pagination, so a
 * row that cannot be opened is skipped rather than revisited). Each row is rewritten with a
 * compare-and-set on its old sealed bytes: a concurrent writer (which always seals under the active
 * key) wins, and readers keep working throughout because the keyring still holds the old key.
 */
import { setTimeout as sleep } from 'node:timers/promises'
import { isBmOAuthError } from '../errors.ts'
import type { MigrationVault } from '../db/migrate.ts'
import type { Database, Queryable, Row, SQLValue } from '../db/queryable.ts'
import type { SealContext, Vault } from './seal.ts'
import type { RekeyOptions, RekeyResult } from './token-store.ts'

/** Where the sealed values live. Table and column names are trusted constants, never user input. */
export interface SealedTable {
  readonly table: string
  /** Primary-key columns, in index order. */
  readonly keyColumns: readonly string[]
  /** Further columns `contextOf` reads, beyond the key columns. */
  readonly contextColumns?: readonly string[]
  /** The seal context of a row (given its key and context columns). */
  contextOf(row: Row): SealContext
}

interface SealedRow extends Row {
  sealed: Uint8Array
}

/** Re-seals every row of `spec.table` whose `key_id` is not the vault's active key. */
export async function rekeySealedRows(
  db: Database,
  vault: Vault,
  spec: SealedTable,
  options: RekeyOptions = {},
): Promise<RekeyResult> {
  const batchSize = Math.max(1, Math.trunc(options.batchSize ?? 100))
  let rekeyed = 0
  let failed = 0
  let cursor: SQLValue[] | undefined
  for (;;) {
    const batch = await readBatch(db, vault.activeKeyId, spec, cursor, batchSize)
    for (const row of batch) {
      const outcome = await resealRow(db, vault, spec, row)
      if (outcome === 'rekeyed') rekeyed++
      if (outcome === 'failed') failed++
    }
    const last = batch.at(-1)
    if (last === undefined || batch.length < batchSize) break
    cursor = spec.keyColumns.map((c) => last[c] as SQLValue)
    if ((options.pauseMs ?? 0) > 0) await sleep(options.pauseMs)
  }
  const { rows } = await db.query<{ n: number | string }>(
    `SELECT COUNT(*) AS n FROM ${spec.table} WHERE key_id IS NOT NULL AND key_id <> $1`,
    [vault.activeKeyId],
  )
  return { rekeyed, failed, remaining: Number(rows[0]?.n ?? 0) }
}

async function readBatch(
  db: Database,
  activeKeyId: string,
  spec: SealedTable,
  cursor: SQLValue[] | undefined,
  batchSize: number,
): Promise<SealedRow[]> {
  const keys = spec.keyColumns.join(', ')
  const selected = [...new Set([...spec.keyColumns, ...(spec.contextColumns ?? [])])].join(', ')
  const params: SQLValue[] = [activeKeyId, batchSize]
  let after = ''
  if (cursor !== undefined) {
    // Row-value comparison works on both engines (SQLite ≥ 3.15, PostgreSQL).
    after = ` AND (${keys}) > (${cursor.map((_, i) => `$${i + 3}`).join(', ')})`
    params.push(...cursor)
  }
  const { rows } = await db.query<SealedRow>(
    `SELECT ${selected}, sealed FROM ${spec.table}
      WHERE key_id IS NOT NULL AND key_id <> $1${after}
      ORDER BY ${keys} LIMIT $2`,
    params,
  )
  return rows
}

async function resealRow(
  db: Database,
  vault: Vault,
  spec: SealedTable,
  row: SealedRow,
): Promise<'rekeyed' | 'failed' | 'raced'> {
  const context = spec.contextOf(row)
  let plaintext: Uint8Array
  try {
    plaintext = vault.open(row.sealed, context)
  } catch (err) {
    if (isBmOAuthError(err, 'ERR_TOKEN_VAULT_DECRYPT')) return 'failed'
    throw err
  }
  const resealed = vault.seal(plaintext, context)
  plaintext.fill(0)
  const n = spec.keyColumns.length
  const where = spec.keyColumns.map((c, i) => `${c} = $${i + 3}`).join(' AND ')
  const { rowCount } = await db.query(
    `UPDATE ${spec.table} SET sealed = $1, key_id = $2 WHERE ${where} AND sealed = $${n + 3}`,
    [resealed, vault.activeKeyId, ...spec.keyColumns.map((c) => row[c] as SQLValue), row.sealed],
  )
  return rowCount === 1 ? 'rekeyed' : 'raced'
}

/** A sealed table whose seal context gained a field: the context its rows were sealed under before. */
export interface ResealedTable extends SealedTable {
  legacyContextOf(row: Row): SealContext
}

/**
 * A data migration's rewrite: re-seals every row from its legacy context to its current one, in the
 * migration's transaction. A row that does not open under the legacy context (a removed key, damage)
 * is left as it is: it was unreadable before and reads as damaged after.
 */
export async function resealRows(tx: Queryable, vault: MigrationVault, spec: ResealedTable): Promise<void> {
  const selected = [...new Set([...spec.keyColumns, ...(spec.contextColumns ?? [])])].join(', ')
  const { rows } = await tx.query<SealedRow>(`SELECT ${selected}, sealed FROM ${spec.table} WHERE sealed IS NOT NULL`)
  const where = spec.keyColumns.map((c, i) => `${c} = $${i + 3}`).join(' AND ')
  for (const row of rows) {
    let plaintext: Uint8Array
    try {
      plaintext = vault.open(row.sealed, spec.legacyContextOf(row))
    } catch (err) {
      if (isBmOAuthError(err, 'ERR_TOKEN_VAULT_DECRYPT')) continue
      throw err
    }
    const resealed = vault.seal(plaintext, spec.contextOf(row))
    plaintext.fill(0)
    await tx.query(`UPDATE ${spec.table} SET sealed = $1, key_id = $2 WHERE ${where}`, [
      resealed,
      vault.activeKeyId,
      ...spec.keyColumns.map((c) => row[c] as SQLValue),
    ])
  }
}

/** Whether `table` holds any row (a data migration has something to rewrite). */
export async function hasRows(tx: Queryable, table: string): Promise<boolean> {
  const { rows } = await tx.query(`SELECT 1 AS one FROM ${table} LIMIT 1`)
  return rows.length > 0
}

/** The named columns of a row as a seal context (text values). */
export function pick(row: Row, ...columns: string[]): SealContext {
  return Object.fromEntries(columns.map((c) => [c, String(row[c])]))
}
