/**
 * @module flow/messages
 * Default English texts for every {@link MessageKey}, and a pure lookup that lets the agent author
 * override any of them. Texts are short, kind and honest, and never contain anything the provider
 * said: error details go to hooks only. `{name}` placeholders are filled from the action's params.
 */

import type { MessageKey, MessageParams } from './types.ts'

/** The texts the agent says when the author overrides nothing. */
export const defaultMessages: Readonly<Record<MessageKey, string>> = {
  'prompt.sign-in': "Sign in to continue — I'll answer your question right after.",
  'prompt.more-access': "I need a little more access to answer that. Sign in below and I'll answer right after.",
  'prompt.reconnect': "Your account got disconnected. Sign in again and I'll answer your question right after.",
  'prompt.reminder': "I still need you to sign in before I can answer. Tap below whenever you're ready.",
  'prompt.after-cancel': "No problem, sign-in was cancelled. Tap below if you'd like to try again.",
  'prompt.after-expiry': 'That sign-in request timed out. Tap below to sign in again.',
  'prompt.after-stale': 'That sign-in request was out of date. Please use this one instead.',
  'prompt.provider-busy': 'The sign-in service had a problem on its side. Please try again in a moment.',
  'prompt.after-failure': "Sign-in didn't go through. Please tap below to try again.",
  'signed-in': "Thanks, you're signed in.",
  'signed-in.scopes-missing':
    "You're signed in, but without the access I need to answer that. Ask again if you'd like to allow it.",
  'already-signed-in': "You're already signed in.",
  'still-signing-in': "One moment, I'm finishing your sign-in.",
  'no-pending-sign-in': "I wasn't expecting a sign-in just now, so I didn't use it. Just ask me what you need.",
  'signed-out': "You're signed out.",
  'live-agent.too-many-attempts': "Sign-in still isn't working. Would you like to talk to someone from our team?",
  'live-agent.sign-in-unavailable':
    "Sign-in isn't available right now because of a problem on our side. Would you like to talk to someone from our team?",
  'something-went-wrong': 'Something went wrong on our side — please ask again.',
}

/** Author overrides: any subset of keys. */
export type MessageOverrides = Partial<Readonly<Record<MessageKey, string>>>

/** Options of {@link renderMessage}. */
export interface RenderMessageOptions {
  /** Values for `{name}` placeholders (an action's `params`). */
  readonly params?: MessageParams
  /** The agent author's texts, replacing defaults key by key. */
  readonly overrides?: MessageOverrides
}

/**
 * Returns the text for `key`: the author's override if there is one, else the default, with every
 * `{name}` replaced by `params[name]` (unknown placeholders stay as written).
 *
 * @example
 * renderMessage('signed-in', { overrides: { 'signed-in': 'Welcome back, {name}!' }, params: { name: 'Ana' } })
 * // 'Welcome back, Ana!'
 */
export function renderMessage(key: MessageKey, options: RenderMessageOptions = {}): string {
  const params = options.params ?? {}
  const template = options.overrides?.[key] ?? defaultMessages[key]
  return template.replace(/\{([A-Za-z0-9_]+)\}/g, (placeholder: string, name: string): string =>
    Object.hasOwn(params, name) ? String(params[name]) : placeholder,
  )
}
