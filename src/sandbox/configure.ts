/**
 * @module sandbox/configure
 * The "configure-oauth" step of the sandbox, done the way an operator does it against Google:
 * through the Business Communications API with the emulator's service-account key. It points the
 * agent's `authorizationConfig.endpointUrl` at the demo provider's authorization endpoint and gives
 * the agent the bank's name and welcome message.
 */
import { BusinessCommunicationsClient, ServiceAccountCredentials, readServiceAccountKey } from '../google/index.ts'
import { InvalidArgumentError } from '../index.ts'
import type { FetchLike } from '../index.ts'
import { BANK_NAME } from '../demo/bank-agent/index.ts'

export interface ConfigureAgentOptions {
  emulatorUrl: string
  keyFilePath: string
  agentName: string
  /** The provider's issuer; its authorization endpoint is discovered. */
  issuer: string
  fetch?: FetchLike
}

const WELCOME_MESSAGE = `Hi! I'm the ${BANK_NAME} assistant. Ask me about opening hours, or check your balance.`

/** Discovers the provider's authorization endpoint and sets it on the agent; returns it. */
export async function configureAgent(options: ConfigureAgentOptions): Promise<string> {
  const fetch = options.fetch ?? globalThis.fetch
  const authorizationEndpoint = await discoverAuthorizationEndpoint(options.issuer, fetch)
  const key = await readServiceAccountKey(options.keyFilePath)
  const credentials = new ServiceAccountCredentials(key, { scopes: ['businesscommunications'], fetch })
  const bc = new BusinessCommunicationsClient({ credentials, baseUrl: options.emulatorUrl, fetch })
  await bc.setAuthorizationEndpoint(options.agentName, authorizationEndpoint)
  await bc.patchAgent(
    options.agentName,
    {
      displayName: BANK_NAME,
      businessMessagesAgent: {
        conversationalSettings: { en: { welcomeMessage: { text: WELCOME_MESSAGE } } },
      },
    },
    ['displayName', 'businessMessagesAgent.conversationalSettings.en.welcomeMessage'],
  )
  return authorizationEndpoint
}

async function discoverAuthorizationEndpoint(issuer: string, fetch: FetchLike): Promise<string> {
  const response = await fetch(`${issuer}/.well-known/openid-configuration`, { signal: AbortSignal.timeout(10_000) })
  const metadata = (await response.json().catch(() => ({}))) as { authorization_endpoint?: unknown }
  if (!response.ok || typeof metadata.authorization_endpoint !== 'string') {
    throw new InvalidArgumentError(
      'provider',
      `no authorization_endpoint in ${issuer}/.well-known/openid-configuration`,
    )
  }
  return metadata.authorization_endpoint
}
