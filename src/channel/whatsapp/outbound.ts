/**
 * @module channel/whatsapp/outbound
 * Pure mapping of a neutral {@link OutgoingMessage} to a Cloud API message body
 * (docs/whatsapp-decisions.md §4): a text; reply buttons for up to three suggestions whose labels
 * fit a button; otherwise a list (the demo bank offers four); a `cta_url` button for a link; the
 * sign-in prompt as a `cta_url` button to the agent's own start page (there is no native sign-in
 * message on WhatsApp); a live-agent offer as one reply button with a reserved postback.
 */
import { InvalidArgumentError } from '../../errors.ts'
import {
  WHATSAPP_LIMITS,
  ctaUrlMessage,
  listMessage,
  replyButtonsMessage,
  textMessage,
} from '../../whatsapp/builders.ts'
import type { OutboundMessage } from '../../whatsapp/types.ts'
import type { OutgoingMessage, SuggestedReply } from '../types.ts'
import { LIVE_AGENT_POSTBACK } from './inbound.ts'

/** Labels of the buttons this channel adds itself. */
export interface WhatsAppLabels {
  /** The button of a sign-in prompt (default `Sign in`). */
  readonly signIn: string
  /** The button that opens a list (default `Choose`). */
  readonly list: string
  /** The live-agent button (default `Talk to a person`). */
  readonly liveAgent: string
}

export const DEFAULT_WHATSAPP_LABELS: WhatsAppLabels = Object.freeze({
  signIn: 'Sign in',
  list: 'Choose',
  liveAgent: 'Talk to a person',
})

export interface ToWhatsAppOptions {
  /** The recipient: the conversation's user key (BSUID or wa_id). */
  readonly to: string
  /** The inbound wamid being answered, if the answer should quote it. */
  readonly replyTo?: string
  /** The start page of this sign-in (`/signin/{handle}`); required for a sign-in prompt. */
  readonly signInUrl?: string
  readonly labels?: Partial<WhatsAppLabels>
}

/**
 * The Cloud API body for `message`.
 * @throws {InvalidArgumentError} when a sign-in prompt has no `signInUrl`, or a Meta limit is broken.
 */
export function toWhatsAppMessage(message: OutgoingMessage, options: ToWhatsAppOptions): OutboundMessage {
  const labels = { ...DEFAULT_WHATSAPP_LABELS, ...options.labels }
  const extra = options.replyTo === undefined ? {} : { replyTo: options.replyTo }
  switch (message.type) {
    case 'text':
      if (message.link !== undefined) {
        return ctaUrlMessage(
          options.to,
          { body: message.text, displayText: message.link.text, url: message.link.url },
          extra,
        )
      }
      if (message.suggestions === undefined || message.suggestions.length === 0) {
        return textMessage(options.to, message.text, extra)
      }
      return choices(options.to, message.text, message.suggestions, labels.list, extra)
    case 'sign-in-prompt':
      if (options.signInUrl === undefined) {
        throw new InvalidArgumentError('signInUrl', 'a sign-in prompt on WhatsApp needs the start page URL')
      }
      return ctaUrlMessage(
        options.to,
        { body: message.text, displayText: labels.signIn, url: options.signInUrl },
        extra,
      )
    case 'live-agent-offer':
      return replyButtonsMessage(
        options.to,
        { body: message.text, buttons: [{ id: LIVE_AGENT_POSTBACK, title: labels.liveAgent }] },
        extra,
      )
  }
}

/** Reply buttons when the choices fit them (≤ 3, labels ≤ 20), else a list of rows. */
function choices(
  to: string,
  body: string,
  suggestions: readonly SuggestedReply[],
  listLabel: string,
  extra: { replyTo?: string },
): OutboundMessage {
  const fitButtons =
    suggestions.length <= WHATSAPP_LIMITS.replyButtons &&
    suggestions.every((s) => [...s.text].length <= WHATSAPP_LIMITS.replyButtonTitle)
  if (fitButtons) {
    return replyButtonsMessage(
      to,
      { body, buttons: suggestions.map((s) => ({ id: s.postbackData, title: s.text })) },
      extra,
    )
  }
  const rows = suggestions.map((s) => ({ id: s.postbackData, title: s.text }))
  return listMessage(to, { body, button: listLabel, sections: [{ rows }] }, extra)
}
