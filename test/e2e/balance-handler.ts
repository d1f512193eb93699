/**
 * @module test/e2e/balance-handler
 * The end-to-end tests' message handler (test setup, not a demo: the demo bank agent is
 * src/demo/bank-agent), written against the public API only. "What is my
 * balance?" needs a signed-in user: `requireSignIn` either returns the session or sends the sign-in
 * prompt and parks the question, which is answered right after sign-in without the user repeating
 * it. The "balance" is computed from the user's profile at the provider's UserInfo endpoint, called
 * with the session's access token (a stand-in for a real account API).
 */
import { describeAccessLog, type MessageContext, type MessageHandler } from '../../src/index.ts'

export interface BankHandlerOptions {
  /** Protected resource the balance comes from (default: the provider's UserInfo endpoint). */
  readonly accountUrl?: string
  /** Scopes the balance needs (default `openid profile`). */
  readonly scopes?: readonly string[]
}

/** A deterministic demo balance for a user: the same name always has the same balance. */
export function demoBalance(name: string): string {
  let cents = 0
  for (const char of name) cents = (cents * 31 + (char.codePointAt(0) ?? 0)) % 1_000_000
  return (cents / 100).toFixed(2)
}

/** The bank agent's handler: balance (signed in), who am I (signed in), sign out, help. */
export function bankHandler(options: BankHandlerOptions): MessageHandler {
  const scopes = options.scopes ?? ['openid', 'profile']
  return async (ctx: MessageContext) => {
    const text = ctx.text.trim().toLowerCase()
    if (/\bsign ?out\b|\blog ?out\b/.test(text)) return ctx.signOut()
    if (text.includes('balance')) return answerBalance(ctx, options.accountUrl, scopes)
    if (text.includes('who am i')) {
      const session = await ctx.requireSignIn({ scopes, reason: 'to tell you who you are' })
      if (session === undefined) return
      return ctx.say(`You are signed in as ${String(session.claims['name'] ?? session.subject ?? 'someone')}.`)
    }
    if (ctx.kind === 'live-agent-request') return ctx.say('Someone from our team will join shortly.')
    if (text.includes('what have you accessed')) return ctx.say(describeAccessLog(await ctx.accessLog()))
    return ctx.say('I can tell you your balance. Try "What is my balance?"')
  }
}

async function answerBalance(
  ctx: MessageContext,
  accountUrl: string | undefined,
  scopes: readonly string[],
): Promise<void> {
  const session = await ctx.requireSignIn({ scopes, reason: 'to show your balance' })
  if (session === undefined) return // the sign-in prompt is out; this question is answered after sign-in
  const url = accountUrl ?? session.provider.userinfoEndpoint
  if (url === undefined) return ctx.say('Sorry, I could not read your account just now.')
  const response = await session.fetch(url, {}, { purpose: 'read balance' })
  if (!response.ok) return ctx.say('Sorry, I could not read your account just now.')
  const profile = (await response.json()) as { name?: string; sub: string }
  const name = profile.name ?? profile.sub
  await ctx.say(`Your balance is ${demoBalance(name)} EUR, ${name}.`)
}
