/**
 * @module oauth/client-auth
 * Builds the token-endpoint client authentication (RFC 6749 §2.3.1, RFC 7523 `private_key_jwt`)
 * from our {@link ClientConfig}. The secret or key ends up inside the returned closure only.
 */
import * as oauth from 'oauth4webapi'
import { ConfigError } from '../errors.ts'
import type { ClientConfig } from './config.ts'

/** Returns the oauth4webapi client-authentication function for `client`. */
export async function createClientAuth(client: ClientConfig): Promise<oauth.ClientAuth> {
  switch (client.tokenEndpointAuthMethod) {
    case 'client_secret_basic':
      return oauth.ClientSecretBasic(client.clientSecret ?? '')
    case 'client_secret_post':
      return oauth.ClientSecretPost(client.clientSecret ?? '')
    case 'private_key_jwt':
      return oauth.PrivateKeyJwt(await importPrivateKey(client))
    case 'none':
      return oauth.None()
  }
}

async function importPrivateKey(client: ClientConfig): Promise<oauth.PrivateKey> {
  const key = client.privateKey
  if (key instanceof CryptoKey) {
    return client.privateKeyId === undefined ? { key } : { key, kid: client.privateKeyId }
  }
  if (key === undefined || typeof key !== 'object' || typeof key.d !== 'string') {
    throw new ConfigError('client.privateKey', 'must be a private JWK or CryptoKey')
  }
  const algorithm = jwkAlgorithm(key)
  try {
    const cryptoKey = await crypto.subtle.importKey('jwk', key, algorithm, false, ['sign'])
    const kid = client.privateKeyId ?? (key as { kid?: unknown }).kid
    return typeof kid === 'string' ? { key: cryptoKey, kid } : { key: cryptoKey }
  } catch {
    // The import error can describe the key material; keep it out of the error chain.
    throw new ConfigError('client.privateKey', 'could not be imported')
  }
}

/** WebCrypto parameters for a JWK, from its `alg` or, failing that, its key type and curve. */
function jwkAlgorithm(jwk: JsonWebKey): RsaHashedImportParams | EcKeyImportParams | Algorithm {
  const alg = jwk.alg
  if (jwk.kty === 'RSA') {
    const hash = `SHA-${alg?.slice(2) ?? '256'}`
    return { name: alg?.startsWith('PS') === true ? 'RSA-PSS' : 'RSASSA-PKCS1-v1_5', hash }
  }
  if (jwk.kty === 'EC' && typeof jwk.crv === 'string') return { name: 'ECDSA', namedCurve: jwk.crv }
  if (jwk.kty === 'OKP' && jwk.crv === 'Ed25519') return { name: 'Ed25519' }
  throw new ConfigError('client.privateKey', 'has an unsupported key type')
}
