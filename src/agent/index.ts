/**
 * @module agent
 * The agent runtime: {@link createAgent} plus its public types and the one error authors meet.
 */
export { createAgent } from './create-agent.ts'
export { SignInRequiredError } from './errors.ts'
export type {
  AccessOptions,
  AgentHooks,
  AgentOptions,
  BaseMessageContext,
  HookEvent,
  MessageContext,
  MessageHandler,
  ProviderInfo,
  Readiness,
  Session,
  SignInAgent,
} from './types.ts'
