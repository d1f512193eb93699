/**
 * @module webhook/node-adapter
 * The thin `node:http` shim around the webhook core: read the raw body under the size cap, call
 * {@link WebhookReceiver.handle}, write the answer. An oversize body (declared or streamed) gets
 * 413 as soon as the cap is crossed, before any HMAC, and the connection is closed (W8).
 */
import type { IncomingMessage, ServerResponse } from 'node:http'
import {
  createWebhookReceiver,
  type WebhookReceiver,
  type WebhookReceiverOptions,
  type WebhookResponse,
} from './receiver.ts'

/** A `(req, res)` handler for `http.createServer` or a router; takes a receiver or its options. */
export function createNodeWebhookHandler(
  receiverOrOptions: WebhookReceiver | WebhookReceiverOptions,
): (req: IncomingMessage, res: ServerResponse) => void {
  const receiver = 'handle' in receiverOrOptions ? receiverOrOptions : createWebhookReceiver(receiverOrOptions)
  return (req, res) => {
    void handleNodeRequest(receiver, req, res)
  }
}

async function handleNodeRequest(receiver: WebhookReceiver, req: IncomingMessage, res: ServerResponse): Promise<void> {
  if ((req.method ?? '').toUpperCase() !== 'POST') {
    req.resume() // discard any body; the core answers 405
    const answer = await receiver.handle({ method: req.method ?? '', headers: req.headers, rawBody: new Uint8Array(0) })
    return write(res, answer)
  }
  const rawBody = await readBody(req, receiver.maxBodyBytes)
  if (rawBody === 'too-large') return rejectOversize(req, res)
  if (rawBody === 'aborted') return
  write(res, await receiver.handle({ method: req.method ?? 'POST', headers: req.headers, rawBody }))
}

/** Reads the raw body under `maxBytes`: `too-large` as soon as the cap is crossed (declared or streamed). */
export function readBody(req: IncomingMessage, maxBytes: number): Promise<Uint8Array | 'too-large' | 'aborted'> {
  const declared = Number(req.headers['content-length'])
  if (Number.isFinite(declared) && declared > maxBytes) return Promise.resolve('too-large')
  return new Promise((resolve) => {
    const chunks: Buffer[] = []
    let size = 0
    const onData = (chunk: Buffer): void => {
      size += chunk.length
      if (size > maxBytes) {
        req.off('data', onData)
        chunks.length = 0
        resolve('too-large')
        return
      }
      chunks.push(chunk)
    }
    req.on('data', onData)
    // A Buffer is a Uint8Array: one chunk is used as is, several are joined once (no second copy).
    req.once('end', () =>
      resolve(chunks.length === 1 && chunks[0] !== undefined ? chunks[0] : Buffer.concat(chunks, size)),
    )
    req.once('error', () => resolve('aborted'))
    req.once('close', () => {
      if (!req.complete) resolve('aborted')
    })
  })
}

/** Answers 413 and closes the connection once the answer is out (the rest of the body is not read). */
export function rejectOversize(req: IncomingMessage, res: ServerResponse): void {
  req.pause()
  res.once('finish', () => req.destroy())
  write(res, { status: 413, headers: { connection: 'close' }, body: '' })
}

/** Writes a plain-data answer (nothing if the response is already gone). */
export function write(res: ServerResponse, answer: WebhookResponse): void {
  if (res.headersSent || res.destroyed) return
  const body = Buffer.from(answer.body, 'utf8')
  res.writeHead(answer.status, { ...answer.headers, 'content-length': String(body.length) })
  res.end(body)
}
