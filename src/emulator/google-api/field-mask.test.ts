/** FieldMask semantics of the emulated patch methods (docs/contract-decisions.md §1.3, AIP-134). */
import assert from 'node:assert/strict'
import { describe, test } from 'node:test'
import { isBmOAuthError } from '../../errors.ts'
import { AGENT_SCHEMA, applyFieldMask, checkKnownFields, impliedMask, parseUpdateMask } from './field-mask.ts'

describe('field-mask', () => {
  const agent = {
    name: 'brands/1/agents/2',
    displayName: 'Bank',
    businessMessagesAgent: { defaultLocale: 'en', conversationalSettings: { en: { welcomeMessage: { text: 'Hi' } } } },
  }

  test('parses comma-separated camel or snake paths, drops output-only, keeps map keys', () => {
    assert.deepEqual(parseUpdateMask('displayName, business_messages_agent.authorization_config,name', AGENT_SCHEMA), [
      'displayName',
      'businessMessagesAgent.authorizationConfig',
    ])
    assert.deepEqual(parseUpdateMask('businessMessagesAgent.conversationalSettings.en', AGENT_SCHEMA), [
      'businessMessagesAgent.conversationalSettings.en',
    ])
    assert.equal(parseUpdateMask(null, AGENT_SCHEMA), undefined)
    assert.deepEqual(parseUpdateMask('*', AGENT_SCHEMA), ['*'])
  })

  test('refuses unknown paths and sub-paths of leaves, naming the path', () => {
    for (const bad of ['businessMessagesAgent.nope', 'displayName.x', 'a..b']) {
      assert.throws(
        () => parseUpdateMask(bad, AGENT_SCHEMA),
        (err: unknown) => isBmOAuthError(err, 'ERR_INVALID_ARGUMENT') && err.message.includes(bad),
      )
    }
  })

  test('copies named paths from the body, clears named-but-absent ones, replaces lists wholesale', () => {
    const withList = {
      ...agent,
      businessMessagesAgent: { ...agent.businessMessagesAgent, entryPointConfigs: [{ allowedEntryPoint: 'LOCATION' }] },
    }
    const result = applyFieldMask(
      withList,
      { businessMessagesAgent: { entryPointConfigs: [{ allowedEntryPoint: 'NON_LOCAL' }] } },
      ['businessMessagesAgent.entryPointConfigs', 'businessMessagesAgent.defaultLocale'],
    )
    assert.deepEqual(result['businessMessagesAgent'], {
      conversationalSettings: { en: { welcomeMessage: { text: 'Hi' } } },
      entryPointConfigs: [{ allowedEntryPoint: 'NON_LOCAL' }],
    })
    assert.equal(withList.businessMessagesAgent.defaultLocale, 'en', 'the input is not mutated')
  })

  test('implied mask lists populated leaves, map entries and opaque messages', () => {
    const body = {
      displayName: 'X',
      businessMessagesAgent: {
        conversationalSettings: { fr: { privacyPolicy: { url: 'u' } } },
        phone: { number: '+1' },
      },
    }
    assert.deepEqual(impliedMask(body, AGENT_SCHEMA).sort(), [
      'businessMessagesAgent.conversationalSettings.fr',
      'businessMessagesAgent.phone',
      'displayName',
    ])
  })

  test('unknown body fields are refused like Google’s decoder, output-only ones dropped', () => {
    assert.deepEqual(checkKnownFields({ name: 'x', displayName: 'y' }, AGENT_SCHEMA, 'agent'), { displayName: 'y' })
    assert.throws(
      () => checkKnownFields({ displayname: 'y' }, AGENT_SCHEMA, 'agent'),
      /Unknown name "displayname" at 'agent'/,
    )
  })

  test('checkKnownFields: inherited property names are unknown fields, not schema entries', () => {
    assert.throws(
      () => checkKnownFields({ constructor: 'y' }, AGENT_SCHEMA, 'agent'),
      /Unknown name "constructor" at 'agent'/,
    )
    const proto = JSON.parse('{"businessMessagesAgent": {"__proto__": {"x": 1}}}') as Record<string, unknown>
    assert.throws(
      () => checkKnownFields(proto, AGENT_SCHEMA, 'agent'),
      /Unknown name "__proto__" at 'agent.businessMessagesAgent'/,
    )
  })
})
