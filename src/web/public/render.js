/**
 * @module web/render
 * Turns transcript entries of the emulator's conversation view into DOM, the way Business Messages
 * shows them on a phone (docs/contract-decisions.md §2.2–2.5): agent bubbles (text, rich text,
 * image, standalone and carousel rich cards) with the representative's name and avatar, user
 * bubbles with their receipt status, suggestion chips, and small notes for non-bubble events. All
 * text goes in through `textContent`; URLs are used only when they are absolute http(s).
 */
import { isHttpURL, renderRichText } from './markdown.js'

/**
 * @typedef {{ seq: number, direction: 'agent' | 'user', kind: string, name?: string, id?: string,
 *   createTime: string, content: any, chipsActive?: boolean }} TranscriptEntry
 * @typedef {{ agentName: string, agentLogo: string | undefined,
 *   onChip: (entry: TranscriptEntry, index: number, suggestion: any) => void,
 *   onCardAction: (suggestion: any) => void }} RenderContext
 */

/**
 * Creates an element with attributes and children (strings become text nodes).
 * @param {string} tag
 * @param {Record<string, string | boolean>} [attrs]
 * @param {(Node | string | null | undefined)[]} [children]
 */
export function h(tag, attrs = {}, children = []) {
  const el = document.createElement(tag)
  for (const [key, value] of Object.entries(attrs)) {
    if (value === false) continue
    if (key === 'class') el.className = String(value)
    else el.setAttribute(key, value === true ? '' : String(value))
  }
  for (const child of children) if (child !== null && child !== undefined) el.append(child)
  return el
}

/** Label of a suggestion chip as Business Messages shows it. */
export function chipLabel(suggestion) {
  if (suggestion.reply) return String(suggestion.reply.text ?? '')
  if (suggestion.action) return String(suggestion.action.text ?? '')
  if (suggestion.liveAgentRequest) return 'Live agent'
  if (suggestion.authenticationRequest) return 'Sign in'
  return '?'
}

function chipKind(suggestion) {
  if (suggestion.authenticationRequest) return 'signin'
  if (suggestion.liveAgentRequest) return 'live-agent'
  if (suggestion.action?.openUrlAction) return 'open-url'
  if (suggestion.action?.dialAction) return 'dial'
  return 'reply'
}

/** Builds the element of one transcript entry, or null for entries the phone does not show. */
export function buildEntry(entry, ctx) {
  if (entry.kind === 'message') {
    return entry.direction === 'agent' ? agentMessage(entry, ctx) : userBubble(entry, entry.content?.message?.text)
  }
  if (entry.kind === 'suggestionResponse') return userBubble(entry, entry.content?.suggestionResponse?.text)
  const note = noteText(entry, ctx)
  return note === undefined ? null : h('p', { class: 'note', 'data-seq': String(entry.seq) }, [note])
}

/** Text of the small centred note for a non-bubble entry, if the phone shows one. */
function noteText(entry, ctx) {
  const c = entry.content ?? {}
  if (entry.kind === 'authenticationResponse') {
    const error = c.authenticationResponse?.errorDetails?.error
    return c.authenticationResponse?.code !== undefined && error === undefined
      ? 'Signed in'
      : `Sign-in not completed (${error ?? 'unknown error'})`
  }
  if (entry.kind === 'userStatus' && c.userStatus?.requestedLiveAgent) return 'You asked for a live agent'
  if (entry.kind === 'event' && c.eventType === 'REPRESENTATIVE_JOINED') {
    return `${c.representative?.displayName ?? ctx.agentName} joined the conversation`
  }
  if (entry.kind === 'event' && c.eventType === 'REPRESENTATIVE_LEFT') {
    return `${c.representative?.displayName ?? ctx.agentName} left the conversation`
  }
  if (entry.kind === 'survey') return 'The agent sent a survey'
  return undefined
}

function userBubble(entry, text) {
  return h('div', { class: 'row user', 'data-seq': String(entry.seq) }, [
    h('div', { class: 'stack' }, [
      h('div', { class: 'bubble' }, [String(text ?? '')]),
      h('span', { class: 'status', 'aria-live': 'polite' }, ['Sent']),
    ]),
  ])
}

function agentMessage(entry, ctx) {
  const m = entry.content ?? {}
  const rep = m.representative ?? {}
  const name = rep.displayName ?? ctx.agentName
  const stack = h('div', { class: 'stack' }, [h('span', { class: 'rep-name' }, [name]), messageBody(m, ctx)])
  const suggestions = Array.isArray(m.suggestions) ? m.suggestions : []
  if (suggestions.length > 0) stack.append(chipsRow(entry, suggestions, ctx))
  const row = h('div', { class: `row agent ${rep.representativeType === 'HUMAN' ? 'human' : 'bot'}` }, [
    avatar(rep.avatarImage ?? ctx.agentLogo, name),
    stack,
  ])
  row.dataset.seq = String(entry.seq)
  row.dataset.rep = `${rep.representativeType ?? ''}|${name}`
  return row
}

function messageBody(m, ctx) {
  if (typeof m.text === 'string') {
    return h('div', { class: 'bubble' }, [m.containsRichText ? renderRichText(m.text) : m.text])
  }
  if (m.image?.contentInfo) return h('div', { class: 'bubble media-bubble' }, [image(m.image.contentInfo, 'image')])
  if (m.richCard?.standaloneCard) return card(m.richCard.standaloneCard.cardContent ?? {}, 'standalone', ctx)
  if (m.richCard?.carouselCard) {
    const carousel = m.richCard.carouselCard
    const width = carousel.cardWidth === 'SMALL' ? 'small' : 'medium'
    const cards = (carousel.cardContents ?? []).map((c) => card(c, width, ctx))
    return h('div', { class: 'carousel', role: 'list', 'aria-label': 'Carousel' }, cards)
  }
  return h('div', { class: 'bubble' }, [String(m.fallback ?? 'Unsupported message')])
}

function card(content, width, ctx) {
  const media = content.media?.contentInfo
  const height = String(content.media?.height ?? 'MEDIUM').toLowerCase()
  const actions = (content.suggestions ?? []).map((s) => {
    const button = h('button', { type: 'button', class: `card-action ${chipKind(s)}` }, [chipLabel(s)])
    button.addEventListener('click', () => ctx.onCardAction(s))
    return button
  })
  return h('article', { class: `card ${width}`, role: width === 'standalone' ? false : 'listitem' }, [
    media ? h('div', { class: `card-media ${height}` }, [image(media, 'card-image')]) : null,
    h('div', { class: 'card-body' }, [
      content.title ? h('h3', { class: 'card-title' }, [content.title]) : null,
      content.description ? h('p', { class: 'card-description' }, [content.description]) : null,
    ]),
    actions.length > 0 ? h('div', { class: 'card-actions' }, actions) : null,
  ])
}

/** An image from `ContentInfo`; a failed load shows the alt text instead of a broken icon. */
function image(info, className) {
  const alt = String(info.altText ?? '')
  const src = isHttpURL(String(info.fileUrl ?? '')) ? info.fileUrl : ''
  const img = h('img', { class: className, src, alt, loading: 'lazy', referrerpolicy: 'no-referrer' })
  img.addEventListener('error', () =>
    img.replaceWith(h('div', { class: `${className} img-fallback` }, [alt || 'Image'])),
  )
  return img
}

function avatar(url, name) {
  const initials = String(name)
    .split(/\s+/)
    .filter(Boolean)
    .slice(0, 2)
    .map((w) => w[0])
    .join('')
    .toUpperCase()
  const fallback = h('span', { class: 'avatar initials', 'aria-hidden': 'true' }, [initials || '?'])
  if (typeof url !== 'string' || !isHttpURL(url)) return fallback
  const img = h('img', { class: 'avatar', src: url, alt: '', referrerpolicy: 'no-referrer' })
  img.addEventListener('error', () => img.replaceWith(fallback))
  return img
}

function chipsRow(entry, suggestions, ctx) {
  const chips = suggestions.map((s, index) => {
    const kind = chipKind(s)
    const button = h('button', { type: 'button', class: `chip ${kind}`, 'data-chip': kind }, [chipLabel(s)])
    button.addEventListener('click', () => ctx.onChip(entry, index, s))
    return button
  })
  return h(
    'div',
    { class: 'chips', role: 'group', 'aria-label': 'Suggestions', hidden: entry.chipsActive !== true },
    chips,
  )
}

/** Shows or hides the chips of a rendered agent message. */
export function setChipsActive(row, active) {
  const chips = row.querySelector('.chips')
  if (chips !== null) chips.hidden = !active
}

/** Sets the status line under a rendered user bubble. */
export function setUserStatus(row, status) {
  const line = row.querySelector('.status')
  if (line !== null && line.textContent !== status) {
    line.textContent = status
    line.dataset.status = status.toLowerCase()
  }
}

/** Hides the name and avatar of an agent message that continues the previous one's run. */
export function markContinuation(row, previous) {
  const same = previous?.classList.contains('agent') && previous.dataset.rep === row.dataset.rep
  row.classList.toggle('continued', same === true)
}
