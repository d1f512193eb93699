/**
 * @module test/e2e/support
 * The end-to-end world: the real emulator (Google's side, the simulated user), the real strict OIDC
 * provider, and the agent under test (`createAgent` with the example bank handler) on a
 * `node:http` server on 127.0.0.1, wired through the emulator's signed webhook. The test plays the
 * user through the emulator's control API and the provider's login pages. Observers only: a fetch
 * wrapper that records the agent's token-endpoint requests, a log capture, and recorded hooks.
 */
import { createHmac } from 'node:crypto'
import { mkdtemp, readFile, rm } from 'node:fs/promises'
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { Writable } from 'node:stream'
import { setTimeout as delay } from 'node:timers/promises'
import { bankHandler } from '../../examples/bank-handler.ts'
import { startEmulator, type RunningEmulator } from '../../src/emulator/index.ts'
import {
  BusinessCommunicationsClient,
  createAgent,
  createLogger,
  generateVaultKey,
  openSQLiteDatabase,
  readServiceAccountKey,
  ServiceAccountCredentials,
  createSQLTokenStore,
  createVault,
  parseVaultKeys,
  type AgentOptions,
  type Database,
  type FetchLike,
  type HookEvent,
  type SignInAgent,
  type TokenRecord,
} from '../../src/index.ts'
import { loginAndConsent, type LoginOptions } from '../support/oidc-login.ts'
import { startStrictProvider, type RunningProvider } from '../support/strict-provider.ts'

export const CLIENT_ID = 'bank-agent'
export const CLIENT_SECRET = `secret-${Math.random().toString(36).slice(2)}${Date.now().toString(36)}`

/** The four Business Messages surfaces of the emulator and the redirect URI each sends (§10 Q3). */
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
  db: Database
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
  const dir = await mkdtemp(join(tmpdir(), 'bm-oauth-e2e-'))
  const provider = await startStrictProvider({ clients: [{ clientId: CLIENT_ID, clientSecret: CLIENT_SECRET }] })
  const metadata = (await (await fetch(`${provider.issuer}/.well-known/openid-configuration`)).json()) as ProviderMetadata
  let route: ((req: IncomingMessage, res: ServerResponse) => void) | undefined
  const server = createServer((req, res) => {
    if (route !== undefined) return route(req, res)
    req.resume()
    res.writeHead(503).end()
  })
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  const port = (server.address() as { port: number }).port
  const emulator = await startEmulator({
    port: 0,
    dataDir: join(dir, 'emulator'),
    webhookUrl: `http://127.0.0.1:${port}/webhook`,
    webhookBaseDelayMs: 100,
    webhookTimeoutMs: 10_000,
  })
  const clientToken = (await readFile(emulator.webhookClientTokenPath, 'utf8')).trim()
  await setEndpointUrl(emulator, metadata.authorization_endpoint)
  const logs: string[] = []
  const tokenRequests: TokenRequest[] = []
  const hooks: World['hooks'] = []
  const secrets = new Set<string>()
  const recordingFetch: FetchLike = async (input, init) => {
    const url = input instanceof Request ? input.url : String(input)
    const toProvider = url === metadata.token_endpoint || url === metadata.revocation_endpoint
    const params = new URLSearchParams(init?.body instanceof URLSearchParams ? init.body : String(init?.body ?? ''))
    if (url === metadata.token_endpoint) tokenRequests.push({ grantType: params.get('grant_type'), params })
    if (toProvider) for (const name of ['code', 'code_verifier', 'refresh_token', 'token']) addSecret(secrets, params.get(name))
    const response = await globalThis.fetch(input, init)
    if (url === metadata.token_endpoint) {
      const body = (await response.clone().json().catch(() => ({}))) as Record<string, unknown>
      for (const name of ['access_token', 'refresh_token', 'id_token']) addSecret(secrets, body[name])
    }
    return response
  }
  const world: World = {
    emulator,
    provider,
    metadata,
    clientToken,
    webhookUrl: `http://127.0.0.1:${port}/webhook`,
    vaultKeys: generateVaultKey({ keyId: 'e2e-k1' }),
    dbPath: join(dir, 'agent.sqlite'),
    logs,
    tokenRequests,
    secrets,
    hooks,
    fetch: recordingFetch,
    async startAgent(overrides = {}) {
      const db = openSQLiteDatabase(world.dbPath)
      const destination = new Writable({
        write(chunk: Buffer, _encoding, callback) {
          logs.push(chunk.toString('utf8'))
          callback()
        },
      })
      const record = (hook: string) => (event: HookEvent) => void hooks.push({ hook, ...event })
      const agent = createAgent({
        agentName: emulator.agentName,
        google: { keyFile: emulator.keyFilePath, baseUrl: emulator.url },
        provider: {
          provider: { issuer: provider.issuer },
          client: { clientId: CLIENT_ID, clientSecret: CLIENT_SECRET, tokenEndpointAuthMethod: 'client_secret_basic' },
        },
        allowInsecureLoopback: true,
        database: db,
        vaultKeys: world.vaultKeys,
        webhook: { keys: [clientToken], clientToken },
        logger: createLogger({ level: 'debug', destination }),
        fetch: recordingFetch,
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
      agent.onMessage(bankHandler({ accountUrl: metadata.userinfo_endpoint }))
      await agent.start()
      route = agent.webhookHandler
      return {
        agent,
        db,
        stop: async () => {
          route = undefined
          await agent.stop()
          await db.close()
        },
      }
    },
    async close() {
      route = undefined
      await emulator.close()
      server.closeAllConnections()
      await new Promise<void>((resolve) => server.close(() => resolve()))
      await provider.close()
      await rm(dir, { recursive: true, force: true })
    },
  }
  return world
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
export async function control<T = Record<string, unknown>>(
  world: World,
  path: string,
  body?: unknown,
  method: 'POST' | 'PATCH' = 'POST',
): Promise<T> {
  const init: RequestInit =
    body === undefined
      ? { method: 'GET' }
      : { method, headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) }
  const res = await fetch(`${world.emulator.url}/emulator/v1/${path}`, init)
  const text = await res.text()
  if (!res.ok) throw new Error(`control ${path} answered ${res.status}: ${text}`)
  return JSON.parse(text) as T
}

export interface AgentMessage {
  name?: string
  content: {
    text?: string
    fallback?: string
    messageId?: string
    suggestions?: Array<Record<string, { oauth?: { codeChallenge: string; codeChallengeMethod?: string; scopes: string[] } }>>
  }
}

/** The agent's messages in a conversation, oldest first (from the emulator's transcript). */
export async function agentMessages(world: World, conversationId: string): Promise<AgentMessage[]> {
  const view = await control<{ transcript: Array<AgentMessage & { direction: string; kind: string }> }>(
    world,
    `conversations/${conversationId}`,
  )
  return view.transcript.filter((e) => e.direction === 'agent' && e.kind === 'message')
}

/** Polls (bounded) until `check` returns a value; fails with `what` after `timeoutMs`. */
export async function waitFor<T>(what: string, check: () => Promise<T | undefined>, timeoutMs = 15_000): Promise<T> {
  const deadline = Date.now() + timeoutMs
  for (;;) {
    const value = await check()
    if (value !== undefined) return value
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`)
    await delay(40)
  }
}

/** Waits until the agent has sent `count` messages in total; returns them. */
export function waitForMessages(world: World, conversationId: string, count: number): Promise<AgentMessage[]> {
  return waitFor(`${count} agent messages`, async () => {
    const messages = await agentMessages(world, conversationId)
    return messages.length >= count ? messages : undefined
  })
}

/** Waits for an agent message whose text matches `pattern`, sent after the first `after` messages. */
export function waitForText(world: World, conversationId: string, pattern: RegExp, after = 0): Promise<AgentMessage> {
  return waitFor(`agent text ${pattern}`, async () =>
    (await agentMessages(world, conversationId)).slice(after).find((m) => pattern.test(m.content.text ?? '')),
  )
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
  const started = await control<{ authorizationUrl: string }>(world, `conversations/${conversationId}/signin/start`, { surface })
  return loginAndConsent(started.authorizationUrl, login)
}

/** Hands the provider's redirect back to the emulator, which delivers the authenticationResponse. */
export async function completeSignIn(world: World, conversationId: string, location: string): Promise<{ requestId: string }> {
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
export async function deliveries(world: World, conversationId: string): Promise<Array<{ id: number; requestId?: string; body: string; status: string }>> {
  const list = await control<{ deliveries: Array<{ id: number; requestId?: string; body: string; status: string }> }>(
    world,
    `deliveries?conversation=${encodeURIComponent(conversationId)}`,
  )
  return list.deliveries
}

/**
 * POSTs `body` to the agent's webhook as Google would: signed with HMAC-SHA512 of the client token,
 * base64 (computed here independently of the code under test). Returns the HTTP status.
 */
export async function postSigned(world: World, body: string): Promise<number> {
  const signature = createHmac('sha512', Buffer.from(world.clientToken, 'utf8')).update(body).digest('base64')
  const res = await fetch(world.webhookUrl, {
    method: 'POST',
    headers: { 'content-type': 'application/json', 'x-goog-signature': signature },
    body,
  })
  await res.body?.cancel()
  return res.status
}

/** The stored grant of a conversation, read with the world's vault keys (test-side inspection). */
export async function storedTokens(world: World, db: Database, conversationId: string): Promise<TokenRecord | undefined> {
  const store = createSQLTokenStore(db, createVault(parseVaultKeys(world.vaultKeys)))
  return store.get({ agent: world.emulator.agentName, conversation: conversationId, provider: world.provider.issuer })
}

/** Asks the provider whether a token is still active (RFC 7662), as the bank's API would. */
export async function isActiveAtProvider(world: World, token: string): Promise<boolean> {
  const response = await fetch(world.metadata.introspection_endpoint, {
    method: 'POST',
    headers: {
      authorization: `Basic ${Buffer.from(`${CLIENT_ID}:${CLIENT_SECRET}`).toString('base64')}`,
      'content-type': 'application/x-www-form-urlencoded',
    },
    body: new URLSearchParams({ token }),
  })
  return ((await response.json()) as { active: boolean }).active
}

/** Revokes a token at the provider behind the agent's back (the user disconnected the app elsewhere). */
export async function revokeAtProvider(world: World, token: string): Promise<void> {
  const response = await fetch(world.metadata.revocation_endpoint, {
    method: 'POST',
    headers: {
      authorization: `Basic ${Buffer.from(`${CLIENT_ID}:${CLIENT_SECRET}`).toString('base64')}`,
      'content-type': 'application/x-www-form-urlencoded',
    },
    body: new URLSearchParams({ token }),
  })
  await response.body?.cancel()
  if (response.status !== 200) throw new Error(`revocation answered ${response.status}`)
}

/** Signs a conversation in: balance question, chip, login, answer. Returns the message count after it. */
export async function signInWithBalance(world: World, conversationId: string): Promise<number> {
  const count = await askBalanceAndGetPrompt(world, conversationId)
  await completeSignIn(world, conversationId, await tapChipAndLogIn(world, conversationId))
  await waitForText(world, conversationId, /Your balance is/, count)
  return (await agentMessages(world, conversationId)).length
}
