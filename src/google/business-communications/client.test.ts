import { describe, test } from 'node:test'
import assert from 'node:assert/strict'
import { InvalidArgumentError } from '../../errors.ts'
import { StaticAccessTokenSource } from '../service-account.ts'
import { googleError, json, scriptedFetch, type Handler } from '../fake-fetch.test-util.ts'
import { BusinessCommunicationsClient, formatUpdateMask } from './client.ts'

function client(...handlers: Handler[]) {
  const scripted = scriptedFetch(...handlers)
  const bc = new BusinessCommunicationsClient({
    credentials: new StaticAccessTokenSource('t'),
    fetch: scripted.fetch,
    sleep: async () => {},
  })
  return { bc, calls: scripted.calls }
}

const AGENT = 'brands/1111/agents/2222'

describe('BusinessCommunicationsClient (docs/contract-decisions.md §1.3–1.6)', () => {
  test('setAuthorizationEndpoint sends the documented PATCH exactly', async () => {
    const updated = {
      name: AGENT,
      businessMessagesAgent: { authorizationConfig: { endpointUrl: 'https://p.example/a' } },
    }
    const { bc, calls } = client(() => json(updated))
    assert.deepEqual(await bc.setAuthorizationEndpoint(AGENT, 'https://p.example/a'), updated)
    const [call] = calls
    assert.equal(call?.method, 'PATCH')
    assert.equal(
      call?.url,
      'https://businesscommunications.googleapis.com/v1/brands/1111/agents/2222?updateMask=businessMessagesAgent.authorizationConfig',
    )
    assert.deepEqual(JSON.parse(call?.body ?? ''), {
      businessMessagesAgent: { authorizationConfig: { endpointUrl: 'https://p.example/a' } },
    })
  })

  test('setAuthorizationEndpoint rejects a relative or non-http URL locally', async () => {
    const { bc, calls } = client(() => json({}))
    for (const bad of ['/authorize', 'javascript:alert(1)', 'ftp://x/y']) {
      await assert.rejects(bc.setAuthorizationEndpoint(AGENT, bad), {
        name: 'InvalidArgumentError',
        message: 'endpointUrl: must be an absolute http(s) URL',
      })
    }
    assert.equal(calls.length, 0)
  })

  test('patchAgent builds the updateMask query from a list, commas literal', async () => {
    const { bc, calls } = client(() => json({ name: AGENT }))
    await bc.patchAgent(AGENT, { displayName: 'Bank' }, [
      'displayName',
      'businessMessagesAgent.conversationalSettings.en',
    ])
    assert.equal(
      new URL(calls[0]?.url ?? '').search,
      '?updateMask=displayName,businessMessagesAgent.conversationalSettings.en',
    )
  })

  test('getAgent validates the name before any request', async () => {
    const { bc, calls } = client(() => json({}))
    await assert.rejects(bc.getAgent('brands/1111'), {
      message: 'agent: must look like brands/BRAND_ID/agents/AGENT_ID',
    })
    assert.equal(calls.length, 0)
    const ok = client(() => json({ name: AGENT }))
    await ok.bc.getAgent(AGENT)
    assert.equal(ok.calls[0]?.url, 'https://businesscommunications.googleapis.com/v1/brands/1111/agents/2222')
    assert.equal(ok.calls[0]?.method, 'GET')
  })

  test('listAllAgents follows nextPageToken across pages', async () => {
    const { bc, calls } = client(
      () => json({ agents: [{ name: 'brands/1/agents/a' }, { name: 'brands/1/agents/b' }], nextPageToken: 'p2' }),
      () => json({ agents: [{ name: 'brands/1/agents/c' }], nextPageToken: 'p3' }),
      () => json({}),
    )
    const names: Array<string | undefined> = []
    for await (const agent of bc.listAllAgents('brands/1', { pageSize: 2 })) names.push(agent.name)
    assert.deepEqual(names, ['brands/1/agents/a', 'brands/1/agents/b', 'brands/1/agents/c'])
    assert.deepEqual(
      calls.map((c) => new URL(c.url).search),
      ['?pageSize=2', '?pageSize=2&pageToken=p2', '?pageSize=2&pageToken=p3'],
    )
    assert.equal(new URL(calls[0]?.url ?? '').pathname, '/v1/brands/1/agents')
  })

  test('listAgents returns an empty list for an empty page and validates pageSize', async () => {
    const { bc } = client(() => json({}))
    assert.deepEqual(await bc.listAgents('brands/1'), { agents: [] })
    await assert.rejects(bc.listAgents('brands/1', { pageSize: 0 }), InvalidArgumentError)
  })

  test('partners: get, and setPartnerWebhook replaces productCapabilities', async () => {
    const { bc, calls } = client(
      () => json({ name: 'partners/9' }),
      () => json({ name: 'partners/9', productCapabilities: [] }),
    )
    assert.deepEqual(await bc.getPartner('partners/9'), { name: 'partners/9' })
    await bc.setPartnerWebhook('partners/9', 'https://agent.example/webhook')
    assert.equal(
      calls[1]?.url,
      'https://businesscommunications.googleapis.com/v1/partners/9?updateMask=productCapabilities',
    )
    assert.deepEqual(JSON.parse(calls[1]?.body ?? ''), {
      productCapabilities: [
        { product: 'BUSINESS_MESSAGES', businessMessagesCapability: { webhookUrl: 'https://agent.example/webhook' } },
      ],
    })
  })

  test('a 404 for an unknown agent surfaces as GoogleAPIError NOT_FOUND', async () => {
    const { bc } = client(() => googleError(404, 'NOT_FOUND', 'Requested entity was not found.'))
    await assert.rejects(bc.getAgent(AGENT), { name: 'GoogleAPIError', rpcStatus: 'NOT_FOUND' })
  })

  test('formatUpdateMask', () => {
    assert.equal(formatUpdateMask(' a.b , c '), 'a.b,c')
    assert.equal(
      formatUpdateMask(['businessMessagesAgent.conversationalSettings.en-US']),
      'businessMessagesAgent.conversationalSettings.en-US',
    )
    assert.throws(() => formatUpdateMask([]), /updateMask: at least one field path is required/)
    assert.throws(() => formatUpdateMask('a&b=c'), /updateMask: each entry must be a dotted field path/)
  })
})
