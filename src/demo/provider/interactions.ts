/**
 * @module demo/provider/interactions
 * Minimal login and consent pages for the demo provider, mounted in front of oidc-provider's own
 * routes. Plain HTML forms with no script, so they work in a real browser and can be driven by
 * `fetch` with a cookie jar. Routes: `GET /interaction/:uid` (the page for the pending prompt),
 * `POST /interaction/:uid/login`, `POST /interaction/:uid/confirm`, `POST /interaction/:uid/abort`.
 * CSRF: the interaction cookie is `SameSite=Lax` and scoped to the interaction path, so a
 * cross-site form post arrives without it and is refused.
 */
import type Provider from 'oidc-provider'
import type { InteractionResults } from 'oidc-provider'
import type { AccountStore } from './accounts.ts'

type Middleware = Parameters<Provider['use']>[0]
type Context = Parameters<Middleware>[0]
type Interaction = Awaited<ReturnType<Provider['interactionDetails']>>

const ROUTE = /^\/interaction\/([A-Za-z0-9_-]+)(?:\/(login|confirm|abort))?$/
const MAX_FORM_BYTES = 8 * 1024

/** Koa middleware serving the interaction pages of `provider`. */
export function createInteractionRoutes(provider: Provider, accounts: AccountStore): Middleware {
  return async (ctx, next) => {
    const match = ROUTE.exec(ctx.path)
    if (match === null) return next()
    ctx.set('cache-control', 'no-store')
    let interaction: Interaction
    try {
      interaction = await provider.interactionDetails(ctx.req, ctx.res)
    } catch {
      return sendPage(
        ctx,
        400,
        page('Sign-in expired', '<p>This sign-in link has expired. Start again from the chat.</p>'),
      )
    }
    if (interaction.uid !== match[1]) return sendPage(ctx, 400, page('Sign-in expired', '<p>Unknown sign-in.</p>'))
    const action = match[2]
    if (ctx.method === 'GET' && action === undefined) return showPrompt(ctx, interaction)
    if (ctx.method !== 'POST' || action === undefined) return sendPage(ctx, 405, page('Not allowed', ''))
    const form = await readForm(ctx)
    if (action === 'login') return login(provider, accounts, ctx, interaction, form)
    if (action === 'confirm')
      return finish(provider, ctx, { consent: { grantId: await saveGrant(provider, interaction) } })
    return finish(provider, ctx, { error: 'access_denied', error_description: 'End-User denied the request' })
  }
}

function showPrompt(ctx: Context, interaction: Interaction): void {
  if (interaction.prompt.name === 'login') sendPage(ctx, 200, loginPage(interaction, undefined))
  else if (interaction.prompt.name === 'consent') sendPage(ctx, 200, consentPage(interaction))
  else sendPage(ctx, 400, page('Unsupported', '<p>Unsupported sign-in step.</p>'))
}

async function login(
  provider: Provider,
  accounts: AccountStore,
  ctx: Context,
  interaction: Interaction,
  form: URLSearchParams,
): Promise<void> {
  if (interaction.prompt.name !== 'login') return sendPage(ctx, 400, page('Unexpected step', ''))
  const accountId = accounts.authenticate(form.get('username') ?? '', form.get('password') ?? '')
  if (accountId === undefined) return sendPage(ctx, 401, loginPage(interaction, 'Wrong username or password.'))
  return finish(provider, ctx, { login: { accountId, remember: false } })
}

/** Grants everything the pending consent prompt asks for, on the existing grant or a new one. */
async function saveGrant(provider: Provider, interaction: Interaction): Promise<string> {
  const { prompt, params, session, grantId } = interaction
  const existing = grantId === undefined ? undefined : await provider.Grant.find(grantId)
  const grant =
    existing ?? new provider.Grant({ accountId: session?.accountId ?? '', clientId: String(params['client_id']) })
  const details = prompt.details as {
    missingOIDCScope?: string[]
    missingOIDCClaims?: string[]
    missingResourceScopes?: Record<string, string[]>
  }
  if (details.missingOIDCScope !== undefined) grant.addOIDCScope(details.missingOIDCScope.join(' '))
  if (details.missingOIDCClaims !== undefined) grant.addOIDCClaims(details.missingOIDCClaims)
  for (const [resource, scopes] of Object.entries(details.missingResourceScopes ?? {})) {
    grant.addResourceScope(resource, scopes.join(' '))
  }
  return grant.save()
}

async function finish(provider: Provider, ctx: Context, result: InteractionResults): Promise<void> {
  const url = await provider.interactionResult(ctx.req, ctx.res, result, { mergeWithLastSubmission: false })
  ctx.status = 303
  ctx.redirect(url)
}

async function readForm(ctx: Context): Promise<URLSearchParams> {
  const chunks: Buffer[] = []
  let size = 0
  for await (const chunk of ctx.req as AsyncIterable<Buffer>) {
    size += chunk.length
    if (size > MAX_FORM_BYTES) ctx.throw(413, 'form too large')
    chunks.push(chunk)
  }
  return new URLSearchParams(Buffer.concat(chunks).toString('utf8'))
}

function sendPage(ctx: Context, status: number, html: string): void {
  ctx.status = status
  ctx.type = 'text/html; charset=utf-8'
  ctx.body = html
}

function loginPage(interaction: Interaction, error: string | undefined): string {
  const client = escapeHTML(String(interaction.params['client_id']))
  return page(
    'Sign in',
    `<p>Sign in to continue to <strong>${client}</strong>.</p>
${error === undefined ? '' : `<p role="alert" class="error">${escapeHTML(error)}</p>`}
<form method="post" action="/interaction/${interaction.uid}/login" data-prompt="login">
  <label>Username <input name="username" autocomplete="username" required autofocus></label>
  <label>Password <input name="password" type="password" autocomplete="current-password" required></label>
  <button type="submit">Sign in</button>
</form>
<p class="hint">Demo users: alice / wonderland, bob / builder.</p>`,
  )
}

function consentPage(interaction: Interaction): string {
  const client = escapeHTML(String(interaction.params['client_id']))
  const scopes = String(interaction.params['scope'] ?? '')
    .split(' ')
    .filter((s) => s !== '')
  return page(
    'Allow access',
    `<p><strong>${client}</strong> asks for access to:</p>
<ul>${scopes.map((s) => `<li>${escapeHTML(s)}</li>`).join('')}</ul>
<form method="post" action="/interaction/${interaction.uid}/confirm" data-prompt="consent">
  <button type="submit">Allow</button>
</form>
<form method="post" action="/interaction/${interaction.uid}/abort">
  <button type="submit">Deny</button>
</form>`,
  )
}

function page(title: string, body: string): string {
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>${escapeHTML(title)}</title>
<style>body{font-family:system-ui,sans-serif;max-width:24rem;margin:2rem auto;padding:0 1rem}label{display:block;margin:.5rem 0}input{width:100%}.error{color:#b00020}.hint{color:#555;font-size:.9em}</style>
</head><body><h1>${escapeHTML(title)}</h1>
${body}
</body></html>`
}

/** Escapes text for HTML element content and attribute values. */
export function escapeHTML(value: string): string {
  return value.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`)
}
