/**
 * @module web/markdown
 * The limited Markdown of `containsRichText` messages (docs/contract-decisions.md §2.2):
 * `**bold**`, `*italic*` and `[link](url)`, newlines kept. Text is never parsed as HTML: the parser
 * yields a small tree and the renderer builds DOM nodes with `textContent`, so `<script>` in a
 * message is just text. Links are made only for absolute http(s) URLs and open in a new tab without
 * an opener or referrer. A marker that is never closed is shown literally, as the text it was.
 */

/**
 * @typedef {{ type: 'text', text: string }
 *   | { type: 'bold' | 'italic', children: RichNode[] }
 *   | { type: 'link', text: string, href: string }} RichNode
 */

/**
 * Parses rich text into nodes.
 * @param {string} text
 * @returns {RichNode[]}
 */
export function parseRichText(text) {
  /** @type {{ marker: string, children: RichNode[] }[]} */
  const stack = [{ marker: '', children: [] }]
  const top = () => stack[stack.length - 1]
  let buffer = ''
  const flush = () => {
    if (buffer !== '') top().children.push({ type: 'text', text: buffer })
    buffer = ''
  }
  let i = 0
  while (i < text.length) {
    const marker = text.startsWith('**', i) ? '**' : text[i] === '*' ? '*' : ''
    if (marker !== '') {
      flush()
      if (top().marker === marker) {
        const done = stack.pop()
        top().children.push({ type: marker === '**' ? 'bold' : 'italic', children: done.children })
      } else {
        stack.push({ marker, children: [] })
      }
      i += marker.length
      continue
    }
    const link = text[i] === '[' ? readLink(text, i) : undefined
    if (link !== undefined) {
      flush()
      top().children.push(link.node)
      i = link.end
      continue
    }
    buffer += text[i]
    i += 1
  }
  flush()
  while (stack.length > 1) {
    const open = stack.pop()
    top().children.push({ type: 'text', text: open.marker }, ...open.children)
  }
  return mergeText(stack[0].children)
}

/** Joins neighbouring text nodes (left apart when an unclosed marker turned back into text). */
function mergeText(nodes) {
  /** @type {RichNode[]} */
  const merged = []
  for (const node of nodes) {
    const last = merged[merged.length - 1]
    if (node.type === 'text' && last?.type === 'text') last.text += node.text
    else merged.push(node.type === 'text' ? { ...node } : node)
  }
  return merged
}

/** `[text](url)` starting at `start`, or undefined when it is not a well-formed link. */
function readLink(text, start) {
  const close = text.indexOf('](', start)
  if (close < 0) return undefined
  const end = text.indexOf(')', close + 2)
  if (end < 0) return undefined
  const label = text.slice(start + 1, close)
  const href = text.slice(close + 2, end)
  if (label === '' || label.includes('[') || label.includes('\n') || !isHttpURL(href)) return undefined
  return { node: { type: 'link', text: label, href }, end: end + 1 }
}

/** @param {string} value */
export function isHttpURL(value) {
  try {
    const url = new URL(value)
    return url.protocol === 'https:' || url.protocol === 'http:'
  } catch {
    return false
  }
}

/**
 * Renders rich text as DOM nodes (never through innerHTML).
 * @param {string} text
 * @param {Document} [doc]
 * @returns {DocumentFragment}
 */
export function renderRichText(text, doc = document) {
  const fragment = doc.createDocumentFragment()
  appendNodes(fragment, parseRichText(text), doc)
  return fragment
}

function appendNodes(parent, nodes, doc) {
  for (const node of nodes) {
    if (node.type === 'text') {
      parent.append(doc.createTextNode(node.text))
    } else if (node.type === 'link') {
      const a = doc.createElement('a')
      a.href = node.href
      a.textContent = node.text
      a.target = '_blank'
      a.rel = 'noopener noreferrer'
      parent.append(a)
    } else {
      const el = doc.createElement(node.type === 'bold' ? 'strong' : 'em')
      appendNodes(el, node.children, doc)
      parent.append(el)
    }
  }
}
