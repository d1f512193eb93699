/**
 * @module demo/bank-agent
 * The Growing Tree Bank demo agent: a message handler built only on the public bm-oauth API, which
 * answers public questions at once and personal ones (balance, transactions) after sign-in, reading
 * them from the demo bank's resource API with the user's access token.
 */
export { BANK_AGENT_SCOPES, createBankAgentHandler } from './handler.ts'
export type { BankAgentHandlerOptions } from './handler.ts'
export { BANK_AGENT_MESSAGES, BANK_NAME, formatAmount } from './replies.ts'
export type { MoneyJSON } from './replies.ts'
