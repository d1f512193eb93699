/**
 * @module demo/provider/memory-adapter
 * A per-provider in-memory storage adapter for oidc-provider (its `Adapter` contract:
 * upsert/find/findByUid/findByUserCode/consume/destroy/revokeByGrantId). Unlike the library's
 * default it is not a shared, size-bounded LRU: an evicted consumed code would turn code-reuse
 * detection (security case E3) into a plain "not found". Entries expire by their own TTL: they are
 * dropped when read after expiry, and every 256 writes a sweep drops the
 * expired ones nobody read again (and grant sets left empty), so a long-running sandbox stays small.
 * Development only: state is lost on restart and not shared between processes.
 */
import type { Adapter, AdapterPayload } from 'oidc-provider'

interface Entry {
  payload: AdapterPayload
  expiresAt: number
}

/** Upserts between two sweeps of expired entries (a sweep walks the whole store). */
const SWEEP_EVERY_WRITES = 256

/** Time source in milliseconds (default `Date.now`, the same clock oidc-provider itself reads). */
export type NowMs = () => number

/** Returns an oidc-provider adapter factory whose models share one private store. */
export function createMemoryAdapterFactory(now: NowMs = Date.now): (model: string) => Adapter {
  const entries = new Map<string, Entry>()
  const grants = new Map<string, Set<string>>()

  function read(key: string): AdapterPayload | undefined {
    const entry = entries.get(key)
    if (entry === undefined) return undefined
    if (entry.expiresAt <= now()) {
      entries.delete(key)
      return undefined
    }
    return entry.payload
  }

  let writes = 0
  function sweepExpired(): void {
    const at = now()
    for (const [key, entry] of entries) if (entry.expiresAt <= at) entries.delete(key)
    for (const [grantId, members] of grants) {
      for (const key of members) if (!entries.has(key)) members.delete(key)
      if (members.size === 0) grants.delete(grantId)
    }
  }

  return (model: string): Adapter => {
    const keyFor = (id: string): string => `${model}:${id}`
    const adapter: Adapter = {
      async upsert(id, payload, expiresIn) {
        if (++writes % SWEEP_EVERY_WRITES === 0) sweepExpired()
        const key = keyFor(id)
        const expiresAt = expiresIn !== undefined && expiresIn > 0 ? now() + expiresIn * 1000 : Number.POSITIVE_INFINITY
        entries.set(key, { payload: { ...payload }, expiresAt })
        if (payload.grantId !== undefined) {
          const members = grants.get(payload.grantId) ?? new Set<string>()
          members.add(key)
          grants.set(payload.grantId, members)
        }
        if (payload.uid !== undefined)
          entries.set(`${model}:uid:${payload.uid}`, { payload: { id } as AdapterPayload, expiresAt })
        if (payload.userCode !== undefined) {
          entries.set(`${model}:userCode:${payload.userCode}`, { payload: { id } as AdapterPayload, expiresAt })
        }
      },
      async find(id) {
        const payload = read(keyFor(id))
        return payload === undefined ? undefined : { ...payload }
      },
      async findByUid(uid) {
        const ref = read(`${model}:uid:${uid}`) as { id?: string } | undefined
        const payload = ref?.id === undefined ? undefined : read(keyFor(ref.id))
        return payload === undefined ? undefined : { ...payload }
      },
      async findByUserCode(userCode) {
        const ref = read(`${model}:userCode:${userCode}`) as { id?: string } | undefined
        const payload = ref?.id === undefined ? undefined : read(keyFor(ref.id))
        return payload === undefined ? undefined : { ...payload }
      },
      async consume(id) {
        const payload = read(keyFor(id))
        if (payload !== undefined) payload.consumed = Math.floor(now() / 1000)
      },
      async destroy(id) {
        entries.delete(keyFor(id))
      },
      async revokeByGrantId(grantId) {
        for (const key of grants.get(grantId) ?? []) entries.delete(key)
        grants.delete(grantId)
      },
    }
    return adapter
  }
}
