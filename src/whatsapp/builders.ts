/**
 * @module whatsapp/builders
 * Outbound message bodies for `POST /{version}/{phone-number-id}/messages`, each checked locally
 * against every limit Meta documents (docs/whatsapp-decisions.md §4) so a bad message fails here,
 * with an {@link InvalidArgumentError} naming the field in Meta's spelling, instead of as a 400
 * from Meta after the turn. Lengths count characters (code points), as Meta's "Maximum N characters".
 */
import { InvalidArgumentError } from '../errors.ts'
import type { OutboundMessage, ReadReceipt, WireInteractive, WireListSection } from './types.ts'

/** Every documented limit, in one place. */
export const WHATSAPP_LIMITS = {
  textBody: 4096,
  buttonBody: 1024,
  listBody: 4096,
  ctaBody: 1024,
  headerText: 60,
  footerText: 60,
  replyButtons: 3,
  replyButtonTitle: 20,
  replyButtonId: 256,
  listButton: 20,
  listSections: 10,
  listRows: 10,
  sectionTitle: 24,
  rowTitle: 24,
  rowId: 200,
  rowDescription: 72,
  ctaDisplayText: 20,
} as const

export interface MessageOptions {
  /** The wamid of the user's message this one answers (shown as a quoted reply). */
  readonly replyTo?: string
}

export interface InteractiveFrame {
  readonly body: string
  /** A text header. */
  readonly header?: string
  readonly footer?: string
}

export interface ReplyButton {
  readonly id: string
  readonly title: string
}

export interface ListRow {
  readonly id: string
  readonly title: string
  readonly description?: string
}

export interface ListSection {
  /** Required when there is more than one section. */
  readonly title?: string
  readonly rows: readonly ListRow[]
}

/** A text message. `previewUrl` asks WhatsApp to render a preview of the first link. */
export function textMessage(
  to: string,
  body: string,
  options: MessageOptions & { previewUrl?: boolean } = {},
): OutboundMessage {
  checkText('text.body', body, WHATSAPP_LIMITS.textBody)
  const text = options.previewUrl === true ? { body, preview_url: true } : { body }
  return { ...envelope(to, options), type: 'text', text }
}

/** Up to three reply buttons under a body; a tap comes back as `interactive.button_reply` with the id. */
export function replyButtonsMessage(
  to: string,
  content: InteractiveFrame & { readonly buttons: readonly ReplyButton[] },
  options: MessageOptions = {},
): OutboundMessage {
  checkText('interactive.body.text', content.body, WHATSAPP_LIMITS.buttonBody)
  checkCount('interactive.action.buttons', content.buttons.length, 1, WHATSAPP_LIMITS.replyButtons)
  const ids = new Set<string>()
  const titles = new Set<string>()
  const buttons = content.buttons.map((button, i) => {
    const at = `interactive.action.buttons[${i}].reply`
    checkId(`${at}.id`, button.id, WHATSAPP_LIMITS.replyButtonId, ids)
    checkText(`${at}.title`, button.title, WHATSAPP_LIMITS.replyButtonTitle)
    if (titles.has(button.title)) throw new InvalidArgumentError(`${at}.title`, 'must be unique within the message')
    titles.add(button.title)
    return { type: 'reply' as const, reply: { id: button.id, title: button.title } }
  })
  return interactive(to, { type: 'button', ...frame(content), action: { buttons } }, options)
}

/**
 * A list: a button that opens up to ten rows (in all sections together) in up to ten sections; a
 * pick comes back as `interactive.list_reply` with the row id. For more than three choices.
 */
export function listMessage(
  to: string,
  content: InteractiveFrame & { readonly button: string; readonly sections: readonly ListSection[] },
  options: MessageOptions = {},
): OutboundMessage {
  checkText('interactive.body.text', content.body, WHATSAPP_LIMITS.listBody)
  checkText('interactive.action.button', content.button, WHATSAPP_LIMITS.listButton)
  checkCount('interactive.action.sections', content.sections.length, 1, WHATSAPP_LIMITS.listSections)
  const total = content.sections.reduce((n, s) => n + s.rows.length, 0)
  checkCount('interactive.action.sections[].rows', total, 1, WHATSAPP_LIMITS.listRows)
  const ids = new Set<string>()
  const sections = content.sections.map((section, s): WireListSection => {
    const at = `interactive.action.sections[${s}]`
    if (section.title !== undefined || content.sections.length > 1) {
      checkText(`${at}.title`, section.title ?? '', WHATSAPP_LIMITS.sectionTitle)
    }
    checkCount(`${at}.rows`, section.rows.length, 1, WHATSAPP_LIMITS.listRows)
    const rows = section.rows.map((row, r) => {
      checkId(`${at}.rows[${r}].id`, row.id, WHATSAPP_LIMITS.rowId, ids)
      checkText(`${at}.rows[${r}].title`, row.title, WHATSAPP_LIMITS.rowTitle)
      if (row.description === undefined) return { id: row.id, title: row.title }
      checkText(`${at}.rows[${r}].description`, row.description, WHATSAPP_LIMITS.rowDescription)
      return { id: row.id, title: row.title, description: row.description }
    })
    return section.title === undefined ? { rows } : { title: section.title, rows }
  })
  return interactive(to, { type: 'list', ...frame(content), action: { button: content.button, sections } }, options)
}

/** A body with one button that opens `url` in the browser: how a sign-in link is sent (docs/whatsapp-decisions.md §4.5). */
export function ctaUrlMessage(
  to: string,
  content: InteractiveFrame & { readonly displayText: string; readonly url: string },
  options: MessageOptions = {},
): OutboundMessage {
  checkText('interactive.body.text', content.body, WHATSAPP_LIMITS.ctaBody)
  checkText('interactive.action.parameters.display_text', content.displayText, WHATSAPP_LIMITS.ctaDisplayText)
  let url: URL
  try {
    url = new URL(content.url)
  } catch {
    throw new InvalidArgumentError('interactive.action.parameters.url', 'must be an absolute URL')
  }
  if (url.protocol !== 'https:' && url.protocol !== 'http:') {
    throw new InvalidArgumentError('interactive.action.parameters.url', 'must be an http(s) URL')
  }
  const parameters = { display_text: content.displayText, url: content.url }
  return interactive(to, { type: 'cta_url', ...frame(content), action: { name: 'cta_url', parameters } }, options)
}

/** Marks a received message read and, with `typing`, shows the typing indicator (≤ 25 s, docs/whatsapp-decisions.md §4.6). */
export function readReceipt(messageId: string, options: { readonly typing?: boolean } = {}): ReadReceipt {
  if (messageId.trim() === '') throw new InvalidArgumentError('message_id', 'must not be empty')
  const receipt: ReadReceipt = { messaging_product: 'whatsapp', status: 'read', message_id: messageId }
  return options.typing === true ? { ...receipt, typing_indicator: { type: 'text' } } : receipt
}

/** A phone number (digits, optionally `+`) or a business-scoped user id (`US.1349…`, `US.ENT.…`). */
const RECIPIENT = /^(?:\+?[1-9]\d{6,14}|[A-Z]{2}\.(?:ENT\.)?[0-9A-Za-z]+)$/

function envelope(
  to: string,
  options: MessageOptions,
): Pick<OutboundMessage, 'messaging_product' | 'recipient_type' | 'to' | 'context'> {
  if (!RECIPIENT.test(to)) throw new InvalidArgumentError('to', 'must be a phone number or a business-scoped user id')
  const base = { messaging_product: 'whatsapp' as const, recipient_type: 'individual' as const, to }
  if (options.replyTo === undefined) return base
  if (options.replyTo.trim() === '') throw new InvalidArgumentError('context.message_id', 'must not be empty')
  return { ...base, context: { message_id: options.replyTo } }
}

function interactive(to: string, body: WireInteractive, options: MessageOptions): OutboundMessage {
  return { ...envelope(to, options), type: 'interactive', interactive: body }
}

function frame(content: InteractiveFrame): Pick<WireInteractive, 'header' | 'body' | 'footer'> {
  const result: Pick<WireInteractive, 'header' | 'body' | 'footer'> = { body: { text: content.body } }
  if (content.header !== undefined) {
    checkText('interactive.header.text', content.header, WHATSAPP_LIMITS.headerText)
    result.header = { type: 'text', text: content.header }
  }
  if (content.footer !== undefined) {
    checkText('interactive.footer.text', content.footer, WHATSAPP_LIMITS.footerText)
    result.footer = { text: content.footer }
  }
  return result
}

function checkText(field: string, value: string, max: number): void {
  if (value.trim() === '') throw new InvalidArgumentError(field, 'must not be empty')
  if ([...value].length > max) throw new InvalidArgumentError(field, `at most ${max} characters`)
}

function checkCount(field: string, count: number, min: number, max: number): void {
  if (count < min || count > max) throw new InvalidArgumentError(field, `between ${min} and ${max} items`)
}

/** Ids come back verbatim in the tap; Meta rejects leading or trailing spaces, and they must be unique. */
function checkId(field: string, id: string, max: number, seen: Set<string>): void {
  checkText(field, id, max)
  if (id !== id.trim()) throw new InvalidArgumentError(field, 'no leading or trailing spaces')
  if (seen.has(id)) throw new InvalidArgumentError(field, 'must be unique within the message')
  seen.add(id)
}
