/**
 * @module emulator/state/webhook-config
 * Where deliveries go and which key signs them (docs/contract-decisions.md §1.6, §3.7, §10 Q7 and
 * docs/contract-decisions.md §10 "webhook key via API"). The URL is the
 * `EmulatorOptions.webhookUrl` override or else the partner's
 * `productCapabilities[BUSINESS_MESSAGES].businessMessagesCapability.webhookUrl`; the signing key
 * is the webhook client token held in `<dataDir>/webhook-client-token` (mode 0600), which a new
 * webhook URL set through `partners.patch` replaces.
 */
import { readFileSync } from 'node:fs'
import { writeSecretFile } from './provision.ts'
import type { JSONObject, ResourceStore } from './resource-store.ts'
import type { WebhookTarget } from '../webhook/dispatcher.ts'

export interface WebhookConfigOptions {
  tokenPath: string
  resources: ResourceStore
  partnerName: string
  overrideUrl?: string | undefined
}

/** The BUSINESS_MESSAGES capability object of a partner, if any. */
export function businessMessagesCapability(partner: JSONObject | undefined): JSONObject | undefined {
  const caps = partner?.['productCapabilities']
  if (!Array.isArray(caps)) return undefined
  for (const cap of caps as unknown[]) {
    if (typeof cap !== 'object' || cap === null) continue
    const c = cap as JSONObject
    const bm = c['businessMessagesCapability']
    if ((c['product'] === 'BUSINESS_MESSAGES' || c['product'] === undefined) && typeof bm === 'object' && bm !== null) {
      return bm as JSONObject
    }
  }
  return undefined
}

/** Resolves the webhook target; owns the client token (in memory + file). */
export class WebhookConfig {
  readonly #options: WebhookConfigOptions
  #clientToken: string

  constructor(options: WebhookConfigOptions) {
    this.#options = options
    this.#clientToken = readFileSync(options.tokenPath, 'utf8').trim()
  }

  /** The current signing key. Secret: never log it. */
  get clientToken(): string {
    return this.#clientToken
  }

  /**
   * Makes `token` (from `newWebhookClientToken()`) the signing key: in memory and in the token file.
   * Synchronous, so a caller can install it and save the matching webhook URL with no await between.
   */
  installClientToken(token: string): void {
    writeSecretFile(this.#options.tokenPath, token)
    this.#clientToken = token
  }

  /** The partner-level webhook URL set through the API, if any. */
  partnerWebhookUrl(): string | undefined {
    const url = businessMessagesCapability(this.#options.resources.getPartner(this.#options.partnerName))?.[
      'webhookUrl'
    ]
    return typeof url === 'string' && url !== '' ? url : undefined
  }

  /** The URL deliveries go to: the start-up override, else the partner's. */
  effectiveUrl(): string | undefined {
    return this.#options.overrideUrl ?? this.partnerWebhookUrl()
  }

  /** The dispatcher's target: every agent of the partner shares the partner-level webhook. */
  target(): WebhookTarget | undefined {
    const url = this.effectiveUrl()
    return url === undefined ? undefined : { url, signingKey: this.#clientToken }
  }
}
