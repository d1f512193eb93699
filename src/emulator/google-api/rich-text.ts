/**
 * @module emulator/google-api/rich-text
 * The limited Markdown of `containsRichText` messages (docs/contract-decisions.md §2.2, Google's
 * curl snippet `message-rich-text.sh`): `**bold**`, `*italic*` and `[link](url)`; line breaks are
 * plain newlines. Google "returns an error" for invalid formatting; this pure checker says what is
 * wrong: an unclosed or overlapping marker, or a link without text or with a URL that is not
 * absolute http(s).
 */
import { isHttpURL } from './field-checks.ts'

/** Returns undefined when `text` is well-formed rich text, else the rule it breaks. */
export function richTextProblem(text: string): string | undefined {
  const open: string[] = []
  let i = 0
  while (i < text.length) {
    if (text.startsWith('**', i)) {
      const problem = toggle(open, '**')
      if (problem !== undefined) return problem
      i += 2
    } else if (text[i] === '*') {
      const problem = toggle(open, '*')
      if (problem !== undefined) return problem
      i += 1
    } else if (text[i] === '[') {
      const link = readLink(text, i)
      if (typeof link === 'string') return link
      i = link.end
    } else {
      i += 1
    }
  }
  const unclosed = open[open.length - 1]
  return unclosed === undefined ? undefined : `invalid rich text: unclosed ${unclosed}`
}

function toggle(open: string[], marker: string): string | undefined {
  if (open[open.length - 1] === marker) {
    open.pop()
    return undefined
  }
  if (open.includes(marker)) return `invalid rich text: overlapping ${marker} and ${open[open.length - 1]}`
  open.push(marker)
  return undefined
}

function readLink(text: string, start: number): { end: number } | string {
  const close = text.indexOf('](', start)
  const newline = text.indexOf('\n', start)
  if (close === -1 || (newline !== -1 && newline < close)) return { end: start + 1 } // a literal "["
  const label = text.slice(start + 1, close)
  const urlEnd = text.indexOf(')', close + 2)
  if (urlEnd === -1) return 'invalid rich text: link without closing )'
  const url = text.slice(close + 2, urlEnd)
  if (label.trim() === '') return 'invalid rich text: link without text'
  if (!isHttpURL(url)) {
    return 'invalid rich text: link URL must be an absolute http(s) URL'
  }
  return { end: urlEnd + 1 }
}
