/**
 * @module emulator/state/provision
 * First-start provisioning and per-start refresh of the emulator's identity: a partner, a brand and a
 * Business Messages agent with random numeric ids (never constants in the repository), an RSA
 * service-account key written as a Google-format key file, and the webhook client token (the HMAC
 * signing key, docs/contract-decisions.md §3.7 / §10 Q7). Later starts reuse all of it; only the
 * key file's `token_uri` is rewritten because the port may change. The key file is read at most
 * once and written once per start: {@link provisionEmulator} hands the parsed (or new) key to
 * {@link writeTokenURI}, which writes it with the listening port's token URI.
 */
import { createPublicKey, randomBytes, randomInt, type KeyObject } from 'node:crypto'
import { chmodSync, existsSync, readFileSync, renameSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import type { DatabaseSync } from 'node:sqlite'
import { exportPKCS8, generateKeyPair } from 'jose'
import { getMeta, inTransaction, setMeta } from './db.ts'
import { ResourceStore, type JSONObject } from './resource-store.ts'

export const KEY_FILE = 'service-account.json'
export const WEBHOOK_CLIENT_TOKEN_FILE = 'webhook-client-token'

/** The emulator's identity after provisioning. */
export interface Provisioned {
  partnerName: string
  brandName: string
  agentName: string
  clientEmail: string
  keyFilePath: string
  webhookClientTokenPath: string
  /** Public half of the service-account key: verifies `/token` assertions. */
  publicKey: KeyObject
  /** The key file's content, for {@link writeTokenURI}. Holds the private key: never log it. */
  keyFile: ServiceAccountKeyFile
}

/** Google's service-account key file fields (the ones client libraries read). */
export interface ServiceAccountKeyFile {
  type: 'service_account'
  project_id: string
  private_key_id: string
  private_key: string
  client_email: string
  client_id: string
  auth_uri: string
  token_uri: string
  auth_provider_x509_cert_url: string
  client_x509_cert_url: string
  universe_domain: string
}

/** A random all-digit id like Google's (`brands/12345`), never starting with 0. */
export function randomNumericId(digits: number): string {
  let id = String(randomInt(1, 10))
  while (id.length < digits) id += String(randomInt(0, 10))
  return id
}

/**
 * Letters in a webhook client token: 55 upper-case letters carry 55 · log2(26) ≈ 258.5 bits, at
 * least the 256 bits of the HMAC-SHA512 key it becomes (security case E4).
 */
export const WEBHOOK_CLIENT_TOKEN_LETTERS = 55

/** Bytes at or above this are rejected: 234 = 9 · 26 is the largest multiple of 26 a byte can reach. */
const UNBIASED_BYTE_LIMIT = 234

/**
 * A random webhook client token of {@link WEBHOOK_CLIENT_TOKEN_LETTERS} upper-case letters (the
 * console's tokens are letters only), each drawn uniformly by rejection sampling: a byte is used
 * only below {@link UNBIASED_BYTE_LIMIT}, so `byte % 26` favours no letter (E4).
 * @param random a source of random bytes; tests pass a fixed one.
 */
export function newWebhookClientToken(random: (size: number) => Uint8Array = randomBytes): string {
  let token = ''
  while (token.length < WEBHOOK_CLIENT_TOKEN_LETTERS) {
    for (const byte of random(WEBHOOK_CLIENT_TOKEN_LETTERS)) {
      if (byte >= UNBIASED_BYTE_LIMIT) continue
      token += String.fromCharCode(65 + (byte % 26))
      if (token.length === WEBHOOK_CLIENT_TOKEN_LETTERS) break
    }
  }
  return token
}

/** Writes `text` to `path` with mode 0600 via a temporary file and a rename (never half-written). */
export function writeSecretFile(path: string, text: string): void {
  const tmp = `${path}.tmp-${process.pid}`
  writeFileSync(tmp, text, { mode: 0o600 })
  chmodSync(tmp, 0o600)
  renameSync(tmp, path)
}

/**
 * Provisions on first start and loads the identity afterwards. Writes only a missing webhook client
 * token; a new key file is written by {@link writeTokenURI} once the port is known.
 */
export async function provisionEmulator(db: DatabaseSync, dataDir: string): Promise<Provisioned> {
  if (getMeta(db, 'agentName') === undefined) createResources(db)
  const keyFilePath = join(dataDir, KEY_FILE)
  const keyFile = await ensureKeyFile(db, keyFilePath)
  const webhookClientTokenPath = join(dataDir, WEBHOOK_CLIENT_TOKEN_FILE)
  if (!existsSync(webhookClientTokenPath)) writeSecretFile(webhookClientTokenPath, newWebhookClientToken())
  return {
    partnerName: mustMeta(db, 'partnerName'),
    brandName: mustMeta(db, 'brandName'),
    agentName: mustMeta(db, 'agentName'),
    clientEmail: keyFile.client_email,
    keyFilePath,
    webhookClientTokenPath,
    publicKey: createPublicKey(keyFile.private_key),
    keyFile,
  }
}

/** Writes the key file with `token_uri` set (mode 0600); called on every start. */
export function writeTokenURI(keyFilePath: string, keyFile: ServiceAccountKeyFile, tokenURI: string): void {
  writeSecretFile(keyFilePath, `${JSON.stringify({ ...keyFile, token_uri: tokenURI }, null, 2)}\n`)
}

function mustMeta(db: DatabaseSync, key: string): string {
  const value = getMeta(db, key)
  if (value === undefined) throw new Error(`emulator state is missing meta ${key}`)
  return value
}

function createResources(db: DatabaseSync): void {
  const store = new ResourceStore(db)
  const partnerName = `partners/${randomNumericId(10)}`
  const brandName = `brands/${randomNumericId(10)}`
  const agentName = `${brandName}/agents/${randomNumericId(10)}`
  const projectId = `bm-emulator-${randomNumericId(6)}`
  inTransaction(db, () => {
    store.savePartner(partnerName, {
      name: partnerName,
      displayName: 'bm-oauth emulator partner',
      productCapabilities: [{ product: 'BUSINESS_MESSAGES', businessMessagesCapability: {} }],
    })
    store.insertBrand(brandName, partnerName, { name: brandName, displayName: 'Emulated Tree Bank' })
    store.insertAgent(agentName, brandName, defaultAgent(agentName))
    setMeta(db, 'partnerName', partnerName)
    setMeta(db, 'brandName', brandName)
    setMeta(db, 'agentName', agentName)
    setMeta(db, 'projectId', projectId)
    setMeta(db, 'clientEmail', `bm-agent@${projectId}.iam.gserviceaccount.com`)
    setMeta(db, 'clientId', randomNumericId(21))
  })
}

/**
 * A realistic BusinessMessagesAgent (docs/contract-decisions.md §1.5) without authorizationConfig:
 * the seed step sets that.
 */
export function defaultAgent(name: string): JSONObject {
  return {
    name,
    displayName: 'Emulated Tree Bank',
    businessMessagesAgent: {
      logoUrl: 'https://example.com/logo.png',
      entryPointConfigs: [{ allowedEntryPoint: 'LOCATION' }, { allowedEntryPoint: 'NON_LOCAL' }],
      conversationalSettings: {
        en: {
          welcomeMessage: { text: 'Welcome to Emulated Tree Bank. How can we help?' },
          offlineMessage: { text: 'We are offline right now; we will answer as soon as we can.' },
          privacyPolicy: { url: 'https://example.com/privacy' },
          conversationStarters: [{ suggestion: { reply: { text: 'Check my balance', postbackData: 'balance' } } }],
        },
      },
      defaultLocale: 'en',
      primaryAgentInteraction: {
        interactionType: 'BOT',
        botRepresentative: { botMessagingAvailability: { hours: [] } },
      },
      customAgentId: 'bm-oauth-emulated',
    },
  }
}

/** The key file on disk if it belongs to this emulator, else a new key (not written yet). */
async function ensureKeyFile(db: DatabaseSync, path: string): Promise<ServiceAccountKeyFile> {
  const clientEmail = mustMeta(db, 'clientEmail')
  if (existsSync(path)) {
    const existing = JSON.parse(readFileSync(path, 'utf8')) as ServiceAccountKeyFile
    if (existing.client_email === clientEmail && typeof existing.private_key === 'string') return existing
  }
  const { privateKey } = await generateKeyPair('RS256', { extractable: true, modulusLength: 2048 })
  return {
    type: 'service_account',
    project_id: mustMeta(db, 'projectId'),
    private_key_id: randomBytes(20).toString('hex'),
    private_key: await exportPKCS8(privateKey),
    client_email: clientEmail,
    client_id: mustMeta(db, 'clientId'),
    auth_uri: 'https://accounts.google.com/o/oauth2/auth',
    token_uri: 'https://oauth2.googleapis.com/token',
    auth_provider_x509_cert_url: 'https://www.googleapis.com/oauth2/v1/certs',
    client_x509_cert_url: `https://www.googleapis.com/robot/v1/metadata/x509/${encodeURIComponent(clientEmail)}`,
    universe_domain: 'googleapis.com',
  }
}
