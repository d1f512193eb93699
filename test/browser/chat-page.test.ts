/**
 * The web chat page in a real Chromium against a real emulator, a real agent (test/browser/chat-agent.ts,
 * replying through the real BusinessMessagesClient) and the strict OIDC provider: rich text and
 * chips (docs/contract-decisions.md §2.2–2.3), a carousel, read receipts, the Sign in chip opening
 * the provider in a popup and the stand-in `/callback` delivering `authenticationResponse`
 * (docs/contract-decisions.md §4.2), and a closed popup reaching the agent as
 * `errorDetails.error = ACCESS_DENIED`. Screenshots go to test-results/screenshots/; with
 * BM_OAUTH_UPDATE_SCREENSHOTS=1 the documentation copies in docs/screenshots/ are refreshed too.
 */
import { after, before, describe, test } from 'node:test'
import assert from 'node:assert/strict'
import { copyFile, mkdir, mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import type { Browser, BrowserContext, Page } from 'playwright-core'
import { startEmulator, type RunningEmulator } from '../../src/emulator/index.ts'
import {
  BusinessCommunicationsClient,
  BusinessMessagesClient,
  ServiceAccountCredentials,
  readServiceAccountKey,
} from '../../src/google/index.ts'
import { launchBrowser } from '../support/browser.ts'
import { startStrictProvider, type RunningProvider } from '../support/strict-provider.ts'
import { startChatAgent, type AgentEvent, type ChatAgent } from './chat-agent.ts'

const WAIT = { timeout: 10_000 }
const SHOTS = join(process.cwd(), 'test-results', 'screenshots')
const DOC_SHOTS = join(process.cwd(), 'docs', 'screenshots')
const CLIENT_ID = 'tree-bank'

const launched = await launchBrowser()

describe('web chat page in Chromium', { skip: 'skip' in launched ? launched.skip : false }, () => {
  let browser: Browser
  let agent: ChatAgent
  let emulator: RunningEmulator
  let provider: RunningProvider
  let dataDir: string
  const pageErrors: string[] = []
  /** Requests to the control API's message log: the page's inspector must not poll it separately. */
  const messageLogRequests: string[] = []

  before(async () => {
    if ('skip' in launched) return
    browser = launched.browser
    await mkdir(SHOTS, { recursive: true })
    agent = await startChatAgent()
    dataDir = await mkdtemp(join(tmpdir(), 'bm-oauth-browser-'))
    emulator = await startEmulator({ port: 0, dataDir, webhookUrl: agent.webhookUrl, webhookTimeoutMs: 5_000 })
    provider = await startStrictProvider({
      // The page signs in with the `web` surface at the emulator's stand-in origin (redirectURIForSurface).
      clients: [
        { clientId: CLIENT_ID, clientSecret: 'browser-test-secret', extraRedirectUris: [`${emulator.url}/callback`] },
      ],
    })
    const discovery = (await (await fetch(`${provider.issuer}/.well-known/openid-configuration`)).json()) as {
      authorization_endpoint: string
    }
    const key = await readServiceAccountKey(emulator.keyFilePath)
    const credentials = new ServiceAccountCredentials(key, { scopes: ['businessmessages', 'businesscommunications'] })
    const bc = new BusinessCommunicationsClient({ credentials, baseUrl: emulator.url })
    await bc.setAuthorizationEndpoint(emulator.agentName, discovery.authorization_endpoint)
    const bm = new BusinessMessagesClient({ credentials, baseUrl: emulator.url })
    agent.connect({
      bm,
      signingKeyPath: emulator.webhookClientTokenPath,
      clientId: CLIENT_ID,
      scopes: ['openid', 'profile'],
    })
  })

  after(async () => {
    if ('skip' in launched) return
    await browser.close()
    await provider?.close()
    await emulator?.close()
    await agent?.close()
    if (dataDir !== undefined) await rm(dataDir, { recursive: true, force: true })
  })

  /** A fresh browser context (its own cookies, so the provider asks for a login each time). */
  async function openPage(): Promise<{ context: BrowserContext; page: Page }> {
    const context = await browser.newContext({ viewport: { width: 1200, height: 800 } })
    context.setDefaultTimeout(WAIT.timeout)
    const page = await context.newPage()
    page.on('pageerror', (err) => pageErrors.push(err.message))
    page.on('request', (request) => {
      if (new URL(request.url()).pathname === '/emulator/v1/messages') messageLogRequests.push(request.url())
    })
    page.on('console', (msg) => {
      // Images at example.com (the provisioned logo) cannot load offline; anything else is a bug.
      if (msg.type() === 'error' && !msg.text().startsWith('Failed to load resource')) pageErrors.push(msg.text())
    })
    const response = await page.goto(`${emulator.url}/`)
    assert.match(response?.headers()['content-security-policy'] ?? '', /script-src 'self'/)
    return { context, page }
  }

  async function startConversation(page: Page, name: string): Promise<string> {
    await page.getByLabel('Your name').fill(name)
    await page.getByLabel('Entry point').selectOption('MAPS')
    await page.getByRole('button', { name: 'Start conversation' }).click()
    await page.getByPlaceholder('Message').and(page.locator(':enabled')).waitFor()
    // The page may first have opened the newest earlier conversation; wait for this one.
    await page.locator('#conversation-meta', { hasText: `${name} · MAPS` }).waitFor()
    return decodeURIComponent(new URL(page.url()).hash.split('=')[1] ?? '')
  }

  async function say(page: Page, text: string): Promise<void> {
    await page.getByPlaceholder('Message').fill(text)
    await page.getByPlaceholder('Message').press('Enter')
  }

  async function screenshot(page: Page, name: string, options: { doc?: boolean } = {}): Promise<void> {
    const path = join(SHOTS, name)
    await page.screenshot({ path })
    if (options.doc === true && process.env['BM_OAUTH_UPDATE_SCREENSHOTS'] === '1') {
      await mkdir(DOC_SHOTS, { recursive: true })
      await copyFile(path, join(DOC_SHOTS, name))
    }
  }

  function eventsOf(conversationId: string, key: string): AgentEvent[] {
    return agent.events.filter((e) => e['conversationId'] === conversationId && e[key] !== undefined)
  }

  test('chat: rich text, chips, carousel, receipts, then Sign in through the popup delivers the code', async () => {
    const { context, page } = await openPage()
    const conversationId = await startConversation(page, 'Alice')
    await page.getByText('Welcome to Emulated Tree Bank').waitFor()

    await say(page, 'hi')
    const bold = page.locator('.row.agent .bubble strong', { hasText: 'Welcome' })
    await bold.waitFor()
    const link = page.getByRole('link', { name: 'our website' })
    assert.equal(await link.getAttribute('href'), 'https://example.com/help')
    assert.equal(await link.getAttribute('rel'), 'noopener noreferrer')
    await page.getByRole('button', { name: 'Live agent' }).waitFor()
    await page.locator('.row.user .status[data-status=read]').first().waitFor()
    await screenshot(page, 'chat-rich-text.png', { doc: true })

    // The collapsed "API calls / message log" keeps its count from the page's own transcript poll.
    assert.equal(await page.locator('#messages-section').evaluate((d) => (d as HTMLDetailsElement).open), false)
    await page.waitForFunction(() => Number(document.getElementById('messages-count')?.textContent) >= 3)
    await page.locator('#messages-section > summary').click()
    await page.locator('#messages li summary', { hasText: '· user · message' }).first().waitFor()
    await page.locator('#messages-section > summary').click()

    await page.getByRole('button', { name: 'Show accounts' }).click()
    await page.locator('.carousel .card-title', { hasText: 'Checking account' }).waitFor()
    assert.equal(await page.locator('.carousel .card').count(), 2)
    await page.getByRole('button', { name: 'Show accounts' }).waitFor({ state: 'hidden' })
    await page.waitForFunction(() =>
      [...document.querySelectorAll<HTMLImageElement>('.carousel img')].every(
        (img) => img.complete && img.naturalWidth > 0,
      ),
    )
    await page.locator('.row.user .bubble', { hasText: 'Show accounts' }).waitFor()
    await screenshot(page, 'chat-carousel.png', { doc: true })

    await say(page, 'sign in')
    const signIn = page.getByRole('button', { name: 'Sign in' })
    await signIn.waitFor()
    const popupOpened = page.waitForEvent('popup')
    await signIn.click()
    const popup = await popupOpened
    await popup.waitForURL(/\/interaction\//)
    await popup.getByLabel('Username').fill('alice')
    await popup.getByLabel('Password').fill('wonderland')
    await screenshot(popup, 'signin-popup.png', { doc: true })
    await popup.getByRole('button', { name: 'Sign in' }).click()
    await popup.getByRole('button', { name: 'Allow' }).click()

    await page.locator('.row.agent .bubble', { hasText: 'Got a code' }).waitFor()
    await page.locator('.note', { hasText: 'Signed in' }).waitFor()
    if (!popup.isClosed()) await popup.waitForEvent('close')
    const [response] = eventsOf(conversationId, 'authenticationResponse')
    const auth = response?.['authenticationResponse'] as { code?: string; redirectUri?: string }
    assert.equal(typeof auth.code, 'string')
    assert.equal(auth.redirectUri, `${emulator.url}/callback`)

    // The inspector shows the delivery but never the authorization code.
    const delivery = page.locator('#deliveries .delivery', { hasText: 'authenticationResponse' }).first()
    await delivery.locator('summary').click()
    await delivery.locator('pre', { hasText: '«hidden»' }).waitFor()
    const html = await page.content()
    assert.ok(html.includes('«hidden»'))
    assert.ok(!html.includes(auth.code as string))
    await screenshot(page, 'chat-signed-in.png', { doc: true })

    const typing = eventsOf(conversationId, 'userStatus').some(
      (e) => (e['userStatus'] as { isTyping?: boolean }).isTyping === true,
    )
    assert.ok(typing, 'the page sends typing on while the user types')
    assert.ok(eventsOf(conversationId, 'receipts').length > 0, 'the page acknowledges agent messages')
    assert.deepEqual(agent.errors, [])
    assert.equal(agent.rejected, 0)
    assert.deepEqual(pageErrors, [])
    assert.deepEqual(messageLogRequests, [])
    await context.close()
  })

  test('closing the sign-in popup reaches the agent as errorDetails ACCESS_DENIED', async () => {
    const { context, page } = await openPage()
    const conversationId = await startConversation(page, 'Bob')
    await say(page, 'sign in')
    const signIn = page.getByRole('button', { name: 'Sign in' })
    await signIn.waitFor()
    const popupOpened = page.waitForEvent('popup')
    await signIn.click()
    const popup = await popupOpened
    await popup.getByLabel('Username').waitFor()
    await popup.close()

    await page.locator('.note', { hasText: 'Sign-in not completed (ACCESS_DENIED)' }).waitFor()
    await page.locator('.row.agent .bubble', { hasText: 'Sign-in did not finish: ACCESS_DENIED' }).waitFor()
    const [response] = eventsOf(conversationId, 'authenticationResponse')
    const auth = response?.['authenticationResponse'] as { code?: string; errorDetails?: { error?: string } }
    assert.equal(auth.code, undefined)
    assert.equal(auth.errorDetails?.error, 'ACCESS_DENIED')
    await screenshot(page, 'chat-signin-cancelled.png')
    assert.deepEqual(pageErrors, [])
    await context.close()
  })

  test('rich text never becomes markup: HTML stays text and javascript: links stay text', async () => {
    const { context, page } = await openPage()
    const rendered = await page.evaluate(async () => {
      const specifier = '/web/markdown.js'
      const { renderRichText } = (await import(specifier)) as { renderRichText: (t: string) => DocumentFragment }
      const div = document.createElement('div')
      div.append(
        renderRichText('<img src=x onerror=alert(1)> **b** [x](javascript:alert(1)) [ok](https://example.com/)'),
      )
      return {
        html: div.innerHTML,
        images: div.querySelectorAll('img').length,
        links: [...div.querySelectorAll('a')].map((a) => a.href),
      }
    })
    assert.equal(rendered.images, 0)
    assert.deepEqual(rendered.links, ['https://example.com/'])
    assert.match(
      rendered.html,
      /&lt;img src=x onerror=alert\(1\)&gt; <strong>b<\/strong> \[x\]\(javascript:alert\(1\)\)/,
    )
    await context.close()
  })
})
