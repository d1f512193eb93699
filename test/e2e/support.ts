/**
 * @module test/e2e/support
 * The end-to-end world: the real emulator (Google's side, the simulated user), the real strict OIDC
 * provider, and the agent under test (`createAgent` with the example bank handler) on a
 * `node:http` server on 127.0.0.1, wired through the emulator's signed webhook. The test plays the
 * user through the emulator's control API and the provider's login pages. Observers only: a fetch
 * wrapper that records the agent's token-endpoint requests, a log capture, recorded hooks, and reads
 * of the agent's inbox (to know when a conversation has settled).
 */
import { createHmac } from 'node:crypto'
import { mkdtemp, readFile, rm } from 'node:fs/promises'
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { Writable } from 'node:stream'
import { bankHandler } from './balance-handler.ts'
import { closeServer, listen } from '../../src/core/http-server.ts'
import { startEmulator, type RunningEmulator } from '../../src/emulator/index.ts'
import {
  BusinessCommunicationsClient,
  readServiceAccountKey,
  ServiceAccountCredentials,
} from '../../src/google/index.ts'
import {
  businessMessages,
  createAgent,
  createLogger,
  openSQLiteDatabase,
  type AgentHooks,
  type AgentOptions,
  type Database,
  type FetchLike,
  type HookEvent,
  type SignInAgent,
} from '../../src/index.ts'
import {
  generateVaultKey,
  createSQLTokenStore,
  createVault,
  parseVaultKeys,
  type TokenRecord,
} from '../../src/stores/index.ts'
import { createCleanup } from '../support/cleanup.ts'
import {
  agentMessages as emulatorAgentMessages,
  controlAPI,
  waitForAgentText,
  type AgentMessage,
} from '../support/emulator-control.ts'
import { loginAndConsent, type LoginOptions } from '../support/oidc-login.ts'
import { startStrictProvider, type RunningProvider } from '../support/strict-provider.ts'
import { waitFor } from '../support/wait.ts'

export { waitFor }
export type { AgentMessage }

export const CLIENT_ID = 'bank-agent'
export const CLIENT_SECRET = `secret-${Math.random().toString(36).slice(2)}${Date.now().toString(36)}`

/**
 * The four Business Messages surfaces of the emulator and the redirect URI each sends
 * (docs/contract-decisions.md §10 Q3).
 */
export const SURFACES = [
  ['web', 'https://business.google.com/callback'],
  ['web-query', 'https://business.google.com/callback?'],
  ['android', 'https://business.google.com/message?az-intent-type=1'],
  ['android-amp', 'https://business.google.com/message?az-intent-type=1&'],
] as const

export interface ProviderMetadata {
  authorization_endpoint: string
  token_endpoint: string
  userinfo_endpoint: string
  revocation_endpoint: string
  introspection_endpoint: string
}

/** A request the agent sent to the provider's token endpoint. */
export interface TokenRequest {
  grantType: string | null
  params: URLSearchParams
}

export interface RunningAgent {
  agent: SignInAgent
  /** The agent's database: the `database` passed to `startAgent`, else the world's SQLite file. */
  db: Database
  /** Stops the agent; closes the database only when `startAgent` opened it (the SQLite file). */
  stop(): Promise<void>
}

export interface World {
  emulator: RunningEmulator
  provider: RunningProvider
  metadata: ProviderMetadata
  clientToken: string
  webhookUrl: string
  vaultKeys: string
  dbPath: string
  /** Every log line the agent wrote (JSON text). */
  logs: string[]
  tokenRequests: TokenRequest[]
  /** Every code, verifier and token seen on the wire between agent and provider (for the S5 grep). */
  secrets: Set<string>
  hooks: Array<{ hook: string } & HookEvent>
  /** The agent's fetch: records token requests, else the global fetch. */
  fetch: FetchLike
  startAgent(overrides?: Partial<AgentOptions>): Promise<RunningAgent>
  close(): Promise<void>
}

/** Starts provider, webhook server, emulator (webhook → the server) and configures the agent's endpointUrl. */
export async function startWorld(): Promise<World> {
  const cleanup = createCleanup()
  return cleanup.unwindOnError(async () => {
    const dir = await mkdtemp(join(tmpdir(), 'bm-oauth-e2e-'))
    cleanup.add(() => rm(dir, { recursive: true, force: true }))
    const provider = await startStrictProvider({ clients: [{ clientId: CLIENT_ID, clientSecret: CLIENT_SECRET }] })
    cleanup.add(() => provider.close())
    const metadata = (await (
      await fetch(`${provider.issuer}/.well-known/openid-configuration`)
    ).json()) as ProviderMetadata
    let route: ((req: IncomingMessage, res: ServerResponse) => void) | undefined
    const server = createServer((req, res) => {
      if (route !== undefined) return route(req, res)
      req.resume()
      res.writeHead(503).end()
    })
    const port = await listen(server)
    cleanup.add(() => closeServer(server))
    const webhookUrl = `http://127.0.0.1:${port}/webhook`
    const emulator = await startEmulator({
      port: 0,
      dataDir: join(dir, 'emulator'),
      webhookUrl,
      webhookBaseDelayMs: 100,
      webhookTimeoutMs: 10_000,
    })
    cleanup.add(() => emulator.close())
    const clientToken = (await readFile(emulator.webhookClientTokenPath, 'utf8')).trim()
    await setEndpointUrl(emulator, metadata.authorization_endpoint)
    const tokenRequests: TokenRequest[] = []
    const secrets = new Set<string>()
    const world: World = {
      emulator,
      provider,
      metadata,
      clientToken,
      webhookUrl,
      vaultKeys: generateVaultKey({ keyId: 'e2e-k1' }),
      dbPath: join(dir, 'agent.sqlite'),
      logs: [],
      tokenRequests,
      secrets,
      hooks: [],
      fetch: recordingFetch(metadata, tokenRequests, secrets),
      startAgent: async (overrides = {}) => {
        const running = await startWorldAgent(world, overrides)
        route = running.agent.webhookHandler
        return {
          ...running,
          stop: async () => {
            route = undefined
            await running.stop()
          },
        }
      },
      async close() {
        route = undefined
        await cleanup.run()
      },
    }
    return world
  })
}

/** The agent's fetch: records token requests and every secret on the wire to the provider. */
function recordingFetch(metadata: ProviderMetadata, tokenRequests: TokenRequest[], secrets: Set<string>): FetchLike {
  return async (input, init) => {
    const url = input instanceof Request ? input.url : String(input)
    const toProvider = url === metadata.token_endpoint || url === metadata.revocation_endpoint
    const params = new URLSearchParams(init?.body instanceof URLSearchParams ? init.body : String(init?.body ?? ''))
    if (url === metadata.token_endpoint) tokenRequests.push({ grantType: params.get('grant_type'), params })
    if (toProvider)
      for (const name of ['code', 'code_verifier', 'refresh_token', 'token']) addSecret(secrets, params.get(name))
    const response = await globalThis.fetch(input, init)
    if (url === metadata.token_endpoint) {
      const body = (await response
        .clone()
        .json()
        .catch(() => ({}))) as Record<string, unknown>
      for (const name of ['access_token', 'refresh_token', 'id_token']) addSecret(secrets, body[name])
    }
    return response
  }
}

/**
 * Creates and starts the agent with the bank handler. Its database is `overrides.database` when
 * given (the caller closes it), else a SQLite file at `world.dbPath` that `stop()` closes.
 */
async function startWorldAgent(world: World, overrides: Partial<AgentOptions>): Promise<RunningAgent> {
  const owned = overrides.database === undefined
  const db = overrides.database ?? openSQLiteDatabase(world.dbPath)
  const closeOwned = async (): Promise<void> => {
    if (owned) await db.close()
  }
  const destination = new Writable({
    write(chunk: Buffer, _encoding, callback) {
      world.logs.push(chunk.toString('utf8'))
      callback()
    },
  })
  const record = (hook: string) => (event: HookEvent) => void world.hooks.push({ hook, ...event })
  let agent: SignInAgent
  try {
    agent = createAgent({
      channels: [
        businessMessages({
          agents: [world.emulator.agentName],
          credentials: { keyFile: world.emulator.keyFilePath },
          baseUrl: world.emulator.url,
          webhook: { keys: [world.clientToken], clientToken: world.clientToken },
        }),
      ],
      provider: {
        provider: { issuer: world.provider.issuer },
        client: { clientId: CLIENT_ID, clientSecret: CLIENT_SECRET, tokenEndpointAuthMethod: 'client_secret_basic' },
      },
      allowInsecureLoopback: true,
      database: db,
      vaultKeys: world.vaultKeys,
      logger: createLogger({ level: 'debug', destination }),
      fetch: world.fetch,
      hooks: {
        signedIn: record('signedIn'),
        signInFailed: record('signInFailed'),
        expired: record('expired'),
        refreshed: record('refreshed'),
        needsReconnect: record('needsReconnect'),
        revoked: record('revoked'),
        signedOut: record('signedOut'),
      },
      ...overrides,
    })
    agent.onMessage(bankHandler({ accountUrl: world.metadata.userinfo_endpoint }))
    await agent.start()
  } catch (err) {
    await closeOwned()
    throw err
  }
  return {
    agent,
    db,
    stop: async () => {
      await agent.stop()
      await closeOwned()
    },
  }
}

function addSecret(secrets: Set<string>, value: unknown): void {
  if (typeof value === 'string' && value.length >= 16) secrets.add(value)
}

async function setEndpointUrl(emulator: RunningEmulator, endpointUrl: string): Promise<void> {
  const key = await readServiceAccountKey(emulator.keyFilePath)
  const credentials = new ServiceAccountCredentials(key, { scopes: ['businesscommunications'] })
  const bc = new BusinessCommunicationsClient({ credentials, baseUrl: emulator.url })
  await bc.setAuthorizationEndpoint(emulator.agentName, endpointUrl)
}

/** Calls the emulator's control API (`/emulator/v1/…`); GET without a body, POST/PATCH with one. */
export function control<T = Record<string, unknown>>(
  world: World,
  path: string,
  body?: unknown,
  method: 'POST' | 'PATCH' = 'POST',
): Promise<T> {
  return controlAPI<T>(world.emulator.url, path, body, body === undefined ? 'GET' : method)
}

/** The agent's messages in a conversation, oldest first (from the emulator's transcript). */
export function agentMessages(world: World, conversationId: string): Promise<AgentMessage[]> {
  return emulatorAgentMessages(world.emulator.url, conversationId)
}

/** Waits for an agent message whose text matches `pattern`, sent after the first `after` messages. */
export function waitForText(world: World, conversationId: string, pattern: RegExp, after = 0): Promise<AgentMessage> {
  return waitForAgentText(world.emulator.url, conversationId, pattern, after)
}

/** Whether a message carries the sign-in chip. */
export function hasSignInChip(message: AgentMessage | undefined): boolean {
  return (message?.content.suggestions ?? []).some((s) => s['authenticationRequest'] !== undefined)
}

export async function openConversation(world: World): Promise<string> {
  return (await control<{ conversationId: string }>(world, 'conversations', { displayName: 'Alice' })).conversationId
}

export async function userSays(world: World, conversationId: string, text: string): Promise<void> {
  await control(world, `conversations/${conversationId}/messages`, { text })
}

/** Taps the newest sign-in chip on `surface` and signs in at the provider; returns the redirect Location. */
export async function tapChipAndLogIn(
  world: World,
  conversationId: string,
  surface: string = 'web',
  login: LoginOptions = {},
): Promise<string> {
  const started = await control<{ authorizationUrl: string }>(world, `conversations/${conversationId}/signin/start`, {
    surface,
  })
  return loginAndConsent(started.authorizationUrl, login)
}

/** Hands the provider's redirect back to the emulator, which delivers the authenticationResponse. */
export async function completeSignIn(
  world: World,
  conversationId: string,
  location: string,
): Promise<{ requestId: string }> {
  return control(world, `conversations/${conversationId}/signin/complete`, { location })
}

/** Asks the balance and waits for the sign-in prompt; returns the number of agent messages so far. */
export async function askBalanceAndGetPrompt(world: World, conversationId: string): Promise<number> {
  const before = (await agentMessages(world, conversationId)).length
  await userSays(world, conversationId, 'What is my balance?')
  const messages = await waitFor('the sign-in prompt', async () => {
    const all = await agentMessages(world, conversationId)
    return all.length > before && hasSignInChip(all.at(-1)) ? all : undefined
  })
  return messages.length
}

/** The token requests with `grant_type=authorization_code`. */
export function codeExchanges(world: World): TokenRequest[] {
  return world.tokenRequests.filter((r) => r.grantType === 'authorization_code')
}

/** The emulator's queued/sent webhook deliveries of a conversation, newest first. */
export async function deliveries(
  world: World,
  conversationId: string,
): Promise<Array<{ id: number; requestId?: string; body: string; status: string }>> {
  const list = await control<{ deliveries: Array<{ id: number; requestId?: string; body: string; status: string }> }>(
    world,
    `deliveries?conversation=${encodeURIComponent(conversationId)}`,
  )
  return list.deliveries
}

/** The emulator's deliveries of a conversation that carry an authenticationResponse (the code), newest first. */
export async function authResponseDeliveries(
  world: World,
  conversationId: string,
): Promise<Array<{ id: number; requestId?: string; body: string; status: string }>> {
  return (await deliveries(world, conversationId)).filter((d) => d.body.includes('"authenticationResponse"'))
}

/**
 * POSTs `body` to an agent's webhook (default: the world's) as Google would: signed with HMAC-SHA512
 * of the client token, base64 (computed here independently of the code under test). Returns the
 * HTTP status.
 */
export async function postSigned(world: World, body: string, url: string = world.webhookUrl): Promise<number> {
  const signature = createHmac('sha512', Buffer.from(world.clientToken, 'utf8')).update(body).digest('base64')
  const res = await fetch(url, {
    method: 'POST',
    headers: { 'content-type': 'application/json', 'x-goog-signature': signature },
    body,
  })
  await res.body?.cancel()
  return res.status
}

/** One row of the agent's durable webhook inbox (test-side inspection of `webhook_inbox`). */
export interface InboxRow {
  id: string
  /** `pending`, `leased`, `done` or `dead`. */
  state: string
  attempts: number
  /** The reason of the last failed attempt (an error code), kept after a later success. */
  lastError: string | null
}

/** The agent's inbox rows of a conversation, oldest first. */
export async function inboxRows(db: Database, conversationId: string): Promise<InboxRow[]> {
  const { rows } = await db.query<{ id: string; state: string; attempts: number | string; last_error: string | null }>(
    'SELECT id, state, attempts, last_error FROM webhook_inbox WHERE conversation_id = $1 ORDER BY received_at, id',
    [conversationId],
  )
  return rows.map((r) => ({ id: r.id, state: r.state, attempts: Number(r.attempts), lastError: r.last_error }))
}

/**
 * Waits until a conversation is quiet: the emulator has no delivery of it still to send (none
 * `pending` or `failed`), and every delivery the agent recorded is finished (`done` or `dead`),
 * hooks and replies included. The observable point after which "nothing else happened" can be
 * asserted; returns the inbox rows.
 */
export function waitForSettled(world: World, db: Database, conversationId: string): Promise<InboxRow[]> {
  const unfinished = async (): Promise<{ sending: number; rows: InboxRow[] }> => {
    const sending = (await deliveries(world, conversationId)).filter(
      (d) => d.status === 'pending' || d.status === 'failed',
    ).length
    const rows = (await inboxRows(db, conversationId)).filter((r) => r.state !== 'done' && r.state !== 'dead')
    return { sending, rows }
  }
  return waitFor(
    async () => `conversation ${conversationId} to settle; unfinished: ${JSON.stringify(await unfinished())}`,
    async () => {
      const { sending, rows } = await unfinished()
      return sending === 0 && rows.length === 0 ? inboxRows(db, conversationId) : undefined
    },
  )
}

/** Waits for the agent to call hook `hook` for a conversation; returns the (first) event. */
export function waitForHook(
  world: World,
  hook: keyof AgentHooks,
  conversationId: string,
): Promise<{ hook: string } & HookEvent> {
  return waitFor(
    () => `the ${hook} hook for ${conversationId}; hooks seen: ${JSON.stringify(world.hooks.map((h) => h.hook))}`,
    () => world.hooks.find((h) => h.hook === hook && h.key.conversation === conversationId),
  )
}

/** The stored grant of a conversation, read with the world's vault keys (test-side inspection). */
export async function storedTokens(
  world: World,
  db: Database,
  conversationId: string,
): Promise<TokenRecord | undefined> {
  const store = createSQLTokenStore(db, createVault(parseVaultKeys(world.vaultKeys)))
  return store.get({
    channel: 'business-messages',
    agent: world.emulator.agentName,
    conversation: conversationId,
    provider: world.provider.issuer,
  })
}

/** Asks the provider whether a token is still active (RFC 7662), as the bank's API would. */
export async function isActiveAtProvider(world: World, token: string): Promise<boolean> {
  const response = await providerPost(world.metadata.introspection_endpoint, token)
  return ((await response.json()) as { active: boolean }).active
}

/** Revokes a token at the provider behind the agent's back (the user disconnected the app elsewhere). */
export async function revokeAtProvider(world: World, token: string): Promise<void> {
  const response = await providerPost(world.metadata.revocation_endpoint, token)
  await response.body?.cancel()
  if (response.status !== 200) throw new Error(`revocation answered ${response.status}`)
}

/** POSTs `token=<token>` to a provider endpoint as the agent's client (client_secret_basic). */
function providerPost(endpoint: string, token: string): Promise<Response> {
  return fetch(endpoint, {
    method: 'POST',
    headers: {
      authorization: `Basic ${Buffer.from(`${CLIENT_ID}:${CLIENT_SECRET}`).toString('base64')}`,
      'content-type': 'application/x-www-form-urlencoded',
    },
    body: new URLSearchParams({ token }),
  })
}

/** Signs a conversation in: balance question, chip, login, answer. Returns the message count after it. */
export async function signInWithBalance(world: World, conversationId: string): Promise<number> {
  const count = await askBalanceAndGetPrompt(world, conversationId)
  await completeSignIn(world, conversationId, await tapChipAndLogIn(world, conversationId))
  await waitForText(world, conversationId, /Your balance is/, count)
  return (await agentMessages(world, conversationId)).length
}
