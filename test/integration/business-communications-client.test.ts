/**
 * The Business Communications client against the real emulator over loopback: every client method,
 * FieldMask patches, paging, the partner webhook with the emulator's verification handshake, and
 * Google's error for an unknown agent (docs/contract-decisions.md §1.3–§1.8, §3.6, §10 Q8).
 */
import { after, before, describe, test } from 'node:test'
import assert from 'node:assert/strict'
import type { RunningEmulator } from '../../src/emulator/index.ts'
import { GoogleAPIError } from '../../src/errors.ts'
import { BusinessCommunicationsClient, type Agent, type ServiceAccountCredentials } from '../../src/google/index.ts'
import {
  emulatorCredentials,
  recordingFetch,
  startHandshakeServer,
  startTestEmulator,
  type TestEmulator,
} from './support.ts'

describe('BusinessCommunicationsClient against the emulator', () => {
  let running: TestEmulator
  let emulator: RunningEmulator
  let credentials: ServiceAccountCredentials
  let bc: BusinessCommunicationsClient

  before(async () => {
    running = await startTestEmulator()
    emulator = running.emulator
    credentials = await emulatorCredentials(emulator, { scopes: ['businesscommunications'] })
    bc = new BusinessCommunicationsClient({ credentials, baseUrl: emulator.url })
  })
  after(() => running.stop())

  /** brands.agents.create with a plain fetch (the client has no create method). */
  async function createAgent(displayName: string): Promise<Agent> {
    const res = await fetch(`${emulator.url}/v1/${emulator.brandName}/agents`, {
      method: 'POST',
      headers: { authorization: `Bearer ${await credentials.getAccessToken()}`, 'content-type': 'application/json' },
      body: JSON.stringify({ displayName, businessMessagesAgent: { customAgentId: displayName } }),
    })
    assert.equal(res.status, 200)
    return (await res.json()) as Agent
  }

  test('docs/contract-decisions.md §1.3 getAgent returns the provisioned agent by its resource name', async () => {
    const agent = await bc.getAgent(emulator.agentName)
    assert.equal(agent.name, emulator.agentName)
    assert.equal(typeof agent.displayName, 'string')
    assert.equal(agent.businessMessagesAgent?.defaultLocale, 'en')
  })

  test('docs/contract-decisions.md §1.4 setAuthorizationEndpoint patches only businessMessagesAgent.authorizationConfig', async () => {
    const before = await bc.getAgent(emulator.agentName)
    const endpointUrl = 'https://provider.example/authorize'
    const updated = await bc.setAuthorizationEndpoint(emulator.agentName, endpointUrl)
    assert.deepEqual(updated.businessMessagesAgent?.authorizationConfig, { endpointUrl })
    // The rest of the agent is untouched by a masked patch.
    assert.equal(updated.displayName, before.displayName)
    assert.deepEqual(
      updated.businessMessagesAgent?.conversationalSettings,
      before.businessMessagesAgent?.conversationalSettings,
    )
    const reread = await bc.getAgent(emulator.agentName)
    assert.deepEqual(reread.businessMessagesAgent?.authorizationConfig, { endpointUrl })
  })

  test('docs/contract-decisions.md §1.3 patchAgent with updateMask=displayName changes the name and nothing else', async () => {
    const before = await bc.getAgent(emulator.agentName)
    // The body carries another field too: the mask, not the body, decides what changes.
    const updated = await bc.patchAgent(
      emulator.agentName,
      { displayName: 'Renamed Tree Bank', businessMessagesAgent: { customAgentId: 'ignored' } },
      ['displayName'],
    )
    assert.equal(updated.displayName, 'Renamed Tree Bank')
    assert.equal(updated.businessMessagesAgent?.customAgentId, before.businessMessagesAgent?.customAgentId)
    const unchanged = before.businessMessagesAgent?.authorizationConfig
    assert.deepEqual(updated.businessMessagesAgent?.authorizationConfig, unchanged)
  })

  test('docs/contract-decisions.md §1.3 patchAgent with a two-path mask given as a comma string', async () => {
    const endpointUrl = 'http://127.0.0.1:9/authorize'
    const updated = await bc.patchAgent(
      emulator.agentName,
      {
        displayName: 'Not applied',
        businessMessagesAgent: { authorizationConfig: { endpointUrl }, customAgentId: 'bank-agent' },
      },
      'businessMessagesAgent.authorizationConfig,businessMessagesAgent.customAgentId',
    )
    assert.deepEqual(updated.businessMessagesAgent?.authorizationConfig, { endpointUrl })
    assert.equal(updated.businessMessagesAgent?.customAgentId, 'bank-agent')
    assert.equal(updated.displayName, 'Renamed Tree Bank')
    assert.equal(updated.businessMessagesAgent?.defaultLocale, 'en')
  })

  test('docs/contract-decisions.md §1.3 listAgents pages with nextPageToken and listAllAgents sees every agent', async () => {
    const created = [
      await createAgent('Paging One'),
      await createAgent('Paging Two'),
      await createAgent('Paging Three'),
    ]
    const expected = [emulator.agentName, ...created.map((a) => a.name as string)].sort()

    const first = await bc.listAgents(emulator.brandName, { pageSize: 1 })
    assert.equal(first.agents.length, 1)
    assert.equal(typeof first.nextPageToken, 'string')
    const second = await bc.listAgents(emulator.brandName, { pageSize: 1, pageToken: first.nextPageToken as string })
    assert.equal(second.agents.length, 1)
    assert.notEqual(second.agents[0]?.name, first.agents[0]?.name)

    const rf = recordingFetch()
    const pagingClient = new BusinessCommunicationsClient({ credentials, baseUrl: emulator.url, fetch: rf.fetch })
    for (const pageSize of [1, 2]) {
      const seen: string[] = []
      for await (const agent of pagingClient.listAllAgents(emulator.brandName, { pageSize })) {
        seen.push(agent.name as string)
      }
      assert.deepEqual([...seen].sort(), expected, `pageSize ${pageSize}`)
    }
    // 4 agents: 4 pages of one (the last with no token), then 2 pages of two.
    assert.equal(rf.to(`/v1/${emulator.brandName}/agents`).length, 4 + 2)
    const last = await bc.listAgents(emulator.brandName, { pageSize: 100 })
    assert.equal(last.agents.length, 4)
    assert.equal(last.nextPageToken, undefined)
  })

  test('docs/contract-decisions.md §1.3 getPartner and patchPartner (updateMask=displayName)', async () => {
    const partner = await bc.getPartner(emulator.partnerName)
    assert.equal(partner.name, emulator.partnerName)
    const updated = await bc.patchPartner(emulator.partnerName, { displayName: 'Renamed partner' }, ['displayName'])
    assert.equal(updated.displayName, 'Renamed partner')
    assert.deepEqual(updated.productCapabilities, partner.productCapabilities)
    assert.equal((await bc.getPartner(emulator.partnerName)).displayName, 'Renamed partner')
  })

  test('docs/contract-decisions.md §1.6 §3.6 setPartnerWebhook: the emulator runs the {clientToken, secret} handshake against the URL', async (t) => {
    const webhook = await startHandshakeServer()
    t.after(() => webhook.close())
    const partner = await bc.setPartnerWebhook(emulator.partnerName, webhook.url)
    assert.equal(webhook.handshakes.length, 1, 'exactly one handshake POST reached the webhook')
    const capability = partner.productCapabilities?.find((c) => c.product === 'BUSINESS_MESSAGES')
    const bm = capability?.businessMessagesCapability as Record<string, unknown> | undefined
    assert.equal(bm?.['webhookUrl'], webhook.url)
    // docs/contract-decisions.md §10 "webhook key via API": the token the handshake carried is the
    // one partners.get reveals.
    assert.equal(bm?.['webhookClientToken'], webhook.handshakes[0]?.clientToken)
    assert.equal((bm?.['webhookVerification'] as Record<string, unknown> | undefined)?.['verified'], true)
    const reread = await bc.getPartner(emulator.partnerName)
    const rereadBm = reread.productCapabilities?.[0]?.businessMessagesCapability as Record<string, unknown> | undefined
    assert.equal(rereadBm?.['webhookUrl'], webhook.url)
  })

  test('docs/contract-decisions.md §3.6 a webhook that does not echo the secret is recorded as unverified', async (t) => {
    const webhook = await startHandshakeServer({ echoSecret: false })
    t.after(() => webhook.close())
    const partner = await bc.setPartnerWebhook(emulator.partnerName, webhook.url)
    assert.equal(webhook.handshakes.length, 1)
    const bm = partner.productCapabilities?.[0]?.businessMessagesCapability as Record<string, unknown> | undefined
    const verification = bm?.['webhookVerification'] as Record<string, unknown> | undefined
    assert.equal(verification?.['verified'], false)
    assert.equal(verification?.['httpStatus'], 500)
  })

  test("docs/contract-decisions.md §10 Q8 unknown agent → GoogleAPIError 404 NOT_FOUND with Google's message", async () => {
    const unknown = `${emulator.brandName}/agents/1`
    for (const call of [
      () => bc.getAgent(unknown),
      () => bc.setAuthorizationEndpoint(unknown, 'https://p.example/a'),
    ]) {
      await assert.rejects(call(), (err: unknown) => {
        assert.ok(err instanceof GoogleAPIError)
        assert.equal(err.httpStatus, 404)
        assert.equal(err.rpcStatus, 'NOT_FOUND')
        assert.equal(err.googleMessage, 'Requested entity was not found.')
        return true
      })
    }
  })

  test('docs/contract-decisions.md §1.7 a token without the businesscommunications scope → 403 PERMISSION_DENIED, not retried', async () => {
    const rf = recordingFetch()
    const bmOnly = await emulatorCredentials(emulator, { scopes: ['businessmessages'] })
    const client = new BusinessCommunicationsClient({ credentials: bmOnly, baseUrl: emulator.url, fetch: rf.fetch })
    await assert.rejects(client.getAgent(emulator.agentName), (err: unknown) => {
      assert.ok(err instanceof GoogleAPIError)
      assert.equal(err.httpStatus, 403)
      assert.equal(err.rpcStatus, 'PERMISSION_DENIED')
      return true
    })
    assert.equal(rf.to('/v1/').length, 1)
  })
})
