import { test, describe } from 'node:test'
import assert from 'node:assert/strict'
import { randomBytes } from 'node:crypto'
import { inspect } from 'node:util'
import { ManualClock } from '../core/clock.ts'
import { isBmOAuthError } from '../errors.ts'
import { generateVaultKey, keyringFromEnv, parseVaultKeys, VAULT_KEYS_ENV } from './keyring.ts'

const material = (): string => randomBytes(32).toString('base64url')

/** Asserts `fn` throws ERR_TOKEN_VAULT_KEY whose message matches and that leaks none of `secrets`. */
function assertRefused(fn: () => unknown, message: RegExp, secrets: string[] = []): void {
  assert.throws(fn, (err: unknown) => {
    assert.ok(isBmOAuthError(err, 'ERR_TOKEN_VAULT_KEY'), String(err))
    assert.match(err.message, message)
    const dump = `${err.message} ${JSON.stringify(err)} ${inspect(err)}`
    for (const secret of secrets) assert.ok(!dump.includes(secret), 'error leaks key material')
    return true
  })
}

describe('parseVaultKeys', () => {
  test('first entry is active, all entries decrypt', () => {
    const ring = parseVaultKeys(`k2:${material()}, k1:${material()}`)
    assert.equal(ring.activeKeyId, 'k2')
    assert.deepEqual(ring.keyIds, ['k2', 'k1'])
    assert.ok(ring.has('k1'))
    assert.ok(!ring.has('k3'))
  })

  test('S4 missing or empty configuration is refused and names the variable', () => {
    assertRefused(() => parseVaultKeys(undefined), new RegExp(VAULT_KEYS_ENV))
    assertRefused(() => parseVaultKeys('  '), /no vault key/)
    assertRefused(() => keyringFromEnv({}), /no vault key/)
  })

  test('S4 short, long, non-base64url and all-zero keys are refused without echoing material', () => {
    const short = randomBytes(16).toString('base64url')
    assertRefused(() => parseVaultKeys(`k1:${short}`), /exactly 32 bytes.*got 16 bytes/, [short])
    const long = randomBytes(33).toString('base64url')
    assertRefused(() => parseVaultKeys(`k1:${long}`), /exactly 32 bytes/, [long])
    const std = `${randomBytes(32)
      .toString('base64')
      .replace(/[^+/]$/, '+')}`
    assertRefused(() => parseVaultKeys(`k1:${std}`), /not base64url/, [std])
    const zero = Buffer.alloc(32).toString('base64url')
    assertRefused(() => parseVaultKeys(`k1:${zero}`), /all zero/, [zero])
    const nonCanonical = `${material().slice(0, 42)}B` // last char carries bits beyond 32 bytes
    assertRefused(() => parseVaultKeys(`k1:${nonCanonical}`), /exactly 32 bytes/, [nonCanonical])
  })

  test('S4 malformed entries, bad ids and duplicates are refused with the entry number', () => {
    const a = material()
    assertRefused(() => parseVaultKeys(a), /entry 1 is not of the form/, [a])
    assertRefused(() => parseVaultKeys(`k1:${a},`), /entry 2 is empty/, [a])
    assertRefused(() => parseVaultKeys(`bad id:${a}`), /entry 1: key id must be/, [a])
    assertRefused(() => parseVaultKeys(`k1:${a},k1:${material()}`), /entry 2: duplicate key id "k1"/, [a])
    const repeated = /entry 2 \("k2"\) repeats the key material of "k1"/
    assertRefused(() => parseVaultKeys(`k1:${a},k2:${a}`), repeated, [a])
  })

  test('S5 JSON and inspect of a keyring show key ids only', () => {
    const a = material()
    const b = material()
    const ring = parseVaultKeys(`k2:${a},k1:${b}`)
    for (const dump of [JSON.stringify(ring), inspect(ring, { depth: 10, showHidden: true }), String(ring)]) {
      assert.ok(!dump.includes(a) && !dump.includes(b), dump)
    }
    assert.deepEqual(JSON.parse(JSON.stringify(ring)), { activeKeyId: 'k2', keyIds: ['k2', 'k1'] })
  })
})

describe('generateVaultKey', () => {
  test('produces a dated entry that parses, distinct every time', () => {
    const clock = new ManualClock(Date.parse('2026-03-04T05:06:07Z'))
    const one = generateVaultKey({ clock })
    const two = generateVaultKey({ clock })
    assert.match(one, /^k-20260304-[0-9a-f]{4}:[A-Za-z0-9_-]{43}$/)
    assert.notEqual(one.split(':')[1], two.split(':')[1])
    assert.equal(parseVaultKeys(`${one},${generateVaultKey({ keyId: 'old' })}`).keyIds.length, 2)
  })
})
