import assert from 'node:assert/strict'
import { test } from 'node:test'
import { rewritePlaceholders } from './sql-text.ts'

test('rewrites $n to ?n, keeping two-digit numbers whole', () => {
  assert.equal(rewritePlaceholders('SELECT $1, $2, $10, $11'), 'SELECT ?1, ?2, ?10, ?11')
})

test('leaves literals, quoted identifiers and comments alone', () => {
  const sql = `SELECT '$1', 'it''s $2', "$3", "a""$4" -- $6\n, /* $7 */ $8`
  assert.equal(rewritePlaceholders(sql), `SELECT '$1', 'it''s $2', "$3", "a""$4" -- $6\n, /* $7 */ ?8`)
})

test('a lone $ or $name is not a placeholder', () => {
  assert.equal(rewritePlaceholders('SELECT $ , $a, $1'), 'SELECT $ , $a, ?1')
})
