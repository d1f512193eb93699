/**
 * The whole sandbox (`npm start`) in a real Chromium: the page the sandbox prints, a conversation,
 * "What is my balance?", the Sign in chip opening the demo provider in a popup, alice's login and
 * consent, and the personalised balance from the bank's demo data (the test fails without it);
 * then sign out and a new prompt; and a closed popup answered kindly with a fresh Sign in chip.
 * Screenshots go to test-results/screenshots/; with BM_OAUTH_UPDATE_SCREENSHOTS=1 also to
 * docs/screenshots/ (the README shows them). Skipped with a message where Chromium is missing,
 * except in CI.
 */
import { after, before, describe, test } from 'node:test'
import assert from 'node:assert/strict'
import { copyFile, mkdir, mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import type { Browser, BrowserContext, Page } from 'playwright-core'
import { formatAmount } from '../../src/demo/bank-agent/index.ts'
import { balanceOf } from '../../src/demo/bank/index.ts'
import { startSandbox, type RunningSandbox } from '../../src/sandbox/index.ts'
import { launchBrowser } from '../support/browser.ts'

const WAIT_MS = 15_000
const SHOTS = join(process.cwd(), 'test-results', 'screenshots')
const DOC_SHOTS = join(process.cwd(), 'docs', 'screenshots')
const ALICE_BALANCE = formatAmount(balanceOf('user-alice', 'acc-alice-checking', Date.now())!.current)

const launched = await launchBrowser()

describe('sandbox sign-in flow in Chromium', { skip: 'skip' in launched ? launched.skip : false }, () => {
  let browser: Browser
  let sandbox: RunningSandbox
  let dataDir: string
  const pageErrors: string[] = []

  before(async () => {
    if ('skip' in launched) return
    browser = launched.browser
    await mkdir(SHOTS, { recursive: true })
    dataDir = await mkdtemp(join(tmpdir(), 'bm-oauth-sandbox-browser-'))
    sandbox = await startSandbox({
      dataDir,
      ports: { emulator: 0, provider: 0, bank: 0, agent: 0 },
      webhookBaseDelayMs: 100,
    })
  })

  after(async () => {
    if ('skip' in launched) return
    await browser?.close()
    await sandbox?.close()
    if (dataDir !== undefined) await rm(dataDir, { recursive: true, force: true })
  })

  async function openPage(): Promise<{ context: BrowserContext; page: Page }> {
    const context = await browser.newContext({ viewport: { width: 1280, height: 860 } })
    context.setDefaultTimeout(WAIT_MS)
    const page = await context.newPage()
    page.on('pageerror', (err) => pageErrors.push(err.message))
    page.on('console', (msg) => {
      // The provisioned logo lives at example.com, which cannot load offline; anything else is a bug.
      if (msg.type() === 'error' && !msg.text().startsWith('Failed to load resource')) pageErrors.push(msg.text())
    })
    await page.goto(sandbox.url)
    return { context, page }
  }

  async function startConversation(page: Page, name: string): Promise<void> {
    await page.getByLabel('Your name').fill(name)
    await page.getByRole('button', { name: 'Start conversation' }).click()
    await page.getByPlaceholder('Message').and(page.locator(':enabled')).waitFor()
    await page.locator('#conversation-meta', { hasText: name }).waitFor()
    await page.locator('#agent-name', { hasText: 'Growing Tree Bank' }).waitFor()
  }

  async function say(page: Page, text: string): Promise<void> {
    await page.getByPlaceholder('Message').fill(text)
    await page.getByPlaceholder('Message').press('Enter')
  }

  function agentBubble(page: Page, text: string | RegExp): ReturnType<Page['locator']> {
    return page.locator('.row.agent .bubble', { hasText: text }).last()
  }

  async function screenshot(page: Page, name: string): Promise<void> {
    const path = join(SHOTS, name)
    await page.screenshot({ path })
    if (process.env['BM_OAUTH_UPDATE_SCREENSHOTS'] === '1') {
      await mkdir(DOC_SHOTS, { recursive: true })
      await copyFile(path, join(DOC_SHOTS, name))
    }
  }

  test('balance → Sign in → alice logs in → her balance; sign out → prompted again', async () => {
    const { context, page } = await openPage()
    await startConversation(page, 'Alice')
    await say(page, 'What is my balance?')
    await agentBubble(page, 'please sign in to Growing Tree Bank').waitFor()
    const signIn = page.getByRole('button', { name: 'Sign in' })
    await signIn.waitFor()
    await page.locator('#agent-state', { hasText: '"awaiting-sign-in"' }).waitFor()
    await screenshot(page, 'sandbox-1-sign-in-prompt.png')

    const popupOpened = page.waitForEvent('popup')
    await signIn.click()
    const popup = await popupOpened
    await popup.waitForURL(/\/interaction\//)
    await popup.getByLabel('Username').fill('alice')
    await popup.getByLabel('Password').fill('wonderland')
    await screenshot(popup, 'sandbox-2-provider-login.png')
    await popup.getByRole('button', { name: 'Sign in' }).click()
    await popup.getByRole('button', { name: 'Allow' }).click()

    // The personalised answer, with alice's real balance from the bank's data: the test fails without it.
    await agentBubble(page, `Your Everyday Checking balance is ${ALICE_BALANCE}`).waitFor()
    assert.equal(ALICE_BALANCE, '$2,543.10')
    await page.locator('#agent-state', { hasText: '"signed-in"' }).waitFor()
    await page.getByRole('button', { name: 'Sign out' }).waitFor()
    if (!popup.isClosed()) await popup.waitForEvent('close')
    await screenshot(page, 'sandbox-3-balance.png')

    await say(page, 'who am I?')
    await agentBubble(page, "You're signed in as Alice Liddell").waitFor()
    await page.getByRole('button', { name: 'Sign out' }).click()
    await agentBubble(page, "You're signed out of Growing Tree Bank").waitFor()
    await say(page, 'What is my balance?')
    await agentBubble(page, 'please sign in to Growing Tree Bank').waitFor()
    await page.getByRole('button', { name: 'Sign in' }).waitFor()
    await screenshot(page, 'sandbox-4-signed-out.png')
    assert.deepEqual(pageErrors, [])
    await context.close()
  })

  test('closing the sign-in popup gets a kind reply and a fresh Sign in chip', async () => {
    const { context, page } = await openPage()
    await startConversation(page, 'Bob')
    await say(page, 'Show my recent transactions')
    const signIn = page.getByRole('button', { name: 'Sign in' })
    await signIn.waitFor()
    const popupOpened = page.waitForEvent('popup')
    await signIn.click()
    const popup = await popupOpened
    await popup.getByLabel('Username').waitFor()
    await popup.close()

    await agentBubble(page, 'sign-in was cancelled').waitFor()
    await page.getByRole('button', { name: 'Sign in' }).waitFor()
    await screenshot(page, 'sandbox-5-cancelled.png')
    assert.deepEqual(pageErrors, [])
    await context.close()
  })
})
