/**
 * Emulator state survives a restart (docs/contract-decisions.md §10 "emulator state"): same
 * identity, same key, same agent configuration, conversations and message log; the key file's
 * token_uri follows the port; secret files are mode 0600.
 */
import assert from 'node:assert/strict'
import { readFileSync, statSync } from 'node:fs'
import { describe, test } from 'node:test'
import { BC_SCOPE, BM_SCOPE, call, mintAccessToken, startTestEmulator, tempDataDir } from '../test-support/harness.ts'

describe('emulator persistence', () => {
  test('a restart on the same data directory keeps agent, conversations, key and tokens', async (t) => {
    const dataDir = tempDataDir(t)
    const first = await startTestEmulator(t, { dataDir })
    const token = await mintAccessToken(first, [BM_SCOPE, BC_SCOPE])
    const keyBefore = JSON.parse(readFileSync(first.keyFilePath, 'utf8'))
    assert.equal(keyBefore.type, 'service_account')
    assert.equal(keyBefore.token_uri, `${first.url}/token`)
    assert.match(keyBefore.private_key, /^-----BEGIN PRIVATE KEY-----/)
    assert.equal(statSync(first.keyFilePath).mode & 0o777, 0o600)
    assert.equal(statSync(first.webhookClientTokenPath).mode & 0o777, 0o600)
    const clientToken = readFileSync(first.webhookClientTokenPath, 'utf8')
    const patchURL = `${first.url}/v1/${first.agentName}?updateMask=businessMessagesAgent.authorizationConfig`
    const endpoint = {
      businessMessagesAgent: { authorizationConfig: { endpointUrl: 'https://provider.example/authorize' } },
    }
    assert.equal((await call(patchURL, { method: 'PATCH', token, body: endpoint })).status, 200)
    const opened = await call(`${first.url}/emulator/v1/conversations`, { body: {} })
    const conversationId = opened.body.conversationId as string
    await call(`${first.url}/v1/conversations/${conversationId}/messages`, {
      token,
      body: { messageId: 'keep-me', text: 'hello' },
    })
    const identity = { agent: first.agentName, partner: first.partnerName, brand: first.brandName }
    await first.close()

    const second = await startTestEmulator(t, { dataDir })
    assert.deepEqual({ agent: second.agentName, partner: second.partnerName, brand: second.brandName }, identity)
    const keyAfter = JSON.parse(readFileSync(second.keyFilePath, 'utf8'))
    assert.equal(keyAfter.private_key, keyBefore.private_key)
    assert.equal(keyAfter.client_email, keyBefore.client_email)
    assert.equal(keyAfter.token_uri, `${second.url}/token`)
    assert.equal(readFileSync(second.webhookClientTokenPath, 'utf8'), clientToken)
    const agent = await call(`${second.url}/v1/${second.agentName}`, { token })
    assert.equal(agent.status, 200, 'a token issued before the restart is still valid')
    assert.deepEqual(
      agent.body.businessMessagesAgent.authorizationConfig,
      endpoint.businessMessagesAgent.authorizationConfig,
    )
    const view = await call(`${second.url}/emulator/v1/conversations/${conversationId}`)
    assert.equal(view.status, 200)
    assert.equal(view.body.transcript[0].id, 'keep-me')
    const dup = await call(`${second.url}/v1/conversations/${conversationId}/messages`, {
      token,
      body: { messageId: 'keep-me', text: 'again' },
    })
    assert.equal(dup.status, 409, 'message ids are remembered across restarts')
    await mintAccessToken(second) // the same key still signs valid assertions
  })
})
