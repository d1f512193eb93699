/**
 * `createAgentHost` before an agent is attached (the sandbox's start-up order): the probes answer
 * at once (`/healthz` 200, `/readyz` and `/metrics` 503), other requests wait for the agent up to
 * `attachWaitMs` and then get 503 with `retry-after`, and a drain answers the waiting ones 503 at
 * once; a request that waited is answered by the agent once it is attached (a real agent, the
 * emulator and the strict provider: test/e2e/support.ts).
 */
import { test } from 'node:test'
import assert from 'node:assert/strict'
import { createAgentHost } from '../../src/index.ts'
import { waitFor } from '../support/wait.ts'
import { startWorld } from './support.ts'

test('before attach: probes answer, other requests wait up to attachWaitMs, then 503', async (t) => {
  const host = await createAgentHost({ listen: { port: 0 }, admin: { port: 0 }, attachWaitMs: 200 })
  t.after(() => host.close())
  assert.equal((await fetch(`${host.url}/healthz`)).status, 200)
  const ready = await fetch(`${host.url}/readyz`)
  assert.equal(ready.status, 503)
  assert.equal(await ready.text(), 'agent: not attached\n')
  assert.equal((await fetch(`${host.adminUrl}/metrics`)).status, 503)
  const started = Date.now()
  const webhook = await fetch(`${host.url}/business-messages`, { method: 'POST', body: '{}' })
  assert.equal(webhook.status, 503)
  assert.equal(webhook.headers.get('retry-after'), '1')
  assert.ok(Date.now() - started >= 190, 'the request waited for the agent first')
})

test('close() before attach answers the waiting requests 503 at once and stops', async () => {
  const host = await createAgentHost({ listen: { port: 0 }, admin: { port: 0 }, attachWaitMs: 60_000 })
  const waiting = fetch(`${host.url}/business-messages`, { method: 'POST', body: '{}' })
  await waitFor('the request is waiting for the agent', async () => (host.inFlight === 1 ? true : undefined))
  const started = Date.now()
  await host.close()
  assert.equal((await waiting).status, 503)
  assert.ok(Date.now() - started < 10_000, 'not the 60 s wait')
  await assert.rejects(fetch(`${host.url}/healthz`), 'the public listener is closed')
})

test('a request that arrives before attach waits, then the attached agent answers it', async (t) => {
  const world = await startWorld()
  const host = await createAgentHost({ listen: { port: 0 }, admin: { port: 0 } })
  let stopAgent: () => Promise<void> = async () => {}
  t.after(async () => {
    await host.close() // drains, then stops the attached agent
    await stopAgent()
    await world.close()
  })
  // Unsigned: once the agent is attached its webhook rejects it (401), which only the agent answers.
  const waiting = fetch(`${host.url}/business-messages`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: '{}',
  })
  await waitFor('the request is waiting for the agent', async () => (host.inFlight === 1 ? true : undefined))
  const running = await world.startAgent()
  stopAgent = running.stop
  await host.attach(running.agent)
  assert.equal((await waiting).status, 401)
  assert.equal((await fetch(`${host.url}/readyz`)).status, 200)
  const metrics = await (await fetch(`${host.adminUrl}/metrics`)).text()
  assert.match(metrics, /^bm_oauth_webhook_requests_total\{[^}]*outcome="rejected-signature"[^}]*\} 1$/m)
})
