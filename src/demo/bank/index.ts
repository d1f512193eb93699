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
export { BANK_SCOPES, BANK_SCOPE_LIST, DEFAULT_TRANSACTIONS_LIMIT, MAX_TRANSACTIONS_LIMIT } from './routes.ts'
export { createIntrospectionVerifier, validateIntrospection } from './introspection.ts'
export type { AccessTokenInfo, IntrospectionClientOptions, TokenVerifier } from './introspection.ts'
export { MAX_TOKEN_CACHE_TTL_MS, cachedVerifier } from './token-cache.ts'
export { balanceOf, findAccount, findCustomer, formatMoney, listAccounts, recentTransactions } from './data.ts'
export type { BankAccount, BankAccountType, BankBalance, BankCustomer, BankTransaction, Money } from './data.ts'
