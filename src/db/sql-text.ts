/**
 * @module db/sql-text
 * Small scanners over SQL text that know where string literals, quoted identifiers and comments
 * are: {@link rewritePlaceholders} (portable `$n` into SQLite's `?n`) and {@link splitStatements}
 * (a migration script into single statements, since `node:sqlite` prepares one at a time).
 */

/**
 * Rewrites the portable `$1, $2, …` placeholders into SQLite's numbered `?1, ?2, …` form. Whole
 * digit runs are read, so `$10` becomes `?10` (never `?1` followed by `0`); `$1` inside `'…'` stays.
 * Returns `sql` with every `$n` placeholder outside literals and comments turned into `?n`.
 * SQLite binds `?n` to the n-th positional value, so the parameter array is passed unchanged.
 */
export function rewritePlaceholders(sql: string): string {
  let out = ''
  let i = 0
  while (i < sql.length) {
    const ch = sql.charAt(i)
    const skipTo = endOfQuotedOrComment(sql, i)
    if (skipTo > i) {
      out += sql.slice(i, skipTo)
      i = skipTo
    } else if (ch === '$' && isDigit(sql[i + 1])) {
      let j = i + 1
      while (isDigit(sql[j])) j++
      out += `?${sql.slice(i + 1, j)}`
      i = j
    } else {
      out += ch
      i++
    }
  }
  return out
}

/** Splits a script on top-level `;` into trimmed, non-empty statements. */
export function splitStatements(script: string): string[] {
  const statements: string[] = []
  let start = 0
  let i = 0
  while (i < script.length) {
    const skipTo = endOfQuotedOrComment(script, i)
    if (skipTo > i) {
      i = skipTo
    } else if (script[i] === ';') {
      statements.push(script.slice(start, i))
      start = ++i
    } else {
      i++
    }
  }
  statements.push(script.slice(start))
  return statements.map((s) => s.trim()).filter((s) => s !== '' && !isOnlyComments(s))
}

function isOnlyComments(sql: string): boolean {
  return /^(?:\s+|--[^\n]*(?:\n|$)|\/\*[\s\S]*?\*\/)*$/.test(sql)
}

function isDigit(ch: string | undefined): boolean {
  return ch !== undefined && ch >= '0' && ch <= '9'
}

/** If a literal, quoted identifier or comment starts at `i`, the index just past it; else `i`. */
function endOfQuotedOrComment(sql: string, i: number): number {
  const ch = sql[i]
  if (ch === "'" || ch === '"' || ch === '`') return endOfQuoted(sql, i, ch)
  if (ch === '[') return endOf(sql, i + 1, ']')
  if (ch === '-' && sql[i + 1] === '-') return endOf(sql, i + 2, '\n')
  if (ch === '/' && sql[i + 1] === '*') return endOf(sql, i + 2, '*/')
  return i
}

/** Quotes are escaped by doubling (`'it''s'`), which this loop handles by re-entering. */
function endOfQuoted(sql: string, i: number, quote: string): number {
  let j = i + 1
  for (;;) {
    const close = sql.indexOf(quote, j)
    if (close === -1) return sql.length
    if (sql[close + 1] === quote) {
      j = close + 2
      continue
    }
    return close + 1
  }
}

function endOf(sql: string, from: number, terminator: string): number {
  const at = sql.indexOf(terminator, from)
  return at === -1 ? sql.length : at + terminator.length
}
