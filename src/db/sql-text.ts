/**
 * @module db/sql-text
 * The one rewrite SQLite needs of the portable SQL the stores write: `$n` placeholders into `?n`.
 * (Multi-statement scripts need no splitting: they run through `Queryable.exec`, which is
 * `DatabaseSync.exec` on SQLite and a simple query on PostgreSQL.)
 */

/**
 * A string literal, a quoted identifier, a comment, or a `$n` placeholder (its digits captured).
 * Literals and comments are matched so that a `$1` inside them is left alone; the quoting is the
 * portable one (`'…'`, `"…"`, quotes escaped by doubling), since the stores' SQL runs on both engines.
 */
const TOKEN = /'(?:[^']|'')*'|"(?:[^"]|"")*"|--[^\n]*|\/\*[\s\S]*?\*\/|\$(\d+)/g

/**
 * Rewrites the portable `$1, $2, …` placeholders into SQLite's numbered `?1, ?2, …` form. SQLite
 * would take `$1` as a *named* parameter, numbered by first appearance, so `… $2 … $1` would bind
 * the wrong values; `?n` binds the n-th positional value, so the parameter array passes unchanged.
 * Whole digit runs are read (`$10` becomes `?10`).
 */
export function rewritePlaceholders(sql: string): string {
  return sql.replace(TOKEN, (match, digits: string | undefined) => (digits === undefined ? match : `?${digits}`))
}
