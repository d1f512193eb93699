/**
 * @module test/support/oidc-login
 * Drives the strict demo provider's login and consent pages with plain fetch and a tiny cookie jar,
 * the way the Business Messages user's browser would. It follows redirects on the provider's own
 * origin only and stops at the first redirect elsewhere (business.google.com), returning that
 * `Location` unvisited, as Google's client intercepts it.
 */

/** A minimal cookie jar: name → value, all cookies sent on every request to the provider. */
class CookieJar {
  readonly #cookies = new Map<string, string>()

  /** Records the `Set-Cookie` headers of `response` (expired ones delete the cookie). */
  store(response: Response): void {
    for (const line of response.headers.getSetCookie()) {
      const [pair = '', ...attributes] = line.split(';')
      const eq = pair.indexOf('=')
      if (eq <= 0) continue
      const name = pair.slice(0, eq).trim()
      const expired = attributes.some((a) => {
        const [key = '', value = ''] = a.trim().split('=')
        if (key.toLowerCase() === 'max-age') return Number(value) <= 0
        if (key.toLowerCase() === 'expires') return Date.parse(value) <= Date.now()
        return false
      })
      if (expired) this.#cookies.delete(name)
      else this.#cookies.set(name, pair.slice(eq + 1).trim())
    }
  }

  /** The `Cookie` header value, or `undefined` when the jar is empty. */
  header(): string | undefined {
    if (this.#cookies.size === 0) return undefined
    return [...this.#cookies].map(([k, v]) => `${k}=${v}`).join('; ')
  }
}

export interface LoginOptions {
  /** Default `alice`. */
  username?: string
  /** Default `wonderland`. */
  password?: string
  /** `deny` presses "Deny" on the consent page (default `allow`). */
  consent?: 'allow' | 'deny'
  fetch?: typeof globalThis.fetch
  jar?: CookieJar
  /** Upper bound on requests (default 12), so a redirect loop fails the test instead of hanging it. */
  maxSteps?: number
}

/** The provider refused a step (for instance the authorization request itself). */
export class LoginFlowError extends Error {
  readonly status: number
  readonly body: string
  constructor(message: string, status: number, body: string) {
    super(message)
    this.name = 'LoginFlowError'
    this.status = status
    this.body = body
  }
}

/**
 * Opens `authorizationURL`, signs in, consents, and returns the final `Location` header (the
 * redirect to the client's `redirect_uri` carrying `code` or `error`), without following it.
 * A redirect that the provider itself answers with (e.g. a 303 straight to the redirect URI with
 * `error=invalid_request`) is returned the same way.
 */
export async function loginAndConsent(authorizationURL: string, options: LoginOptions = {}): Promise<string> {
  const fetch = options.fetch ?? globalThis.fetch
  const jar = options.jar ?? new CookieJar()
  const origin = new URL(authorizationURL).origin
  let request: { url: string; init: RequestInit } = { url: authorizationURL, init: { method: 'GET' } }
  for (let step = 0; step < (options.maxSteps ?? 12); step++) {
    const cookie = jar.header()
    const headers = new Headers(request.init.headers)
    if (cookie !== undefined) headers.set('cookie', cookie)
    const response = await fetch(request.url, { ...request.init, headers, redirect: 'manual' })
    jar.store(response)
    const location = response.headers.get('location')
    if (response.status >= 300 && response.status < 400 && location !== null) {
      await response.body?.cancel()
      const next = new URL(location, request.url)
      if (next.origin !== origin) return location
      request = { url: next.href, init: { method: 'GET' } }
      continue
    }
    const body = await response.text()
    if (response.status !== 200)
      throw new LoginFlowError(`provider answered ${response.status} at ${request.url}`, response.status, body)
    request = { url: formAction(body, request.url, options), init: formSubmission(body, options) }
  }
  throw new Error('login flow did not finish within maxSteps')
}

/** Extracts `code` (or throws with `error`) from a final Location. */
export function codeFromLocation(location: string): string {
  const params = new URL(location).searchParams
  const code = params.get('code')
  if (code === null)
    throw new Error(`no code in redirect: error=${params.get('error')} ${params.get('error_description')}`)
  return code
}

function formAction(html: string, pageURL: string, options: LoginOptions): string {
  const prompt = /data-prompt="(login|consent)"/.exec(html)?.[1]
  if (prompt === undefined) throw new LoginFlowError('page has no login or consent form', 200, html)
  const actions = [...html.matchAll(/<form method="post" action="([^"]+)"/g)].map((m) => m[1] ?? '')
  const wanted =
    prompt === 'consent' && options.consent === 'deny' ? actions.find((a) => a.endsWith('/abort')) : actions[0]
  if (wanted === undefined) throw new LoginFlowError('form action not found', 200, html)
  return new URL(wanted, pageURL).href
}

function formSubmission(html: string, options: LoginOptions): RequestInit {
  const isLogin = html.includes('data-prompt="login"')
  const body = isLogin
    ? new URLSearchParams({ username: options.username ?? 'alice', password: options.password ?? 'wonderland' })
    : new URLSearchParams()
  return { method: 'POST', body, headers: { 'content-type': 'application/x-www-form-urlencoded' } }
}
