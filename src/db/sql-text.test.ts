import assert from 'node:assert/strict'
import { test } from 'node:test'
import { rewritePlaceholders, splitStatements } from './sql-text.ts'

test('rewrites $n to ?n, keeping two-digit numbers whole', () => {
  assert.equal(rewritePlaceholders('SELECT $1, $2, $10, $11'), 'SELECT ?1, ?2, ?10, ?11')
})

test('leaves literals, quoted identifiers and comments alone', () => {
  const sql = `SELECT '$1', 'it''s $2', "$3", \`$4\`, [$5] -- $6\n, /* $7 */ $8`
  assert.equal(rewritePlaceholders(sql), `SELECT '$1', 'it''s $2', "$3", \`$4\`, [$5] -- $6\n, /* $7 */ ?8`)
})

test('a lone $ or $name is not a placeholder', () => {
  assert.equal(rewritePlaceholders('SELECT $ , $a, $1'), 'SELECT $ , $a, ?1')
})

test('splitStatements splits on top-level semicolons only', () => {
  const script = `CREATE TABLE a (x TEXT DEFAULT ';');\n-- a comment; with a semicolon\nCREATE INDEX i ON a (x); /* ; */ ;\n`
  assert.deepEqual(splitStatements(script), [
    "CREATE TABLE a (x TEXT DEFAULT ';')",
    '-- a comment; with a semicolon\nCREATE INDEX i ON a (x)',
  ])
})
