/**
 * @module whatsapp/types
 * Wire types of the WhatsApp Cloud API, Meta's field names unchanged (docs/whatsapp-decisions.md §3, §4).
 * Inbound shapes list only the fields bm-oauth reads; Meta adds fields over time, and the parser
 * ignores what it does not know.
 */

/** The signed POST body: `object` is always `whatsapp_business_account` for the Cloud API. */
export interface WebhookBody {
  object: string
  entry: WebhookEntry[]
}

export interface WebhookEntry {
  /** The WhatsApp Business Account id. */
  id: string
  changes: WebhookChange[]
}

export interface WebhookChange {
  /** `messages` for everything bm-oauth reads; other fields (account_update, …) are ignored. */
  field: string
  value: MessagesValue
}

export interface MessagesValue {
  messaging_product: 'whatsapp'
  metadata: { display_phone_number: string; phone_number_id: string }
  contacts?: WireContact[]
  messages?: WireMessage[]
  statuses?: WireStatus[]
  errors?: WireError[]
}

export interface WireContact {
  profile?: { name?: string; username?: string }
  /** The user's WhatsApp id (a phone number without `+`); absent for a username-only user. */
  wa_id?: string
  /** The business-scoped user id (BSUID), e.g. `US.13491208655302741918`. */
  user_id?: string
}

export interface WireMessage {
  /** The sender's phone number; absent when only a BSUID is shared. */
  from?: string
  /** The sender's BSUID, where Meta sends it on the message itself. */
  from_user_id?: string
  /** `wamid.…`: the message id (the same on every redelivery). */
  id: string
  timestamp: string
  type: string
  context?: { from?: string; id?: string }
  text?: { body: string }
  interactive?: {
    type: string
    button_reply?: { id: string; title: string }
    list_reply?: { id: string; title: string; description?: string }
  }
  /** A template quick-reply button. */
  button?: { payload?: string; text: string }
  reaction?: { message_id: string; emoji?: string }
  system?: WireSystem
  errors?: WireError[]
}

export interface WireSystem {
  body?: string
  type: string
  /** `user_changed_number`: the new WhatsApp id. */
  wa_id?: string
  /** `user_changed_user_id` / `user_changed_number`: the new BSUID. */
  user_id?: string
  previous_user_id?: string
  parent_user_id?: string
  previous_parent_user_id?: string
}

/** An entry of `statuses[]`: the fate of a message the business sent. */
export interface WireStatus {
  id: string
  status: 'sent' | 'delivered' | 'read' | 'failed' | (string & {})
  timestamp: string
  recipient_id?: string
  recipient_user_id?: string
  errors?: WireError[]
}

/** An error object inside a webhook (`statuses[].errors[]`, `messages[].errors[]`, `value.errors[]`). */
export interface WireError {
  code: number
  title?: string
  message?: string
  error_data?: { details?: string }
  href?: string
}

/** Meta's Graph API error envelope, the body of every non-2xx answer. */
export interface GraphErrorEnvelope {
  error: {
    message?: string
    type?: string
    code?: number
    error_subcode?: number
    error_data?: { messaging_product?: string; details?: string }
    fbtrace_id?: string
  }
}

/** A reply button of an interactive `button` message. */
export interface WireReplyButton {
  type: 'reply'
  reply: { id: string; title: string }
}

export interface WireListRow {
  id: string
  title: string
  description?: string
}

export interface WireListSection {
  title?: string
  rows: WireListRow[]
}

/** The `interactive` object of an outbound message. */
export type WireInteractive =
  | {
      type: 'button'
      header?: { type: 'text'; text: string }
      body: { text: string }
      footer?: { text: string }
      action: { buttons: WireReplyButton[] }
    }
  | {
      type: 'list'
      header?: { type: 'text'; text: string }
      body: { text: string }
      footer?: { text: string }
      action: { button: string; sections: WireListSection[] }
    }
  | {
      type: 'cta_url'
      header?: { type: 'text'; text: string }
      body: { text: string }
      footer?: { text: string }
      action: { name: 'cta_url'; parameters: { display_text: string; url: string } }
    }

/** The body of `POST /{version}/{phone-number-id}/messages` that sends a message. */
export type OutboundMessage = {
  messaging_product: 'whatsapp'
  recipient_type: 'individual'
  /** A phone number (digits, optionally with `+`) or a BSUID. */
  to: string
  context?: { message_id: string }
} & (
  | { type: 'text'; text: { body: string; preview_url?: boolean } }
  | { type: 'interactive'; interactive: WireInteractive }
)

/** The body of the same endpoint that marks a message read, optionally with the typing indicator. */
export interface ReadReceipt {
  messaging_product: 'whatsapp'
  status: 'read'
  message_id: string
  typing_indicator?: { type: 'text' }
}

/** Meta's answer to a sent message. */
export interface SendMessageResponse {
  messaging_product: 'whatsapp'
  contacts?: { input: string; wa_id?: string; user_id?: string }[]
  messages: { id: string; message_status?: string }[]
}
