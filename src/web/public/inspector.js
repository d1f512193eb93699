/**
 * @module web/inspector
 * The panel beside the phone: the webhook deliveries of the open conversation (status, attempts,
 * requestId, the body pretty-printed), the emulator's message log, the webhook fault switches and
 * the clock fast-forward buttons, plus an optional "agent sign-in state" view fed by a same-origin
 * URL given as `?agentState=` (sent with the bearer token from the fragment's `agentStateToken`). Any `code` value (an authorization code) is hidden before display.
 */
import { emulator } from './api.js'
import { h } from './render.js'

/** Replaces the value of every `code` key with a placeholder, at any depth. */
export function redactCodes(value) {
  if (Array.isArray(value)) return value.map(redactCodes)
  if (value === null || typeof value !== 'object') return value
  return Object.fromEntries(
    Object.entries(value).map(([k, v]) => [k, k === 'code' && typeof v === 'string' ? '«hidden»' : redactCodes(v)]),
  )
}

function prettyBody(body) {
  try {
    return JSON.stringify(redactCodes(typeof body === 'string' ? JSON.parse(body) : body), null, 2)
  } catch {
    return '(body is not JSON)'
  }
}

/** The one payload key of a UserMessage (message, receipts, authenticationResponse, …). */
function payloadKind(body) {
  const keys = ['message', 'suggestionResponse', 'authenticationResponse', 'receipts', 'userStatus', 'surveyResponse']
  return keys.find((k) => body !== null && typeof body === 'object' && k in body) ?? 'payload'
}

/**
 * Wires the inspector panel. It fetches nothing of the open conversation itself: the page's poll
 * hands it the deliveries and the transcript ({@link showDeliveries}, {@link showMessages}).
 * @param {{ agentStateUrl: string | undefined, agentStateToken: string | undefined }} options
 */
export function createInspector(options) {
  const deliveries = /** @type {HTMLUListElement} */ (document.getElementById('deliveries'))
  const messages = /** @type {HTMLUListElement} */ (document.getElementById('messages'))
  /** @type {Map<number, HTMLElement>} */
  const deliveryRows = new Map()
  /** @type {Set<number>} */
  const loggedSeqs = new Set()
  setUpFaults()
  setUpClock()
  if (options.agentStateUrl !== undefined) watchAgentState(options.agentStateUrl, options.agentStateToken)

  return {
    /** Switches to another conversation (clears both lists). */
    setConversation() {
      deliveries.replaceChildren()
      messages.replaceChildren()
      deliveryRows.clear()
      loggedSeqs.clear()
      document.getElementById('deliveries-count').textContent = '0'
      document.getElementById('messages-count').textContent = '0'
    },
    /**
     * Shows the conversation's log (the transcript fetched by the page's poll): entries not shown yet
     * are appended, and the count stays current while the section is collapsed.
     */
    showMessages(transcript) {
      for (const entry of transcript) {
        if (loggedSeqs.has(entry.seq)) continue
        loggedSeqs.add(entry.seq)
        const title = `${entry.seq} · ${entry.direction} · ${entry.kind}${entry.name ? ` · ${entry.name}` : ''}`
        messages.append(
          h('li', {}, [
            h('details', {}, [h('summary', {}, [title]), h('pre', { class: 'json' }, [prettyBody(entry.content)])]),
          ]),
        )
      }
      document.getElementById('messages-count').textContent = String(loggedSeqs.size)
    },
    /** Shows the deliveries fetched by the page's poll (keyed by id, updated in place). */
    showDeliveries(list) {
      for (const d of [...list].sort((a, b) => a.id - b.id)) {
        let row = deliveryRows.get(d.id)
        if (row === undefined) {
          row = deliveryRow(d)
          deliveryRows.set(d.id, row)
          deliveries.prepend(row)
        }
        updateDeliveryRow(row, d)
      }
      document.getElementById('deliveries-count').textContent = String(deliveryRows.size)
    },
  }
}

function deliveryRow(d) {
  let body
  try {
    body = JSON.parse(d.body)
  } catch {
    body = undefined
  }
  return h('li', { class: 'delivery' }, [
    h('details', {}, [
      h('summary', {}, [
        h('span', { class: 'badge' }, ['']),
        ` #${d.id} ${payloadKind(body)} `,
        h('span', { class: 'attempts' }, ['']),
      ]),
      h('p', { class: 'meta' }, [`requestId ${d.requestId ?? '—'}`]),
      h('p', { class: 'meta last-error' }, ['']),
      h('pre', { class: 'json' }, [prettyBody(d.body)]),
    ]),
  ])
}

function updateDeliveryRow(row, d) {
  const badge = row.querySelector('.badge')
  badge.textContent = d.status
  badge.dataset.status = d.status
  row.querySelector('.attempts').textContent = `${d.attempts} attempt${d.attempts === 1 ? '' : 's'}`
  const last = d.lastStatus !== undefined ? `last answer HTTP ${d.lastStatus}` : ''
  row.querySelector('.last-error').textContent = [last, d.lastError ?? ''].filter(Boolean).join(' · ')
}

function setUpFaults() {
  const form = /** @type {HTMLFormElement} */ (document.getElementById('faults'))
  const status = document.getElementById('faults-status')
  const show = (faults) => {
    for (const [key, value] of Object.entries(faults.webhook ?? {})) {
      const field = form.elements.namedItem(key)
      if (field instanceof HTMLInputElement && field.type === 'checkbox') field.checked = value === true
      else if (field instanceof HTMLInputElement || field instanceof HTMLSelectElement) field.value = String(value)
    }
  }
  const apply = async (webhook) => {
    try {
      show(await emulator.patchFaults({ webhook }))
      status.textContent = 'Applied to new deliveries.'
    } catch (err) {
      status.textContent = `Not applied: ${err.message}`
    }
  }
  form.addEventListener('submit', (event) => {
    event.preventDefault()
    const data = new FormData(form)
    void apply({
      duplicate: Number(data.get('duplicate')),
      delayMs: Number(data.get('delayMs')),
      sendTimeSkewMs: Number(data.get('sendTimeSkewMs')),
      signature: String(data.get('signature')),
      bodyFormat: String(data.get('bodyFormat')),
      reorder: data.get('reorder') !== null,
    })
  })
  document.getElementById('faults-reset').addEventListener('click', () => {
    void apply({
      duplicate: 0,
      delayMs: 0,
      sendTimeSkewMs: 0,
      signature: 'valid',
      bodyFormat: 'compact',
      reorder: false,
    })
  })
  emulator.getFaults().then(show, () => {})
}

function setUpClock() {
  const now = document.getElementById('clock-now')
  const offset = document.getElementById('clock-offset')
  const show = (clock) => {
    now.textContent = clock.now
    now.setAttribute('datetime', clock.now)
    const minutes = Math.round(clock.offsetMs / 60000)
    offset.textContent = minutes === 0 ? '(real time)' : `(+${minutes} min ahead of real time)`
  }
  for (const button of document.querySelectorAll('[data-advance]')) {
    button.addEventListener('click', () => {
      emulator.advanceClock(Number(button.getAttribute('data-advance'))).then(show, () => {})
    })
  }
  const refresh = () => emulator.getClock().then(show, () => {})
  void refresh()
  window.setInterval(refresh, 5000)
}

/** Polls the agent's sign-in state (same origin only: the page's CSP allows nothing else). */
function watchAgentState(url, token) {
  const target = document.getElementById('agent-state')
  document.getElementById('agent-state-section').open = true
  const resolved = new URL(url, window.location.href)
  if (resolved.origin !== window.location.origin) {
    target.textContent = `agentState must be on this origin (${window.location.origin}).`
    return
  }
  const refresh = async () => {
    try {
      const headers = {
        accept: 'application/json',
        ...(token === undefined ? {} : { authorization: `Bearer ${token}` }),
      }
      const res = await fetch(resolved, { cache: 'no-store', headers })
      target.textContent = res.ok ? prettyBody(await res.text()) : `HTTP ${res.status}`
    } catch (err) {
      target.textContent = `Unavailable: ${err.message}`
    }
  }
  void refresh()
  window.setInterval(refresh, 2000)
}
