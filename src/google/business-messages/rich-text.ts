/**
 * @module google/business-messages/rich-text
 * Basic sanity checks of Business Messages rich text (`containsRichText: true`): the limited
 * Markdown of `**bold**`, `*italic*` and `[label](url)`. Google rejects "invalid formatting" without
 * documenting the grammar, so this only catches the certain mistakes: unbalanced markers, an
 * unclosed link, and a link target that is not an absolute http(s) URL.
 *
 * @see docs/contract-decisions.md §2.2 (`containsRichText`), §2.6
 */
import { InvalidArgumentError } from '../../errors.ts'
import { isHttpURL } from '../url.ts'

const LINK = /\[([^\]\n]*)\]\(([^)\s]*)\)/g

/**
 * Throws when `text` is not well-formed rich text.
 * @throws {InvalidArgumentError} e.g. `message.text: rich text has unbalanced * or ** markers`
 */
export function checkRichText(text: string, field: string): void {
  // Escaped markers are literal characters.
  let rest = text.replace(/\\[*[\]()\\]/g, '')
  for (const match of rest.matchAll(LINK)) {
    if (!isHttpURL(match[2])) {
      throw new InvalidArgumentError(field, 'rich-text link target must be an absolute http(s) URL')
    }
  }
  rest = rest.replace(LINK, '$1')
  if (/\]\(/.test(rest)) throw new InvalidArgumentError(field, 'rich text has an unclosed link')
  checkEmphasis(rest, field)
}

/** `*` toggles italic, `**` bold, `***` both; every toggle must be closed by the end. */
function checkEmphasis(text: string, field: string): void {
  let bold = false
  let italic = false
  for (const [run] of text.matchAll(/\*+/g)) {
    if (run.length > 3) throw new InvalidArgumentError(field, 'rich text has a run of more than three *')
    if (run.length >= 2) bold = !bold
    if (run.length !== 2) italic = !italic
  }
  if (bold || italic) throw new InvalidArgumentError(field, 'rich text has unbalanced * or ** markers')
}
