/**
 * The client against a real HTTP server on loopback that answers like the Graph API: Meta's success
 * bodies, its status codes and its error envelopes (docs/whatsapp-decisions.md §4.1, §5; the
 * envelopes are the samples of Meta's "WhatsApp error codes" page, code and details per code).
 * Sleeping and jitter are injected, so the backoff delays are asserted without waiting.
 */
import { after, before, beforeEach, test } from 'node:test'
import assert from 'node:assert/strict'
import { createServer, type IncomingMessage, type Server } from 'node:http'
import type { AddressInfo } from 'node:net'
import { PassThrough } from 'node:stream'
import { createLogger } from '../core/logger.ts'
import { isBmOAuthError, WhatsAppAPIError } from '../errors.ts'
import { textMessage } from './builders.ts'
import { WhatsAppClient, type WhatsAppClientOptions } from './client.ts'

const TOKEN = 'EAAJB-system-user-token-never-logged'
const PHONE_NUMBER_ID = '106540352242922'

/** One scripted answer: a status and a JSON body, or `drop` to cut the connection (a transport fault). */
type Answer = { status: number; body: unknown } | 'drop'
interface Seen {
  method: string
  url: string
  authorization: string | undefined
  contentType: string | undefined
  body: unknown
}

let server: Server
let baseUrl: string
let script: Answer[] = []
let seen: Seen[] = []
let drops = 0

const envelope = (code: number, message: string, details: string, httpStatus = 400): Answer => ({
  status: httpStatus,
  body: {
    error: {
      message,
      type: 'OAuthException',
      code,
      error_data: { messaging_product: 'whatsapp', details },
      error_subcode: 2494055,
      fbtrace_id: 'Az8or2yhqkZfEZ-_4Qn_Bam',
    },
  },
})
const THROUGHPUT = envelope(
  130429,
  '(#130429) Rate limit hit',
  'Message failed to send because there were too many messages sent from this phone number in a short period of time',
)
const PAIR = envelope(
  131056,
  '(#131056) (Business Account, Consumer Account) pair rate limit hit',
  'Message failed to send because there were too many messages sent from this phone number to the same phone number in a short period of time',
)
const WINDOW = envelope(
  131047,
  '(#131047) Re-engagement message',
  'Message failed to send because more than 24 hours have passed since the customer last replied to this number.',
)
const SPAM = envelope(
  131048,
  '(#131048) Spam rate limit hit',
  'Message failed to send because there are restrictions on how many messages can be sent from this phone number.',
)
const ACCOUNT = envelope(
  80007,
  '(#80007) Rate limit issues',
  'The WhatsApp Business Account has reached its rate limit.',
)
const APP = envelope(4, '(#4) Application request limit reached', 'The app has reached its API call rate limit.')
// "Interactive Call-to-Action URL Button Messages", example response.
const SENT: Answer = {
  status: 200,
  body: {
    messaging_product: 'whatsapp',
    contacts: [{ input: '+16505551234', wa_id: '16505551234' }],
    messages: [{ id: 'wamid.HBgLMTY1MDUwNzY1MjAVAgARGBI5QTNDQTVCM0Q0Q0Q2RTY3RTcA' }],
  },
}
const SUCCESS: Answer = { status: 200, body: { success: true } }

async function readBody(req: IncomingMessage): Promise<unknown> {
  const chunks: Buffer[] = []
  for await (const chunk of req) chunks.push(chunk as Buffer)
  return JSON.parse(Buffer.concat(chunks).toString('utf8'))
}

before(async () => {
  server = createServer(async (req, res) => {
    const body = await readBody(req)
    seen.push({
      method: req.method ?? '',
      url: req.url ?? '',
      authorization: req.headers.authorization,
      contentType: req.headers['content-type'],
      body,
    })
    const answer = script.shift() ?? { status: 500, body: { error: { message: 'script exhausted', code: 1 } } }
    if (answer === 'drop') {
      drops++
      req.socket.destroy()
      return
    }
    res.writeHead(answer.status, { 'content-type': 'application/json' })
    res.end(JSON.stringify(answer.body))
  })
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  baseUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}/`
})
after(() => new Promise<void>((resolve) => server.close(() => resolve())))
beforeEach(() => {
  script = []
  seen = []
  drops = 0
})

function makeClient(overrides: Partial<WhatsAppClientOptions> = {}) {
  const sleeps: number[] = []
  const logLines: string[] = []
  const destination = new PassThrough()
  destination.on('data', (chunk: Buffer) => logLines.push(chunk.toString('utf8')))
  const client = new WhatsAppClient({
    accessToken: TOKEN,
    phoneNumberId: PHONE_NUMBER_ID,
    baseUrl,
    sleep: async (ms) => {
      sleeps.push(ms)
    },
    random: () => 1, // the top of each jitter range, so delays are exact
    logger: createLogger({ level: 'debug', destination }),
    ...overrides,
  })
  return { client, sleeps, logLines }
}

const failure = async (promise: Promise<unknown>): Promise<WhatsAppAPIError> => {
  try {
    await promise
  } catch (err) {
    if (err instanceof WhatsAppAPIError) return err
    throw err
  }
  assert.fail('expected a WhatsAppAPIError')
}

test('sendMessage posts the body to /{version}/{phone-number-id}/messages with the bearer token', async () => {
  const { client } = makeClient({ graphVersion: 'v23.0' })
  script = [SENT]
  const sent = await client.sendMessage(textMessage('+16505551234', 'Your balance is £12.00'))
  assert.deepEqual(sent, {
    messageId: 'wamid.HBgLMTY1MDUwNzY1MjAVAgARGBI5QTNDQTVCM0Q0Q0Q2RTY3RTcA',
    waId: '16505551234',
  })
  assert.equal(seen.length, 1)
  assert.deepEqual(seen[0], {
    method: 'POST',
    url: `/v23.0/${PHONE_NUMBER_ID}/messages`,
    authorization: `Bearer ${TOKEN}`,
    contentType: 'application/json',
    body: {
      messaging_product: 'whatsapp',
      recipient_type: 'individual',
      to: '+16505551234',
      type: 'text',
      text: { body: 'Your balance is £12.00' },
    },
  })
})

test('130429, 80007 and 4 are retried with doubling backoff; 131056 waits a pair-rate interval first', async () => {
  const { client, sleeps } = makeClient()
  script = [THROUGHPUT, ACCOUNT, APP, SENT]
  await client.sendMessage(textMessage('16505551234', 'hi'))
  assert.equal(seen.length, 4)
  assert.deepEqual(sleeps, [1000, 2000, 4000])

  const pair = makeClient()
  seen = []
  script = [PAIR, PAIR, SENT]
  await pair.client.sendMessage(textMessage('16505551234', 'hi'))
  assert.equal(seen.length, 3)
  assert.deepEqual(pair.sleeps, [6000, 12000])
})

test('a retried code that keeps failing gives up after maxAttempts with the last envelope', async () => {
  const { client, sleeps } = makeClient()
  script = [THROUGHPUT, THROUGHPUT, THROUGHPUT, THROUGHPUT, SENT]
  const error = await failure(client.sendMessage(textMessage('16505551234', 'hi')))
  assert.equal(seen.length, 4)
  assert.equal(sleeps.length, 3)
  assert.equal(error.graphCode, 130429)
})

test('131047 (outside the 24-hour window) and 131048 (spam rate limit) are never retried', async () => {
  for (const answer of [WINDOW, SPAM]) {
    const { client, sleeps } = makeClient()
    seen = []
    script = [answer, SENT]
    const error = await failure(client.sendMessage(textMessage('16505551234', 'hi')))
    assert.equal(seen.length, 1)
    assert.deepEqual(sleeps, [])
    assert.equal(error.code, 'ERR_WHATSAPP_API')
    assert.equal(error.status, 502)
    assert.equal(error.httpStatus, 400)
    assert.equal(error.graphType, 'OAuthException')
    assert.equal(error.graphSubcode, 2494055)
    assert.equal(error.fbtraceId, 'Az8or2yhqkZfEZ-_4Qn_Bam')
    assert.equal(error.request.path, `/v25.0/${PHONE_NUMBER_ID}/messages`)
  }
  const { client } = makeClient()
  script = [WINDOW]
  const window = await failure(client.sendMessage(textMessage('16505551234', 'hi')))
  assert.equal(window.graphCode, 131047)
  assert.match(window.details ?? '', /more than 24 hours/)
})

test('an answer without an envelope is an error with graphCode 0 and is not retried', async () => {
  const { client } = makeClient()
  script = [{ status: 502, body: '<html>bad gateway</html>' }, SENT]
  const error = await failure(client.sendMessage(textMessage('16505551234', 'hi')))
  assert.equal(seen.length, 1)
  assert.equal(error.graphCode, 0)
  assert.equal(error.httpStatus, 502)
})

test('a send whose connection drops is not retried (it may have been accepted); a read receipt is', async () => {
  const { client } = makeClient()
  script = ['drop', SENT]
  await assert.rejects(client.sendMessage(textMessage('16505551234', 'hi')), (err) =>
    isBmOAuthError(err, 'ERR_NETWORK'),
  )
  assert.equal(drops, 1, 'the fault fired')
  assert.equal(seen.length, 1)

  const reader = makeClient()
  seen = []
  drops = 0
  script = ['drop', SUCCESS]
  await reader.client.typing('wamid.HBgLMTY1MDM4Nzk0MzkVAgARGBJDQjZCMzlEQUE4OTJBMTE4RTUA')
  assert.equal(drops, 1, 'the fault fired')
  assert.equal(seen.length, 2)
  assert.deepEqual(reader.sleeps, [1000])
  assert.deepEqual(seen[1]!.body, {
    messaging_product: 'whatsapp',
    status: 'read',
    message_id: 'wamid.HBgLMTY1MDM4Nzk0MzkVAgARGBJDQjZCMzlEQUE4OTJBMTE4RTUA',
    typing_indicator: { type: 'text' },
  })
})

test('a 2xx without a message id is an unexpected response', async () => {
  const { client } = makeClient()
  script = [{ status: 200, body: { messaging_product: 'whatsapp', messages: [] } }]
  await assert.rejects(client.sendMessage(textMessage('16505551234', 'hi')), (err) =>
    isBmOAuthError(err, 'ERR_UNEXPECTED_RESPONSE'),
  )
})

test('the access token appears in no log line and no error', async () => {
  const { client, logLines } = makeClient()
  script = [THROUGHPUT, WINDOW]
  const error = await failure(client.sendMessage(textMessage('16505551234', 'hi')))
  assert.ok(logLines.length >= 3, 'debug and warn lines were written')
  const everything = [
    ...logLines,
    String(error),
    JSON.stringify(error),
    error.stack ?? '',
    JSON.stringify(client),
  ].join('\n')
  assert.ok(!everything.includes(TOKEN))
  assert.ok(logLines.some((line) => line.includes('"graphCode":131047')))
})

test('options are checked: a numeric phone-number id, a vN.N version, a token', () => {
  assert.throws(() => new WhatsAppClient({ accessToken: TOKEN, phoneNumberId: '../x' }), {
    code: 'ERR_INVALID_ARGUMENT',
  })
  assert.throws(() => new WhatsAppClient({ accessToken: TOKEN, phoneNumberId: PHONE_NUMBER_ID, graphVersion: '25' }), {
    code: 'ERR_INVALID_ARGUMENT',
  })
  assert.throws(() => new WhatsAppClient({ accessToken: ' ', phoneNumberId: PHONE_NUMBER_ID }), {
    code: 'ERR_INVALID_ARGUMENT',
  })
})
