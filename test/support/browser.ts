/**
 * @module test/support/browser
 * Launches the system Chromium (Debian package `chromium`) through playwright-core for real-browser
 * tests: headless, no sandbox (CI containers run as root), no background network chatter, no QUIC,
 * and a fresh temporary profile (Playwright's `launch()` creates one per browser and removes it on
 * `close()`). When Chromium is missing the test is skipped with a message saying how to install it,
 * except in CI (`CI=true`), where a skipped browser test would hide a broken pipeline: there it throws.
 */
import { accessSync, constants } from 'node:fs'
import { chromium, type Browser } from 'playwright-core'

/** Where the Debian package installs Chromium; `CHROMIUM_PATH` overrides it. */
const DEFAULT_CHROMIUM_PATH = '/usr/bin/chromium'

const ARGS = [
  '--no-sandbox',
  '--disable-gpu',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--no-first-run',
  '--disable-quic',
]

/** A launched browser, or the reason the browser tests are skipped. */
export type LaunchResult = { browser: Browser } | { skip: string }

/**
 * Launches headless Chromium. Pass `{ skip }` straight to `t.skip()` / `describe(…, { skip })`.
 * @throws Error when Chromium is missing and `CI=true`.
 */
export async function launchBrowser(): Promise<LaunchResult> {
  const executablePath = process.env['CHROMIUM_PATH'] ?? DEFAULT_CHROMIUM_PATH
  if (!isExecutable(executablePath)) {
    const message = `Chromium not found at ${executablePath}: apt-get install -y chromium to run browser tests`
    if (process.env['CI'] === 'true') throw new Error(`${message} (CI=true: browser tests must run, not skip)`)
    return { skip: message }
  }
  const browser = await chromium.launch({ executablePath, headless: true, args: ARGS, timeout: 30_000 })
  return { browser }
}

function isExecutable(path: string): boolean {
  try {
    accessSync(path, constants.X_OK)
    return true
  } catch {
    return false
  }
}
