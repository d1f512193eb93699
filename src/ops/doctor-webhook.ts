/**
 * @module ops/doctor-webhook
 * `doctor` checks against the agent's webhook, done the way Google does them: the unsigned
 * `{clientToken, secret}` verification handshake (docs/contract-decisions.md §3.6), one harmless
 * signed delivery (`userStatus.isTyping: false`, fresh `requestId`, HMAC-SHA512 with the first
 * webhook key, docs/contract-decisions.md §3.7) that must be acknowledged with 2xx, and the same
 * delivery with a wrong signature, which must be refused. Redirects count as failures, as for
 * Google (docs/contract-decisions.md §3.5). Keys and tokens are never printed.
 */
import { createHmac, randomBytes, randomUUID } from 'node:crypto'
import type { BmOAuthConfig } from './config.ts'
import {
  fail,
  pass,
  probe,
  unreachable,
  type DoctorCheck,
  type DoctorContext,
  type ProbeResponse,
} from './doctor-types.ts'

/** The conversation id the test delivery names (no real conversation has it). */
export const DOCTOR_CONVERSATION_ID = 'bm-oauth-doctor'

/** Check: the webhook answers the verification handshake with exactly the secret. */
export async function checkHandshake(ctx: DoctorContext, config: BmOAuthConfig, url: string): Promise<DoctorCheck> {
  const id = 'webhook.handshake'
  const title = `webhook verification handshake (${url})`
  const clientToken = config.webhook.clientToken
  if (clientToken === undefined) {
    return fail(
      id,
      title,
      'no client token configured',
      'set BM_OAUTH_WEBHOOK_CLIENT_TOKEN to the token Google shows for the webhook',
    )
  }
  const secret = randomBytes(12).toString('hex')
  let answer: ProbeResponse
  try {
    answer = await probe(ctx, url, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ clientToken, secret }),
    })
  } catch (err) {
    return fail(id, title, `webhook ${unreachable(err)}`, 'start the agent (bm-oauth serve) or pass --webhook-url')
  }
  if (answer.status === 200 && answer.body === secret) return pass(id, title, 'answered 200 with the secret')
  if (answer.status === 200) {
    return fail(id, title, 'answered 200 but the body is not exactly the secret', 'reply with the plain secret only')
  }
  const hint =
    answer.status === 401
      ? 'the webhook does not accept this client token: BM_OAUTH_WEBHOOK_CLIENT_TOKEN must match on both sides'
      : redirectOrPathHint(answer.status)
  return fail(id, title, `answered HTTP ${answer.status}`, hint)
}

/** Check: a correctly signed harmless delivery is acknowledged with 2xx. */
export async function checkSignedDelivery(
  ctx: DoctorContext,
  config: BmOAuthConfig,
  url: string,
): Promise<DoctorCheck> {
  const id = 'webhook.signed-delivery'
  const title = 'signed test delivery acknowledged'
  const key = config.webhook.signingKeys[0]
  if (key === undefined) return fail(id, title, 'no webhook signing key configured', 'set BM_OAUTH_WEBHOOK_KEYS')
  const status = await postTestDelivery(ctx, config, url, key)
  if (typeof status !== 'number') return fail(id, title, status.unreachable)
  if (status >= 200 && status < 300) return pass(id, title, `userStatus delivery acknowledged with ${status}`)
  const hint =
    status === 401
      ? 'the webhook rejected the signature: its first key must equal the first entry of BM_OAUTH_WEBHOOK_KEYS'
      : redirectOrPathHint(status)
  return fail(id, title, `answered HTTP ${status}`, hint)
}

/** Check: a delivery with a wrong signature is refused (signature verification is really on). */
export async function checkRejectsForgery(
  ctx: DoctorContext,
  config: BmOAuthConfig,
  url: string,
): Promise<DoctorCheck> {
  const id = 'webhook.rejects-forgery'
  const title = 'wrongly signed delivery refused'
  const status = await postTestDelivery(ctx, config, url, randomBytes(32).toString('base64url'))
  if (typeof status !== 'number') return fail(id, title, status.unreachable)
  if (status === 401 || status === 403) return pass(id, title, `refused with ${status}`)
  if (status >= 200 && status < 300) {
    return fail(
      id,
      title,
      `accepted with ${status}: anyone can inject events`,
      'turn signature verification on (unset local.unsafeDisableSignatureVerification)',
    )
  }
  return fail(id, title, `answered HTTP ${status} (expected 401)`)
}

/** Posts a fresh test delivery signed with `key`: the answer's HTTP status, or why the webhook was not reached. */
async function postTestDelivery(
  ctx: DoctorContext,
  config: BmOAuthConfig,
  url: string,
  key: string,
): Promise<number | { unreachable: string }> {
  const body = testDelivery(ctx, config)
  try {
    return (await probe(ctx, url, signedRequest(body, sign(body, key)))).status
  } catch (err) {
    return { unreachable: `webhook ${unreachable(err)}` }
  }
}

function redirectOrPathHint(status: number): string {
  if (status >= 300 && status < 400) return 'Google treats redirects as failures: configure the final URL'
  if (status === 404 || status === 405) return 'check webhook.path / the URL'
  return 'check the agent logs'
}

/**
 * A `userStatus` event that changes nothing (docs/contract-decisions.md §3.1), with a fresh
 * requestId.
 */
function testDelivery(ctx: DoctorContext, config: BmOAuthConfig): string {
  const now = new Date(ctx.clock.now()).toISOString()
  return JSON.stringify({
    agent: config.agent ?? 'brands/bm-oauth-doctor/agents/bm-oauth-doctor',
    conversationId: DOCTOR_CONVERSATION_ID,
    requestId: `bm-oauth-doctor-${randomUUID()}`,
    userStatus: { isTyping: false, createTime: now },
    sendTime: now,
  })
}

/** `X-Goog-Signature`: standard base64 of HMAC-SHA512 over the raw body, keyed with the key's UTF-8 bytes. */
function sign(body: string, key: string): string {
  return createHmac('sha512', Buffer.from(key, 'utf8')).update(body, 'utf8').digest('base64')
}

function signedRequest(body: string, signature: string): RequestInit {
  return { method: 'POST', headers: { 'content-type': 'application/json', 'x-goog-signature': signature }, body }
}
