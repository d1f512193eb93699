/**
 * @module emulator/state/resource-store
 * Persistence of the Business Communications resources the emulator knows: the partner, its brands
 * and their agents, each stored as the full resource JSON (so every field round-trips,
 * docs/contract-decisions.md §1.5).
 */
import type { DatabaseSync } from 'node:sqlite'

/** A JSON object resource (Agent, Brand, Partner) as stored. */
export type JSONObject = Record<string, unknown>

/** One stored agent plus its paging key. */
export interface StoredAgent {
  seq: number
  name: string
  brandName: string
  agent: JSONObject
}

/** Reads and writes partners, brands and agents. */
export class ResourceStore {
  readonly #db: DatabaseSync
  constructor(db: DatabaseSync) {
    this.#db = db
  }

  getPartner(name: string): JSONObject | undefined {
    const row = this.#db.prepare('SELECT json FROM partners WHERE name = ?').get(name) as { json: string } | undefined
    return row === undefined ? undefined : (JSON.parse(row.json) as JSONObject)
  }

  savePartner(name: string, partner: JSONObject): void {
    this.#db
      .prepare('INSERT INTO partners (name, json) VALUES (?, ?) ON CONFLICT (name) DO UPDATE SET json = excluded.json')
      .run(name, JSON.stringify(partner))
  }

  getBrand(name: string): JSONObject | undefined {
    const row = this.#db.prepare('SELECT json FROM brands WHERE name = ?').get(name) as { json: string } | undefined
    return row === undefined ? undefined : (JSON.parse(row.json) as JSONObject)
  }

  insertBrand(name: string, partnerName: string, brand: JSONObject): void {
    this.#db
      .prepare('INSERT INTO brands (name, partner_name, json) VALUES (?, ?, ?)')
      .run(name, partnerName, JSON.stringify(brand))
  }

  /** The partner a brand belongs to (undefined for an unknown brand). */
  partnerOfBrand(brandName: string): string | undefined {
    const row = this.#db.prepare('SELECT partner_name FROM brands WHERE name = ?').get(brandName) as
      | { partner_name: string }
      | undefined
    return row?.partner_name
  }

  getAgent(name: string): StoredAgent | undefined {
    const row = this.#db.prepare('SELECT seq, name, brand_name, json FROM agents WHERE name = ?').get(name)
    return row === undefined ? undefined : toStoredAgent(row)
  }

  insertAgent(name: string, brandName: string, agent: JSONObject): void {
    this.#db
      .prepare('INSERT INTO agents (name, brand_name, json) VALUES (?, ?, ?)')
      .run(name, brandName, JSON.stringify(agent))
  }

  updateAgent(name: string, agent: JSONObject): void {
    this.#db.prepare('UPDATE agents SET json = ? WHERE name = ?').run(JSON.stringify(agent), name)
  }

  /** Deletes an agent; returns whether it existed. */
  deleteAgent(name: string): boolean {
    return Number(this.#db.prepare('DELETE FROM agents WHERE name = ?').run(name).changes) > 0
  }

  /** Agents of one brand in creation order, after paging key `afterSeq`, at most `limit`. */
  listAgents(brandName: string, afterSeq: number, limit: number): StoredAgent[] {
    return this.#db
      .prepare('SELECT seq, name, brand_name, json FROM agents WHERE brand_name = ? AND seq > ? ORDER BY seq LIMIT ?')
      .all(brandName, afterSeq, limit)
      .map(toStoredAgent)
  }

  countAgents(): number {
    return Number((this.#db.prepare('SELECT count(*) AS n FROM agents').get() as { n: number }).n)
  }
}

function toStoredAgent(row: Record<string, unknown>): StoredAgent {
  return {
    seq: Number(row['seq']),
    name: String(row['name']),
    brandName: String(row['brand_name']),
    agent: JSON.parse(String(row['json'])) as JSONObject,
  }
}
