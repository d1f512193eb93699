/**
 * @module web/chat
 * The phone's transcript for one conversation, refreshed incrementally from the emulator's
 * conversation view: new entries are appended (never re-rendered), chips follow `chipsActive`
 * (only the newest message shows them, docs/contract-decisions.md §2.2), user bubbles show Sent →
 * Delivered → Read, the typing indicator follows the agent's TYPING_STARTED/STOPPED events, and the
 * device acknowledges agent messages it has shown with DELIVERED and, while the page is visible,
 * READ receipts.
 */
import { emulator } from './api.js'
import { buildEntry, h, markContinuation, setChipsActive, setUserStatus } from './render.js'

/** Receipt types a user can have already sent for each agent message, from the transcript. */
function acknowledged(transcript) {
  const done = { DELIVERED: new Set(), READ: new Set() }
  for (const e of transcript) {
    if (e.direction !== 'user' || e.kind !== 'receipts') continue
    for (const r of e.content?.receipts?.receipts ?? []) done[r.receiptType]?.add(r.message)
  }
  return done
}

/** Status of a user bubble: Read (agent receipt), Delivered (webhook answered 2xx), else Sent. */
function userStatus(entry, readMessageIds, deliveriesByRequest) {
  if (entry.kind === 'message' && readMessageIds.has(entry.id)) return 'Read'
  const delivery = deliveriesByRequest.get(entry.content?.requestId)
  if (delivery?.status === 'delivered') return 'Delivered'
  if (delivery?.status === 'failed') return 'Not delivered yet (retrying)'
  if (delivery?.status === 'expired') return 'Not delivered'
  return 'Sent'
}

/** True when the newest typing event of the agent, counting its messages, is TYPING_STARTED. */
function agentIsTyping(transcript) {
  for (let i = transcript.length - 1; i >= 0; i--) {
    const e = transcript[i]
    if (e.direction !== 'agent') continue
    if (e.kind === 'message') return false
    if (e.kind === 'event' && e.content?.eventType === 'TYPING_STARTED') return true
    if (e.kind === 'event' && e.content?.eventType === 'TYPING_STOPPED') return false
  }
  return false
}

/**
 * Creates the transcript view of one conversation.
 * @param {{ id: string, container: HTMLElement, typing: HTMLElement,
 *   context: import('./render.js').RenderContext }} options
 */
export function createChatView(options) {
  const { id, container, typing, context } = options
  /** @type {Map<number, HTMLElement>} */
  const rows = new Map()
  const inFlight = { DELIVERED: new Set(), READ: new Set() }
  let lastRow = null
  let welcomeShown = false
  let transcript = []

  const appendRow = (row) => {
    if (row.classList.contains('agent')) markContinuation(row, lastRow)
    container.append(row)
    lastRow = row
  }

  const showWelcome = (welcome) => {
    welcomeShown = true
    if (typeof welcome?.text !== 'string' || welcome.text === '') return
    const row = buildEntry(
      { seq: 0, direction: 'agent', kind: 'message', createTime: '', content: { text: welcome.text } },
      context,
    )
    row.classList.add('welcome')
    appendRow(row)
  }

  const sendReceipts = async (receiptType, names) => {
    if (names.length === 0) return
    for (const n of names) inFlight[receiptType].add(n)
    try {
      await emulator.sendReceipts(id, receiptType, names)
    } finally {
      for (const n of names) inFlight[receiptType].delete(n)
    }
  }

  const acknowledge = async () => {
    const done = acknowledged(transcript)
    const shown = transcript.filter((e) => e.direction === 'agent' && e.kind === 'message' && e.name).map((e) => e.name)
    const pending = (type) => shown.filter((n) => !done[type].has(n) && !inFlight[type].has(n))
    await sendReceipts('DELIVERED', pending('DELIVERED'))
    if (document.visibilityState === 'visible') await sendReceipts('READ', pending('READ'))
  }

  return {
    id,
    /** The transcript as last fetched (oldest first). */
    get transcript() {
      return transcript
    },
    /** Applies a fresh conversation view and the conversation's webhook deliveries. */
    update(view, deliveries) {
      if (!welcomeShown) showWelcome(view.welcomeMessage)
      transcript = view.transcript
      const nearBottom = container.scrollHeight - container.scrollTop - container.clientHeight < 80
      let appended = false
      for (const entry of transcript) {
        if (rows.has(entry.seq)) continue
        const row = buildEntry(entry, context) ?? h('template')
        rows.set(entry.seq, row)
        if (row.tagName !== 'TEMPLATE') {
          appendRow(row)
          appended = true
        }
      }
      const read = new Set(
        transcript
          .filter((e) => e.direction === 'agent' && e.kind === 'receipt')
          .map((e) => e.content?.name?.split('/')[3]),
      )
      const byRequest = new Map(deliveries.map((d) => [d.requestId, d]))
      for (const entry of transcript) {
        const row = rows.get(entry.seq)
        if (entry.chipsActive !== undefined) setChipsActive(row, entry.chipsActive)
        if (entry.direction === 'user' && row.classList.contains('user'))
          setUserStatus(row, userStatus(entry, read, byRequest))
      }
      typing.hidden = !agentIsTyping(transcript)
      if (appended && nearBottom) container.scrollTop = container.scrollHeight
      acknowledge().catch(() => {})
    },
    /** True when a user `authenticationResponse` newer than `seq` is in the transcript. */
    hasResponseAfter(seq) {
      return transcript.some((e) => e.seq > seq && e.direction === 'user' && e.kind === 'authenticationResponse')
    },
    /** Sequence number of the newest entry (0 when empty). */
    newestSeq() {
      return transcript.length === 0 ? 0 : transcript[transcript.length - 1].seq
    },
  }
}
