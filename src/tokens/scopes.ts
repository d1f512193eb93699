/**
 * @module tokens/scopes
 * Scope strings as OAuth carries them (RFC 6749 §3.3: space-delimited) and as the stores keep them.
 */

/** The scopes of a space-delimited scope string, in order; empty entries (extra spaces) dropped. */
export function splitScopes(scope: string): string[] {
  return scope.split(' ').filter((s) => s !== '')
}
