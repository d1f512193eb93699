/**
 * @module demo/bank
 * The Growing Tree Bank demo resource API: the data, the HTTP API and its token checks.
 */
export { createBankAPI, startBankAPI } from './resource-api.ts'
export type {
  BankAPIHandler,
  BankAPIOptions,
  BankIntrospectionClient,
  RunningBankAPI,
  StartBankAPIOptions,
} from './resource-api.ts'
export { BANK_SCOPES, BANK_SCOPE_LIST } from './routes.ts'
export type { AccessTokenInfo, TokenVerifier } from './introspection.ts'
export { balanceOf } from './data.ts'
export type { BankBalance, Money } from './data.ts'
