/**
 * @module sandbox/provider-store
 * A persistent storage adapter for the demo OIDC provider (oidc-provider's `Adapter` contract:
 * upsert/find/findByUid/findByUserCode/consume/destroy/revokeByGrantId) on the sandbox's SQLite
 * file, so grants, refresh tokens and login sessions survive a sandbox restart. Consumption is a
 * column of its own and is kept on lookups, so a used authorization code stays used (single use,
 * reuse detection). Entries expire by their own TTL. Payloads hold tokens: the file is in the
 * sandbox's 0700 data directory and is for local development only.
 */
import type { Adapter, AdapterFactory, AdapterPayload } from 'oidc-provider'
import { storeMigrator } from '../stores/index.ts'
import { systemClock } from '../core/clock.ts'
import type { Clock, Database } from '../index.ts'
import type { Row } from '../stores/index.ts'

const TABLE = 'sandbox_provider_entries'

const migrateProviderStore = storeMigrator('sandbox_provider', [
  `CREATE TABLE sandbox_provider_entries (
     model TEXT NOT NULL,
     id TEXT NOT NULL,
     payload TEXT NOT NULL,
     grant_id TEXT,
     uid TEXT,
     user_code TEXT,
     consumed BIGINT,
     expires_at BIGINT,
     PRIMARY KEY (model, id)
   )`,
  `CREATE INDEX sandbox_provider_entries_grant ON sandbox_provider_entries (grant_id)`,
  `CREATE INDEX sandbox_provider_entries_uid ON sandbox_provider_entries (model, uid)`,
])

interface EntryRow extends Row {
  payload: string
  consumed: number | string | null
}

/** Creates the table if needed and drops expired entries; returns the adapter factory. */
export async function openProviderStore(db: Database, clock: Clock = systemClock): Promise<AdapterFactory> {
  await migrateProviderStore(db)
  await db.query(`DELETE FROM ${TABLE} WHERE expires_at IS NOT NULL AND expires_at <= $1`, [clock.now()])
  return (model) => createAdapter(db, model, clock)
}

function createAdapter(db: Database, model: string, clock: Clock): Adapter {
  const live = `(expires_at IS NULL OR expires_at > $2)`
  const findBy = async (column: 'id' | 'uid' | 'user_code', value: string): Promise<AdapterPayload | undefined> => {
    const { rows } = await db.query<EntryRow>(
      `SELECT payload, consumed FROM ${TABLE} WHERE model = $1 AND ${column} = $3 AND ${live}`,
      [model, clock.now(), value],
    )
    const row = rows[0]
    if (row === undefined) return undefined
    const payload = JSON.parse(row.payload) as AdapterPayload
    return row.consumed === null ? payload : { ...payload, consumed: Number(row.consumed) }
  }
  return {
    async upsert(id, payload, expiresIn) {
      const expiresAt = expiresIn !== undefined && expiresIn > 0 ? clock.now() + expiresIn * 1000 : null
      await db.query(
        `INSERT INTO ${TABLE} (model, id, payload, grant_id, uid, user_code, consumed, expires_at)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8)
         ON CONFLICT (model, id) DO UPDATE SET payload = excluded.payload, grant_id = excluded.grant_id,
           uid = excluded.uid, user_code = excluded.user_code, consumed = excluded.consumed,
           expires_at = excluded.expires_at`,
        [
          model,
          id,
          JSON.stringify(payload),
          payload.grantId ?? null,
          payload.uid ?? null,
          payload.userCode ?? null,
          typeof payload.consumed === 'number' ? payload.consumed : null,
          expiresAt,
        ],
      )
    },
    find: (id) => findBy('id', id),
    findByUid: (uid) => findBy('uid', uid),
    findByUserCode: (userCode) => findBy('user_code', userCode),
    async consume(id) {
      await db.query(`UPDATE ${TABLE} SET consumed = $3 WHERE model = $1 AND id = $2`, [
        model,
        id,
        Math.floor(clock.now() / 1000),
      ])
    },
    async destroy(id) {
      await db.query(`DELETE FROM ${TABLE} WHERE model = $1 AND id = $2`, [model, id])
    },
    async revokeByGrantId(grantId) {
      await db.query(`DELETE FROM ${TABLE} WHERE grant_id = $1`, [grantId])
    },
  }
}
