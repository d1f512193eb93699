/**
 * @module flow/types
 * The channel-neutral vocabulary of one conversation's sign-in: its {@link SignInState}, the
 * {@link SignInEvent}s a runner feeds in and the {@link SignInAction}s it gets back.
 *
 * State is plain JSON (it is persisted per conversation) and never holds a token, an authorization
 * code or a PKCE verifier: a prompt is known only by its `promptId`; the verifier behind it lives
 * in the pending sign-in store, the code stays in the runner's hands for one exchange.
 * Nothing here knows Business Messages: a channel adapter maps its webhook events to these events
 * and these actions to its messages, so another channel can plug in.
 */

/** A question the user asked that needs a signed-in user; answered once sign-in succeeds. */
export type ParkedQuestion = string

/** No sign-in in progress and no usable grant (tokens may still linger: sign-out always cleans). */
export interface SignedOutState {
  readonly kind: 'signed-out'
}

/** A sign-in prompt (chip) is out; its verifier waits in the pending store until `expiresAt`. */
export interface AwaitingSignInState {
  readonly kind: 'awaiting-sign-in'
  readonly promptId: string
  readonly scopes: readonly string[]
  /** Why sign-in is needed, in the author's words (shown only if a text uses `{reason}`). */
  readonly reason: string
  /** Epoch ms after which a code for this prompt is never exchanged (P7). */
  readonly expiresAt: number
  /** 1 for the first prompt of a sign-in; +1 for each prompt sent after a failed try. */
  readonly attempt: number
  readonly parkedQuestion?: ParkedQuestion
}

/** The prompt's lifetime ran out; a late code or a new question gets a fresh prompt. */
export interface PromptExpiredState {
  readonly kind: 'prompt-expired'
  readonly scopes: readonly string[]
  readonly reason: string
  readonly expiredAt: number
  readonly parkedQuestion?: ParkedQuestion
}

/**
 * The code was handed to the token endpoint. Persisted before the request goes out, so a runner
 * that finds this state after a crash knows the outcome is unknown
 * (docs/contract-decisions.md §10 "crash semantics").
 */
export interface ExchangingState {
  readonly kind: 'exchanging'
  readonly promptId: string
  readonly scopes: readonly string[]
  readonly reason: string
  readonly startedAt: number
  readonly attempt: number
  readonly parkedQuestion?: ParkedQuestion
}

/** A grant is stored; `scopes` are the granted ones (X9), which may be fewer than requested. */
export interface SignedInState {
  readonly kind: 'signed-in'
  readonly subject?: string
  readonly scopes: readonly string[]
  readonly since: number
}

/** Why a grant stopped working. */
export type ReconnectReason = 'refresh-invalid-grant' | 'revoked'

/** The grant died on its own (refresh refused, revoked); the next question prompts to reconnect. */
export interface NeedsReconnectState {
  readonly kind: 'needs-reconnect'
  readonly reason: ReconnectReason
  readonly scopes: readonly string[]
  readonly since: number
}

/** One conversation's sign-in state: JSON-serialisable, token-free. */
export type SignInState =
  | SignedOutState
  | AwaitingSignInState
  | PromptExpiredState
  | ExchangingState
  | SignedInState
  | NeedsReconnectState

/** How a token request ended, as the runner judged it. */
export type ExchangeFailureKind =
  /** The provider refused the code or verifier (used, expired, mismatched): X2. */
  | 'invalid_grant'
  /** The provider answered with an error other than the ones below, or a 5xx. */
  | 'provider-error'
  /** `invalid_client` / `unauthorized_client`: our configuration is wrong, retrying cannot help (X5). */
  | 'client-misconfigured'
  /** The request provably never left (DNS error, connection refused) and the runner gave up. */
  | 'network'
  /**
   * The request may have been sent and the answer was lost (timeout, reset, crash): X3,
   * docs/contract-decisions.md §10 "crash semantics".
   */
  | 'unknown-outcome'

/** Every input of the machine. Codes and tokens never appear in events: the runner holds them. */
export type SignInEvent =
  /** The user asked something that needs a signed-in user with these scopes. */
  | {
      readonly type: 'question-needs-sign-in'
      readonly question: string
      readonly scopes: readonly string[]
      /** Why sign-in is needed, in the author's words; carried to the prompt action. */
      readonly reason: string
    }
  /** The user wrote something that needs no sign-in (the agent answers it itself). */
  | { readonly type: 'other-user-message' }
  /**
   * The channel delivered an authorization response. `hasCode: false` = neither code nor error.
   * `promptId` only when the channel can tell which prompt the response belongs to.
   */
  | { readonly type: 'authorization-code-received'; readonly hasCode: boolean; readonly promptId?: string }
  /**
   * The runner found nothing to exchange the code with: no live pending record, or (`duplicate`) an
   * exchange marker says this very code was already sent to the token endpoint (X1, W10, W17).
   */
  | { readonly type: 'code-without-pending-sign-in'; readonly duplicate: boolean }
  /**
   * A code arrived for the current prompt but can never be exchanged: its exchange marker was
   * claimed by another conversation (the code was injected there, X12), or the pending sign-in's
   * sealed verifier cannot be opened (a damaged row, S11). The user is told and prompted afresh.
   */
  | { readonly type: 'code-unusable'; readonly reason: 'used-elsewhere' | 'pending-unreadable' }
  /** The channel delivered an authorization error (RFC 6749 §4.1.2.1 code, any case, or any string). */
  | { readonly type: 'authorization-error'; readonly error: string; readonly description?: string }
  /** The token request succeeded and `scopes` were granted. The runner holds the tokens. */
  | { readonly type: 'exchange-succeeded'; readonly scopes: readonly string[]; readonly subject?: string }
  | { readonly type: 'exchange-failed'; readonly kind: ExchangeFailureKind; readonly description?: string }
  /** The pending store's record for this prompt lapsed (a sweep, or found expired). */
  | { readonly type: 'pending-expired'; readonly promptId: string }
  /** A refresh succeeded (for the hook); `scopes` when the provider reported them. */
  | { readonly type: 'tokens-refreshed'; readonly scopes?: readonly string[] }
  /** A refresh got `invalid_grant` after the R3 re-read; `question` if it happened while answering one. */
  | { readonly type: 'refresh-failed-invalid-grant'; readonly question?: string }
  /** The grant was revoked elsewhere (the provider, the user's account settings). */
  | { readonly type: 'revoked' }
  | { readonly type: 'sign-out-requested' }

/** Names of the developer hooks the runner calls (logs, metrics, product events). */
export type HookName =
  | 'signed-in'
  | 'sign-in-failed'
  | 'expired'
  | 'refreshed'
  | 'needs-reconnect'
  | 'revoked'
  | 'signed-out'

/**
 * Keys of the texts the agent says; defaults in `messages.ts`, overridable by the agent author.
 * `prompt.*` texts carry the sign-in chip, `live-agent.*` texts the hand-off chip.
 */
export type MessageKey =
  | 'prompt.sign-in'
  | 'prompt.more-access'
  | 'prompt.reconnect'
  | 'prompt.reminder'
  | 'prompt.after-cancel'
  | 'prompt.after-expiry'
  | 'prompt.after-stale'
  | 'prompt.provider-busy'
  | 'prompt.after-failure'
  | 'signed-in'
  | 'signed-in.scopes-missing'
  | 'already-signed-in'
  | 'still-signing-in'
  | 'no-pending-sign-in'
  | 'signed-out'
  | 'live-agent.too-many-attempts'
  | 'live-agent.sign-in-unavailable'
  | 'something-went-wrong'

/** Values a message template may use. */
export type MessageParams = Readonly<Record<string, string>>

/**
 * What the runner must do, in order. Every action that shows the user something is exactly one
 * message, so a sign-in chip is always on the last message sent (docs/contract-decisions.md §4.4:
 * chips vanish under newer ones).
 */
export type SignInAction =
  /**
   * Create a PKCE verifier and a pending record for `promptId` (atomically replacing any older one,
   * P6) and send one message with the text of `messageKey` and the sign-in chip for `scopes`.
   */
  | {
      readonly type: 'send-sign-in-prompt'
      readonly promptId: string
      readonly scopes: readonly string[]
      readonly reason: string
      readonly attempt: number
      readonly messageKey: MessageKey
      readonly params: MessageParams
    }
  /** Delete the pending record of a prompt that will not be exchanged (S8). */
  | { readonly type: 'discard-sign-in-prompt'; readonly promptId: string }
  /** Consume the pending record of `promptId` and exchange the held code with its verifier, once. */
  | { readonly type: 'exchange-code'; readonly promptId: string }
  /** Store the tokens the exchange returned. */
  | { readonly type: 'store-tokens' }
  /** Let the agent answer the question that waited for sign-in. */
  | { readonly type: 'answer-parked-question'; readonly question: string }
  /** Let the agent answer a question now (already signed in with the needed scopes). */
  | { readonly type: 'answer-question'; readonly question: string }
  /** Send one plain text message. */
  | { readonly type: 'reply'; readonly messageKey: MessageKey; readonly params: MessageParams }
  /** Send one message with the text of `messageKey` and a live-agent (human hand-off) chip. */
  | { readonly type: 'offer-live-agent'; readonly messageKey: MessageKey; readonly params: MessageParams }
  /** Revoke the stored grant at the provider (RFC 7009) and delete it locally whatever happens (R7, R8). */
  | { readonly type: 'revoke-and-delete-tokens' }
  /** Delete the stored grant locally; it is already dead at the provider. */
  | { readonly type: 'delete-tokens' }
  /**
   * Call the developer's hook. `reason` is a stable code; `detail` is sanitised, length-capped
   * provider text for logs only: it must never reach the user.
   */
  | { readonly type: 'emit'; readonly hook: HookName; readonly reason?: string; readonly detail?: string }

/** The type tag of an action. */
export type SignInActionType = SignInAction['type']

/** Result of one {@link SignInEvent}: persist `state` first, then run `actions` in order. */
export interface Transition {
  readonly state: SignInState
  readonly actions: readonly SignInAction[]
}

/** Tuning of the machine. */
export interface FlowPolicy {
  /** Lifetime of a prompt's pending record (default 10 minutes, P7). */
  readonly pendingTtlMs: number
  /** Prompts in one sign-in before a failure offers a live agent instead of another chip (default 3). */
  readonly maxAttempts: number
  /** Source of prompt ids; injected so transitions are deterministic in tests. */
  readonly newPromptId: () => string
}
