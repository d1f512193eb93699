/**
 * @module web/app
 * Entry point of the chat page: the conversation list and "new conversation" form, the poll that
 * keeps the phone and the inspector current (every {@link POLL_MS} ms), the message box (with
 * debounced typing on/off), and the taps on suggestion chips, including the Sign in chip.
 * Everything goes through the emulator's control API on this origin (`api.js`).
 */
import { ApiError, emulator } from './api.js'
import { createChatView } from './chat.js'
import { createInspector } from './inspector.js'
import { isHttpURL } from './markdown.js'
import { h } from './render.js'
import { finishSignIn, startSignIn } from './signin.js'

const POLL_MS = 700
/** The user counts as having stopped typing after this long without a keystroke. */
const TYPING_IDLE_MS = 2500
/** How long a notice above the message box stays. */
const STATUS_MS = 8000

const $ = (id) => /** @type {HTMLElement} */ (document.getElementById(id))
const els = {
  transcript: $('transcript'),
  typing: $('typing'),
  composer: /** @type {HTMLFormElement} */ ($('composer')),
  input: /** @type {HTMLInputElement} */ ($('composer-input')),
  send: /** @type {HTMLButtonElement} */ ($('send')),
  list: $('conversation-list'),
  meta: $('conversation-meta'),
  connection: $('connection'),
  signinStatus: $('signin-status'),
}

const state = {
  agent: { name: 'Agent', logo: undefined },
  /** @type {ReturnType<typeof createChatView> | undefined} */
  chat: undefined,
  /** @type {import('./signin.js').SignInAttempt | undefined} */
  signIn: undefined,
  signingIn: false,
  conversations: [],
}

const agentStateUrl = new URLSearchParams(window.location.search).get('agentState') ?? undefined
// The sandbox hands the page its per-start agent-state token in the URL fragment, which no request
// carries (security case E5); it is kept there across conversation switches so a reload still works.
const agentStateToken = new URLSearchParams(window.location.hash.slice(1)).get('agentStateToken') ?? undefined
const inspector = createInspector({ agentStateUrl, agentStateToken })

// ---- conversations -------------------------------------------------------------------------

async function loadConversations() {
  const { conversations } = await emulator.listConversations()
  state.conversations = conversations
  renderConversationList()
  return conversations
}

function renderConversationList() {
  const items = [...state.conversations].reverse().map((c) => {
    const when = new Date(c.createdAt).toLocaleString()
    const button = h('button', { type: 'button', 'aria-current': c.id === state.chat?.id ? 'true' : false }, [
      h('strong', {}, [c.displayName]),
      h('span', {}, [`${c.entryPoint} · ${c.locale}`]),
      h('time', { datetime: new Date(c.createdAt).toISOString() }, [when]),
    ])
    button.addEventListener('click', () => selectConversation(c.id))
    return h('li', {}, [button])
  })
  els.list.replaceChildren(...items)
}

function selectConversation(id) {
  const conversation = state.conversations.find((c) => c.id === id)
  if (conversation === undefined) return
  stopTyping()
  state.signIn = undefined
  state.signingIn = false
  setSignInStatus(undefined)
  els.transcript.replaceChildren()
  els.typing.hidden = true
  state.chat = createChatView({
    id,
    container: els.transcript,
    typing: els.typing,
    context: { agentName: state.agent.name, agentLogo: state.agent.logo, onChip, onCardAction },
  })
  els.meta.textContent = `${conversation.displayName} · ${conversation.entryPoint} · ${conversation.locale}`
  els.input.disabled = false
  els.send.disabled = false
  const fragment = new URLSearchParams({ conversation: id })
  if (agentStateToken !== undefined) fragment.set('agentStateToken', agentStateToken)
  history.replaceState(null, '', `${window.location.search}#${fragment}`)
  inspector.setConversation()
  renderConversationList()
  void refresh()
}

$('new-conversation').addEventListener('submit', async (event) => {
  event.preventDefault()
  const data = new FormData(/** @type {HTMLFormElement} */ (event.currentTarget))
  try {
    const opened = await emulator.openConversation({
      entryPoint: String(data.get('entryPoint')),
      displayName: String(data.get('displayName')).trim() || 'Emulated User',
      locale: String(data.get('locale')).trim() || 'en',
    })
    await loadConversations()
    selectConversation(opened.conversationId)
    els.input.focus()
  } catch (err) {
    showConnection(`Could not start a conversation: ${err.message}`, true)
  }
})

// ---- polling -------------------------------------------------------------------------------

let polling = false

async function refresh() {
  const chat = state.chat
  if (chat === undefined || polling) return
  polling = true
  try {
    const [view, { deliveries }] = await Promise.all([
      emulator.getConversation(chat.id),
      emulator.listDeliveries(chat.id),
    ])
    if (chat !== state.chat) return
    chat.update(view, deliveries)
    inspector.showDeliveries(deliveries)
    inspector.showMessages(view.transcript)
    if (state.signIn !== undefined && chat.hasResponseAfter(state.signIn.startedAfterSeq)) {
      finishSignIn(state.signIn)
      state.signIn = undefined
      state.signingIn = false
      setSignInStatus(undefined)
    }
    showConnection(`Connected to ${window.location.host}`, false)
  } catch (err) {
    showConnection(`Emulator unreachable (${err.message}); retrying…`, true)
  } finally {
    polling = false
  }
}

function showConnection(text, problem) {
  els.connection.textContent = text
  els.connection.classList.toggle('problem', problem)
}

function schedulePoll() {
  window.setTimeout(async () => {
    await refresh()
    schedulePoll()
  }, POLL_MS)
}

// ---- composing -----------------------------------------------------------------------------

let typingTimer
let typingSent = false

function stopTyping() {
  window.clearTimeout(typingTimer)
  if (!typingSent || state.chat === undefined) return
  typingSent = false
  emulator.setTyping(state.chat.id, false).catch(() => {})
}

els.input.addEventListener('input', () => {
  if (state.chat === undefined) return
  if (els.input.value === '') return stopTyping()
  if (!typingSent) {
    typingSent = true
    emulator.setTyping(state.chat.id, true).catch(() => {})
  }
  window.clearTimeout(typingTimer)
  typingTimer = window.setTimeout(stopTyping, TYPING_IDLE_MS)
})
els.input.addEventListener('blur', stopTyping)

els.composer.addEventListener('submit', async (event) => {
  event.preventDefault()
  const text = els.input.value.trim()
  if (state.chat === undefined || text === '') return
  stopTyping()
  els.input.value = ''
  try {
    await emulator.sendText(state.chat.id, text)
  } catch (err) {
    els.input.value = text
    setSignInStatus(`Not sent: ${err.message}`)
  }
  await refresh()
})

// ---- chips ---------------------------------------------------------------------------------

async function onChip(entry, index, suggestion) {
  const chat = state.chat
  if (chat === undefined) return
  if (suggestion.authenticationRequest) return void signIn(chat)
  if (suggestion.action?.openUrlAction?.url) openExternal(suggestion.action.openUrlAction.url)
  if (suggestion.action?.dialAction) setSignInStatus(`Calling ${suggestion.action.dialAction.phoneNumber} (simulated)`)
  try {
    await emulator.tapSuggestion(chat.id, index, entry.name)
  } catch (err) {
    setSignInStatus(
      err instanceof ApiError && err.status === 409
        ? 'Those chips are no longer active.'
        : `Tap failed: ${err.message}`,
    )
  }
  await refresh()
}

/** Buttons inside rich cards: the emulator's control API cannot tap them, so only their URL opens. */
function onCardAction(suggestion) {
  if (suggestion.action?.openUrlAction?.url) return openExternal(suggestion.action.openUrlAction.url)
  if (suggestion.action?.dialAction)
    return setSignInStatus(`Calling ${suggestion.action.dialAction.phoneNumber} (simulated)`)
  setSignInStatus('The emulator cannot send taps on rich-card buttons; use the chips below the message.')
}

function openExternal(url) {
  if (isHttpURL(url)) window.open(url, '_blank', 'noopener,noreferrer')
}

function signIn(chat) {
  if (state.signingIn) return
  state.signingIn = true
  const pending = startSignIn({
    conversationId: chat.id,
    newestSeq: chat.newestSeq(),
    onStatus: setSignInStatus,
    hasResponseAfter: async (seq) => {
      await refresh()
      return state.chat === chat && chat.hasResponseAfter(seq)
    },
    onFinished: () => {
      if (state.chat !== chat) return
      state.signingIn = false
      state.signIn = undefined
    },
  })
  void pending.then((attempt) => {
    if (state.chat === chat && attempt !== undefined && state.signingIn) state.signIn = attempt
  })
}

let statusTimer

/** Shows a short notice above the message box (hidden again after a while, unless it has a link). */
function setSignInStatus(text, link) {
  window.clearTimeout(statusTimer)
  els.signinStatus.hidden = text === undefined
  els.signinStatus.replaceChildren()
  if (text === undefined) return
  els.signinStatus.append(text)
  if (link !== undefined) {
    const a = h('a', { href: link, target: '_blank', rel: 'noopener' }, ['Sign in'])
    els.signinStatus.append(' ', a)
  } else if (!state.signingIn) {
    statusTimer = window.setTimeout(() => setSignInStatus(undefined), STATUS_MS)
  }
}

// ---- start ---------------------------------------------------------------------------------

async function start() {
  try {
    const agent = await emulator.getAgent()
    state.agent = { name: agent.displayName ?? 'Agent', logo: agent.businessMessagesAgent?.logoUrl }
    showAgent()
    const conversations = await loadConversations()
    const wanted = new URLSearchParams(window.location.hash.slice(1)).get('conversation')
    const initial = conversations.find((c) => c.id === wanted) ?? conversations[conversations.length - 1]
    if (initial !== undefined) selectConversation(initial.id)
    showConnection(`Connected to ${window.location.host}`, false)
  } catch (err) {
    showConnection(`Emulator unreachable: ${err.message}`, true)
  }
  schedulePoll()
  window.setInterval(() => void loadConversations().catch(() => {}), 5000)
}

function showAgent() {
  $('agent-name').textContent = state.agent.name
  const initials = state.agent.name
    .split(/\s+/)
    .slice(0, 2)
    .map((w) => w[0] ?? '')
    .join('')
    .toUpperCase()
  $('agent-logo-fallback').textContent = initials || 'B'
  const logo = /** @type {HTMLImageElement} */ ($('agent-logo'))
  if (typeof state.agent.logo !== 'string' || !isHttpURL(state.agent.logo)) return
  logo.addEventListener('load', () => {
    logo.hidden = false
    $('agent-logo-fallback').hidden = true
  })
  logo.src = state.agent.logo
}

void start()
