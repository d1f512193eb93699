import { describe, test } from 'node:test'
import assert from 'node:assert/strict'
import { InvalidArgumentError } from '../errors.ts'
import { parseAgentName, parseBrandName, parsePartnerName, validateConversationId } from './resource-names.ts'

describe('resource names (docs/contract-decisions.md §1.2)', () => {
  test('parses an agent name', () => {
    assert.deepEqual(parseAgentName('brands/1111/agents/2222'), {
      brandId: '1111',
      agentId: '2222',
      name: 'brands/1111/agents/2222',
    })
  })

  test('rejects malformed agent names with the rule', () => {
    for (const bad of [
      '',
      'brands/1111',
      'brands/1111/agents/',
      'brands//agents/2',
      'brand/1/agents/2',
      'brands/1/agents/2/extra',
      'brands/1/agents/2?x=1',
      'brands/1/agents/..',
      '/brands/1/agents/2',
    ]) {
      assert.throws(
        () => parseAgentName(bad),
        (err: unknown) =>
          err instanceof InvalidArgumentError &&
          err.field === 'agent' &&
          err.message === 'agent: must look like brands/BRAND_ID/agents/AGENT_ID',
        bad,
      )
    }
  })

  test('parses brand and partner names', () => {
    assert.deepEqual(parseBrandName('brands/abc-1'), { brandId: 'abc-1', name: 'brands/abc-1' })
    assert.deepEqual(parsePartnerName('partners/p_9'), { partnerId: 'p_9', name: 'partners/p_9' })
    assert.throws(() => parseBrandName('brands/1/agents/2'), /brand: must look like brands\/BRAND_ID/)
    assert.throws(() => parsePartnerName('partner/1'), /partner: must look like partners\/PARTNER_ID/)
  })

  test('the field name can be customised', () => {
    assert.throws(
      () => parseAgentName('x', 'options.agent'),
      (err: unknown) => {
        return err instanceof InvalidArgumentError && err.field === 'options.agent'
      },
    )
  })

  test('conversation ids must be one URL-safe segment', () => {
    assert.equal(validateConversationId('3a7b-f00d_1.x~'), '3a7b-f00d_1.x~')
    for (const bad of ['', 'a/b', 'a?b', 'a#b', 'a b', 'x'.repeat(257)]) {
      assert.throws(() => validateConversationId(bad), InvalidArgumentError, bad)
    }
  })
})
