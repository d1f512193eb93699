/**
 * @module webhook/test-support/receiver-fixtures
 * Shared helpers for the receiver tests: signing with `createHmac` (independent of the code under
 * test), a real SQLite-backed inbox, and a logger that captures lines for leak checks.
 */
import { createHmac } from 'node:crypto'
import type { Logger } from '../../core/logger.ts'
import type { Database } from '../../db/queryable.ts'
import { openSQLiteDatabase } from '../../db/sqlite.ts'
import { openInboxStore, type InboxStore } from '../inbox-store.ts'

export const KEY = 'partner-key-for-tests'
export const CLIENT_TOKEN = 'SJENCPGJESMGUFPY'
export const NOW = Date.parse('2026-03-01T12:00:00Z')

export const enc = (value: unknown): Uint8Array =>
  new TextEncoder().encode(typeof value === 'string' ? value : JSON.stringify(value))

export const sign = (rawBody: Uint8Array, key: string = KEY, alg = 'sha512'): string =>
  createHmac(alg, key).update(rawBody).digest('base64')

export function eventBody(fields: Record<string, unknown> = {}): Uint8Array {
  return enc({
    agent: 'brands/1/agents/2',
    conversationId: 'conv-1',
    requestId: 'r-1',
    message: { messageId: 'm-1', text: 'hello' },
    sendTime: new Date(NOW - 1000).toISOString(),
    ...fields,
  })
}

export interface CapturingLogger extends Logger {
  lines: Array<{ level: string; obj: object; msg: string | undefined }>
  text(): string
}

export function capturingLogger(): CapturingLogger {
  const lines: CapturingLogger['lines'] = []
  const make = (bindings: object): CapturingLogger => {
    const log = (level: string) => (obj: object, msg?: string) =>
      lines.push({ level, obj: { ...bindings, ...obj }, msg })
    return {
      lines,
      debug: log('debug'),
      info: log('info'),
      warn: log('warn'),
      error: log('error'),
      child: (more: object) => make({ ...bindings, ...more }),
      text: () => JSON.stringify(lines),
    }
  }
  return make({})
}

export async function openTestInbox(): Promise<{
  db: Database
  inbox: InboxStore
  count(table?: string): Promise<number>
}> {
  const db = openSQLiteDatabase(':memory:')
  const inbox = await openInboxStore(db)
  const count = async (table = 'webhook_inbox'): Promise<number> =>
    Number((await db.query(`SELECT COUNT(*) AS c FROM ${table}`)).rows[0]!['c'])
  return { db, inbox, count }
}
