import { test } from 'node:test'
import assert from 'node:assert/strict'
import type { Logger } from '../core/logger.ts'
import { isBmOAuthError } from '../errors.ts'
import { generateVaultKey, parseVaultKeys } from '../tokens/keyring.ts'
import { createVault } from '../tokens/seal.ts'
import { WEBHOOK_INBOX_PURPOSE } from '../webhook/inbox-store.ts'
import { type DecryptFailure, reportDecryptFailures } from './decrypt-failures.ts'

type Line = { level: 'warn' | 'error'; fields: Record<string, unknown>; msg: string | undefined }

/** A logger that keeps what it is given (the fields, before any serialisation). */
function recordingLogger(lines: Line[]): Logger {
  const logger: Logger = {
    debug() {},
    info() {},
    warn: (fields, msg) => void lines.push({ level: 'warn', fields: { ...fields }, msg }),
    error: (fields, msg) => void lines.push({ level: 'error', fields: { ...fields }, msg }),
    child: () => logger,
  }
  return logger
}

const SECRET = 'refresh-token-that-must-never-be-logged'
const vault = createVault(parseVaultKeys(generateVaultKey({ keyId: 'k-one' })))
const PURPOSES = [
  ['token-set', 'bm_token_sets'],
  ['pending-signin', 'bm_pending_signins'],
  ['flow-state', 'bm_flow_states'],
  ['pending-revocation', 'bm_pending_revocations'],
  [WEBHOOK_INBOX_PURPOSE, 'webhook_inbox'],
] as const

test("S12 a flipped bit in any store's sealed value → one error log and one report naming table, key id, reason", () => {
  for (const [purpose, table] of PURPOSES) {
    const lines: Line[] = []
    const failures: DecryptFailure[] = []
    const watched = reportDecryptFailures(vault, recordingLogger(lines), (f) => void failures.push(f))
    const context = { purpose, conversation: 'c1' }
    const sealed = watched.seal(SECRET, context)
    assert.equal(watched.openText(sealed, context), SECRET, 'an intact value opens, unreported')
    assert.deepEqual([lines, failures], [[], []])
    sealed[sealed.length - 17] = (sealed[sealed.length - 17] as number) ^ 0x01
    assert.throws(
      () => watched.openText(sealed, context),
      (err: unknown) => isBmOAuthError(err, 'ERR_TOKEN_VAULT_DECRYPT'),
    )
    const expected = { table, keyId: 'k-one', reason: 'authentication-failed' }
    assert.deepEqual(failures, [expected], purpose)
    assert.deepEqual(
      lines.map((l) => [l.level, l.fields]),
      [['error', { ...expected, errCode: 'ERR_TOKEN_VAULT_DECRYPT' }]],
    )
    assert.ok(!JSON.stringify(lines).includes(SECRET))
  }
})

test('S12 a value under a key that is not configured → reported as unknown-key; a throwing listener is logged, not fatal', () => {
  const other = createVault(parseVaultKeys(generateVaultKey({ keyId: 'k-removed' })))
  const sealed = other.seal(SECRET, { purpose: 'token-set' })
  const lines: Line[] = []
  const watched = reportDecryptFailures(vault, recordingLogger(lines), () => {
    throw new TypeError('metrics broke')
  })
  assert.throws(
    () => watched.open(sealed, { purpose: 'token-set' }),
    (err: unknown) => isBmOAuthError(err, 'ERR_TOKEN_VAULT_DECRYPT') && err.reason === 'unknown-key',
  )
  assert.deepEqual(
    lines.map((l) => [l.level, l.fields['table'] ?? l.fields['errName'], l.fields['keyId'] ?? null]),
    [
      ['error', 'bm_token_sets', 'k-removed'],
      ['warn', 'TypeError', null],
    ],
  )
})
