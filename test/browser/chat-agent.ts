/**
 * @module test/browser/chat-agent
 * A small, real Business Messages agent for the browser test: a node:http webhook that answers the
 * verification handshake, checks `X-Goog-Signature` (HMAC-SHA512 over the raw bytes, computed here
 * with `createHmac`, independently of src/webhook) and replies through the real
 * `BusinessMessagesClient`. Script: "hi" → rich text with chips; the "Show accounts" chip → a
 * carousel; "sign in" → an `authenticationRequest` chip (S256); an `authenticationResponse` → "Got
 * a code" (it does not exchange it), or the error it carried. It also serves the SVG images its
 * cards and avatar point at, and marks each user text READ.
 */
import { createHmac, randomUUID, timingSafeEqual } from 'node:crypto'
import { readFileSync } from 'node:fs'
import { createServer, type IncomingMessage, type Server } from 'node:http'
import type { AddressInfo } from 'node:net'
import {
  authenticationRequestSuggestion,
  openUrlSuggestion,
  replySuggestion,
  type BusinessMessagesClient,
  type CardContent,
  type Message,
  type Representative,
} from '../../src/google/index.ts'
import { calculateS256Challenge, generateCodeVerifier } from '../../src/pkce/index.ts'

/** One verified webhook body the agent received. */
export type AgentEvent = Record<string, any>

export interface ChatAgentConfig {
  bm: BusinessMessagesClient
  /** The emulator's webhook client token file (the signing key). */
  signingKeyPath: string
  clientId: string
  scopes: readonly string[]
}

export interface ChatAgent {
  webhookUrl: string
  /** Verified deliveries, in arrival order. */
  events: AgentEvent[]
  /** Requests refused for a bad or missing signature. */
  rejected: number
  /** Errors the agent hit while replying (a test should expect none). */
  errors: string[]
  connect(config: ChatAgentConfig): void
  close(): Promise<void>
}

const IMAGES: Record<string, string> = {
  'avatar.svg': svg('#34a853', 'TB'),
  'savings.svg': svg('#1a73e8', 'Savings'),
  'checking.svg': svg('#f9ab00', 'Checking'),
}

function svg(color: string, label: string): string {
  return (
    `<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 320 200"><rect width="320" height="200" fill="${color}"/>` +
    `<text x="160" y="115" font-size="40" font-family="sans-serif" fill="#fff" text-anchor="middle">${label}</text></svg>`
  )
}

/** Starts the agent's HTTP server; call `connect()` once the emulator and provider are up. */
export async function startChatAgent(): Promise<ChatAgent> {
  let config: ChatAgentConfig | undefined
  let queue = Promise.resolve()
  const agent: ChatAgent = {
    webhookUrl: '',
    events: [],
    rejected: 0,
    errors: [],
    connect: (c) => void (config = c),
    close: () =>
      new Promise((resolve) => {
        server.close(() => resolve())
        server.closeAllConnections()
      }),
  }
  let origin = ''
  const server: Server = createServer((req, res) => {
    const image = /^\/img\/([a-z]+\.svg)$/.exec(req.url ?? '')?.[1]
    if (req.method === 'GET' && image !== undefined && IMAGES[image] !== undefined) {
      return void res.writeHead(200, { 'content-type': 'image/svg+xml' }).end(IMAGES[image])
    }
    if (req.method !== 'POST' || req.url !== '/webhook') return void res.writeHead(404).end()
    void readRaw(req).then((raw) => {
      const key = config === undefined ? undefined : readFileSync(config.signingKeyPath, 'utf8').trim()
      const body = JSON.parse(raw.toString('utf8')) as AgentEvent
      if (typeof body['clientToken'] === 'string' && typeof body['secret'] === 'string') {
        const ok = key === undefined || body['clientToken'] === key
        return void res.writeHead(ok ? 200 : 403, { 'content-type': 'text/plain' }).end(ok ? body['secret'] : '')
      }
      if (key === undefined || !signatureMatches(raw, req.headers['x-goog-signature'], key)) {
        agent.rejected += 1
        return void res.writeHead(401).end()
      }
      res.writeHead(200).end()
      agent.events.push(body)
      const connected = config as ChatAgentConfig
      queue = queue
        .then(() => handle(connected, origin, body))
        .catch((err: unknown) => void agent.errors.push(err instanceof Error ? err.message : String(err)))
    })
  })
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`
  agent.webhookUrl = `${origin}/webhook`
  return agent
}

async function readRaw(req: IncomingMessage): Promise<Buffer> {
  const chunks: Buffer[] = []
  for await (const chunk of req) chunks.push(chunk as Buffer)
  return Buffer.concat(chunks)
}

function signatureMatches(raw: Buffer, header: string | string[] | undefined, key: string): boolean {
  if (typeof header !== 'string') return false
  const expected = createHmac('sha512', key).update(raw).digest()
  const given = Buffer.from(header, 'base64')
  return given.length === expected.length && timingSafeEqual(given, expected)
}

async function handle(config: ChatAgentConfig, origin: string, body: AgentEvent): Promise<void> {
  const conversationId = String(body['conversationId'])
  const rep: Representative = {
    representativeType: 'BOT',
    displayName: 'Tree Bank Bot',
    avatarImage: `${origin}/img/avatar.svg`,
  }
  const say = async (message: Message): Promise<void> => {
    await config.bm.createEvent(conversationId, randomUUID(), { eventType: 'TYPING_STARTED', representative: rep })
    await config.bm.createMessage(conversationId, { ...message, representative: rep })
    await config.bm.createEvent(conversationId, randomUUID(), { eventType: 'TYPING_STOPPED', representative: rep })
  }
  const message = body['message'] as { messageId: string; text: string } | undefined
  if (message !== undefined) {
    await config.bm.updateReceipt(conversationId, message.messageId, { receiptType: 'READ' })
    const text = message.text.trim().toLowerCase()
    if (text === 'hi') return say(greeting())
    if (text === 'sign in') return say(signInRequest(config))
    return say({ text: `You said: ${message.text}` })
  }
  const suggestion = body['suggestionResponse'] as { postbackData: string } | undefined
  if (suggestion?.postbackData === 'accounts') return say(accountsCarousel(origin))
  const auth = body['authenticationResponse'] as { code?: string; errorDetails?: { error?: string } } | undefined
  if (auth?.code !== undefined) return say({ text: 'Got a code' })
  if (auth?.errorDetails !== undefined) return say({ text: `Sign-in did not finish: ${auth.errorDetails.error}` })
}

function greeting(): Message {
  return {
    text: '**Welcome** to Tree Bank! I can show your *accounts* or help on [our website](https://example.com/help).',
    containsRichText: true,
    suggestions: [
      replySuggestion('Show accounts', 'accounts'),
      replySuggestion('Opening hours', 'hours'),
      openUrlSuggestion('Website', 'https://example.com/', 'site'),
      { liveAgentRequest: {} },
    ],
  }
}

function accountsCarousel(origin: string): Message {
  const card = (title: string, description: string, image: string): CardContent => ({
    title,
    description,
    media: { height: 'MEDIUM', contentInfo: { fileUrl: `${origin}/img/${image}`, altText: `${title} picture` } },
    suggestions: [openUrlSuggestion('Details', `https://example.com/${image.replace('.svg', '')}`, `details-${image}`)],
  })
  return {
    richCard: {
      carouselCard: {
        cardWidth: 'MEDIUM',
        cardContents: [
          card('Savings account', 'Earn interest every month.', 'savings.svg'),
          card('Checking account', 'Everyday banking.', 'checking.svg'),
        ],
      },
    },
    fallback: 'Savings account; Checking account',
  }
}

function signInRequest(config: ChatAgentConfig): Message {
  // The test agent never exchanges the code, so the verifier is not kept.
  const codeChallenge = calculateS256Challenge(generateCodeVerifier())
  return {
    text: 'Please sign in to see your balance.',
    fallback: 'Sign in at https://example.com/ to continue.',
    suggestions: [authenticationRequestSuggestion({ clientId: config.clientId, codeChallenge, scopes: config.scopes })],
  }
}
