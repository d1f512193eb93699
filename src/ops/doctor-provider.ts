/**
 * @module ops/doctor-provider
 * `doctor` checks against the OAuth provider: its metadata (discovery), PKCE S256 support, the
 * configured token endpoint auth method, and whether the authorization endpoint accepts each of the
 * four Business Messages redirect URIs (plus configured stand-ins).
 *
 * The redirect-URI probe sends the authorization request the device would send and reads the
 * answer without following it. A provider that accepts the redirect URI answers with its login page
 * or a redirect to it (oidc-provider: 303 to `/interaction/…` on its own origin); one that rejects
 * it must not redirect there (RFC 6749 §4.1.2.1) and answers an error page, 400
 * `invalid_redirect_uri` for oidc-provider. A redirect back to the redirect URI carrying `error=`
 * means the URI was accepted but something else in the request was refused.
 */
import { randomBytes } from 'node:crypto'
import type { TokenEndpointAuthMethod } from '../oauth/config.ts'
import { calculateS256Challenge, generateCodeVerifier } from '../pkce/pkce.ts'
import { allowedRedirectURIs } from './config-access.ts'
import type { BmOAuthConfig } from './config.ts'
import {
  fail,
  pass,
  printable,
  probe,
  unreachable,
  type DoctorCheck,
  type DoctorContext,
  type ProbeResponse,
} from './doctor-types.ts'

/** The provider metadata the checks need, from discovery or from an explicit configuration. */
export interface ProviderMetadata {
  source: 'discovery' | 'configuration'
  authorizationEndpoint: string
  codeChallengeMethods: readonly string[] | undefined
  /** `undefined` for an explicit configuration (nothing declared). */
  tokenEndpointAuthMethods: readonly string[] | undefined
}

const DISCOVERY = 'provider.discovery'
const DISCOVERY_TITLE = 'provider discovery'

/** Check 1: the provider's metadata can be read. Returns the metadata for the later checks. */
export async function checkDiscovery(
  ctx: DoctorContext,
  config: BmOAuthConfig,
): Promise<{ check: DoctorCheck; metadata: ProviderMetadata | undefined }> {
  const provider = config.provider
  if (provider === undefined) {
    const hint = 'set "provider": {"issuer": …} in the config file or BM_OAUTH_ISSUER'
    return { check: fail(DISCOVERY, DISCOVERY_TITLE, 'no provider configured', hint), metadata: undefined }
  }
  if ('tokenEndpoint' in provider) {
    const metadata: ProviderMetadata = {
      source: 'configuration',
      authorizationEndpoint: provider.authorizationEndpoint,
      codeChallengeMethods: provider.pkceMethods,
      tokenEndpointAuthMethods: undefined,
    }
    return { check: pass(DISCOVERY, DISCOVERY_TITLE, 'explicit endpoints configured (no discovery)'), metadata }
  }
  const url = discoveryURL(provider.issuer, provider.discovery ?? 'oidc')
  let answer: ProbeResponse
  try {
    answer = await probe(ctx, url, { headers: { accept: 'application/json' } })
  } catch (err) {
    return { check: fail(DISCOVERY, DISCOVERY_TITLE, `${url} ${unreachable(err)}`, issuerHint()), metadata: undefined }
  }
  if (answer.status !== 200) {
    return {
      check: fail(DISCOVERY, DISCOVERY_TITLE, `${url} answered HTTP ${answer.status}`, issuerHint()),
      metadata: undefined,
    }
  }
  const document = parseObject(answer.body)
  if (document === undefined) {
    return { check: fail(DISCOVERY, DISCOVERY_TITLE, `${url} is not a JSON object`, issuerHint()), metadata: undefined }
  }
  return metadataFromDocument(document, provider.issuer, url)
}

function parseObject(text: string): Record<string, unknown> | undefined {
  try {
    const value = JSON.parse(text) as unknown
    return typeof value === 'object' && value !== null && !Array.isArray(value)
      ? (value as Record<string, unknown>)
      : undefined
  } catch {
    return undefined
  }
}

function issuerHint(): string {
  return 'check provider.issuer: it must be the exact issuer identifier, reachable from this host'
}

function discoveryURL(issuer: string, kind: 'oidc' | 'oauth2'): string {
  const url = new URL(issuer)
  const path = url.pathname === '/' ? '' : url.pathname.replace(/\/$/, '')
  if (kind === 'oidc') return `${url.origin}${path}/.well-known/openid-configuration`
  return `${url.origin}/.well-known/oauth-authorization-server${path}` // RFC 8414 §3.1
}

function metadataFromDocument(
  document: Record<string, unknown>,
  issuer: string,
  url: string,
): { check: DoctorCheck; metadata: ProviderMetadata | undefined } {
  if (document['issuer'] !== issuer) {
    const detail = `metadata issuer ${JSON.stringify(document['issuer'])} differs from the configured ${issuer}`
    return {
      check: fail(DISCOVERY, DISCOVERY_TITLE, detail, 'set provider.issuer to the exact issuer value'),
      metadata: undefined,
    }
  }
  const authorizationEndpoint = document['authorization_endpoint']
  if (typeof authorizationEndpoint !== 'string') {
    return { check: fail(DISCOVERY, DISCOVERY_TITLE, `${url} has no authorization_endpoint`), metadata: undefined }
  }
  const list = (name: string): string[] | undefined => {
    const value = document[name]
    return Array.isArray(value) ? value.filter((v): v is string => typeof v === 'string') : undefined
  }
  const metadata: ProviderMetadata = {
    source: 'discovery',
    authorizationEndpoint,
    codeChallengeMethods: list('code_challenge_methods_supported'),
    // RFC 8414 §2: when omitted, the default is client_secret_basic.
    tokenEndpointAuthMethods: list('token_endpoint_auth_methods_supported') ?? ['client_secret_basic'],
  }
  return {
    check: pass(DISCOVERY, DISCOVERY_TITLE, `${url} (authorization endpoint ${authorizationEndpoint})`),
    metadata,
  }
}

/**
 * Check 2: PKCE S256 is supported (bm-oauth refuses providers without it,
 * docs/contract-decisions.md §10 Q1).
 */
export function checkS256(metadata: ProviderMetadata | undefined): DoctorCheck {
  const id = 'provider.s256'
  const title = 'PKCE S256 supported'
  if (metadata === undefined) return fail(id, title, 'provider metadata unavailable (see provider discovery)')
  const methods = metadata.codeChallengeMethods
  if (methods?.includes('S256') === true)
    return pass(id, title, `code_challenge_methods_supported: ${methods.join(', ')}`)
  const declared = methods === undefined ? 'not declared' : `only ${methods.join(', ') || 'none'}`
  return fail(
    id,
    title,
    `S256 ${declared}`,
    'enable PKCE with S256 at the provider; bm-oauth never sends plain challenges',
  )
}

/** Check 3: the configured client authentication method is one the token endpoint supports. */
export function checkAuthMethod(config: BmOAuthConfig, metadata: ProviderMetadata | undefined): DoctorCheck {
  const id = 'provider.auth-method'
  const title = 'token endpoint auth method'
  const client = config.client
  if (client === undefined)
    return fail(id, title, 'no client configured', 'set "client" in the config file or BM_OAUTH_CLIENT_ID')
  const method: TokenEndpointAuthMethod = client.tokenEndpointAuthMethod
  const needsSecret = method === 'client_secret_basic' || method === 'client_secret_post'
  if (needsSecret && client.clientSecret === undefined) {
    return fail(id, title, `${method} needs a client secret, none is configured`, 'set BM_OAUTH_CLIENT_SECRET')
  }
  if (method === 'private_key_jwt' && client.privateKeyFile === undefined) {
    return fail(
      id,
      title,
      'private_key_jwt needs client.privateKeyFile',
      'point client.privateKeyFile at the private JWK',
    )
  }
  if (metadata === undefined) return fail(id, title, 'provider metadata unavailable (see provider discovery)')
  const supported = metadata.tokenEndpointAuthMethods
  if (supported === undefined) return pass(id, title, `${method} (explicit configuration: not declared, assumed)`)
  if (supported.includes(method)) return pass(id, title, `${method} (supported: ${supported.join(', ')})`)
  return fail(
    id,
    title,
    `${method} is not among ${supported.join(', ')}`,
    'set client.tokenEndpointAuthMethod to a supported method',
  )
}

/** Checks 4…: the authorization endpoint accepts each redirect URI Business Messages uses. */
export async function checkRedirectURIs(
  ctx: DoctorContext,
  config: BmOAuthConfig,
  metadata: ProviderMetadata | undefined,
): Promise<DoctorCheck[]> {
  const uris = allowedRedirectURIs(config)
  const checks: DoctorCheck[] = []
  for (const [index, uri] of uris.entries()) {
    const id = `redirect-uri.${index + 1}`
    const title = `redirect URI ${uri}`
    if (metadata === undefined) checks.push(fail(id, title, 'provider metadata unavailable (see provider discovery)'))
    else if (config.client === undefined) checks.push(fail(id, title, 'no client configured (client.clientId)'))
    else
      checks.push(
        await probeRedirectURI(ctx, {
          id,
          title,
          uri,
          clientId: config.client.clientId,
          scopes: config.scopes,
          endpoint: metadata.authorizationEndpoint,
        }),
      )
  }
  return checks
}

interface RedirectProbe {
  id: string
  title: string
  uri: string
  clientId: string
  scopes: readonly string[]
  endpoint: string
}

async function probeRedirectURI(ctx: DoctorContext, p: RedirectProbe): Promise<DoctorCheck> {
  const url = authorizationRequest(p)
  const registerHint = `register this exact string as a redirect URI of client ${p.clientId} (see "bm-oauth redirect-uris")`
  let answer: ProbeResponse
  try {
    answer = await probe(ctx, url)
  } catch (err) {
    return fail(p.id, p.title, `authorization endpoint ${unreachable(err)}`)
  }
  if (answer.status >= 300 && answer.status < 400 && answer.location !== null) {
    const target = new URL(answer.location, url)
    const back = new URL(p.uri)
    if (target.origin !== back.origin || target.pathname !== back.pathname) {
      // Only the first path segment: the rest is a per-request interaction id.
      const page = `${target.origin}/${target.pathname.split('/')[1] ?? ''}`
      return pass(p.id, p.title, `accepted (HTTP ${answer.status} to the login at ${page})`)
    }
    const error = target.searchParams.get('error')
    if (error === null) return pass(p.id, p.title, 'accepted (redirected back with a code)')
    const description = target.searchParams.get('error_description')
    const detail = `accepted, but the provider refused the request: ${printable(error)}${description === null ? '' : ` (${printable(description)})`}`
    return fail(p.id, p.title, detail, 'check client.clientId and scopes against the provider registration')
  }
  const error = oauthErrorIn(answer.body)
  if (answer.status === 200 && error === undefined) return pass(p.id, p.title, 'accepted (login page)')
  const reason = `rejected: HTTP ${answer.status}${error === undefined ? '' : ` ${error}`}`
  const hint = error === 'invalid_client' ? `the provider does not know client_id ${p.clientId}` : registerHint
  return fail(p.id, p.title, reason, hint)
}

/**
 * The request the device sends on a chip tap (docs/contract-decisions.md §10 Q2), with a throwaway
 * S256 challenge.
 */
function authorizationRequest(p: RedirectProbe): URL {
  const url = new URL(p.endpoint)
  const challenge = calculateS256Challenge(generateCodeVerifier())
  url.searchParams.set('response_type', 'code')
  url.searchParams.set('client_id', p.clientId)
  url.searchParams.set('redirect_uri', p.uri)
  url.searchParams.set('scope', p.scopes.length === 0 ? 'openid' : p.scopes.join(' '))
  url.searchParams.set('state', randomBytes(16).toString('base64url'))
  url.searchParams.set('code_challenge', challenge)
  url.searchParams.set('code_challenge_method', 'S256')
  return url
}

const OAUTH_ERROR =
  /\b(invalid_redirect_uri|redirect_uri_mismatch|invalid_client|invalid_request|unauthorized_client|access_denied|invalid_scope|server_error)\b/

/** An OAuth error code in an error page or JSON body, if one is there. */
function oauthErrorIn(body: string): string | undefined {
  return OAUTH_ERROR.exec(body)?.[1]
}
