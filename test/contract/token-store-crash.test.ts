/**
 * S7 / docs/contract-decisions.md §10 "crash semantics" on the embedded store: a process killed
 * with SIGKILL right after a refresh commits leaves the NEW refresh token behind, and a code whose
 * exchange marker was committed is never exchanged again after the restart.
 */
import assert from 'node:assert/strict'
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { test } from 'node:test'
import { openSQLiteDatabase } from '../../src/db/sqlite.ts'
import { createExchangeMarkers, hashAuthorizationCode } from '../../src/signin-store/exchange-markers.ts'
import { generateVaultKey, parseVaultKeys, VAULT_KEYS_ENV } from '../../src/tokens/keyring.ts'
import { createVault } from '../../src/tokens/seal.ts'
import { createSQLTokenStore } from '../../src/tokens/sql-token-store.ts'
import { runChildUntil } from '../support/crash-child.ts'

test('S7 X3 SIGKILL after a refresh and a marker commit: the restart sees both', async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'bm-crash-'))
  t.after(() => rmSync(dir, { recursive: true, force: true }))
  const path = join(dir, 'store.sqlite')
  const keys = generateVaultKey({ keyId: 'k1' })
  const codeHash = hashAuthorizationCode('code-sent-before-the-crash')
  const child = await runChildUntil(t, {
    script: join(import.meta.dirname, 'token-store-crash-child.ts'),
    args: [path, codeHash],
    marker: 'committed',
    env: { ...process.env, [VAULT_KEYS_ENV]: keys },
  })
  assert.match(child.output, /committed/, 'the child exited before committing')
  assert.equal(await child.kill(), 'SIGKILL')

  const db = openSQLiteDatabase(path)
  const store = createSQLTokenStore(db, createVault(parseVaultKeys(keys)))
  try {
    const record = await store.get({ agent: 'agents/crash', conversation: 'conv-crash', provider: 'bank' })
    assert.deepEqual([record?.tokens?.accessToken, record?.tokens?.refreshToken], ['AT-2', 'RT-2'])
    assert.equal(await createExchangeMarkers(db).claim(codeHash, Date.now()), false)
  } finally {
    await db.close()
  }
})
