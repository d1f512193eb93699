/**
 * @module flow
 * The channel-neutral sign-in conversation: a pure state machine (`transition`), its vocabulary
 * (states, events, actions), its policy and the default texts. A runner executes the actions
 * through the OAuth, token-store and pending-sign-in interfaces; a channel adapter maps its own
 * events and messages to these.
 */

export { transition } from './transition.ts'
export { createFlowPolicy, DEFAULT_MAX_ATTEMPTS, DEFAULT_PENDING_TTL_MS } from './policy.ts'
export { defaultMessages, renderMessage } from './messages.ts'
export {
  classifyAuthorizationError,
  MAX_DETAIL_LENGTH,
  normaliseErrorCode,
  sanitiseProviderText,
} from './authorization-errors.ts'
export type { MessageOverrides, RenderMessageOptions } from './messages.ts'
export type { AuthorizationErrorClass } from './authorization-errors.ts'
export type {
  AwaitingSignInState,
  ExchangeFailureKind,
  ExchangingState,
  FlowPolicy,
  HookName,
  MessageKey,
  MessageParams,
  NeedsReconnectState,
  ParkedQuestion,
  PromptExpiredState,
  ReconnectReason,
  SignedInState,
  SignedOutState,
  SignInAction,
  SignInActionType,
  SignInEvent,
  SignInState,
  Transition,
} from './types.ts'
