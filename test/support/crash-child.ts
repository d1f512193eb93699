/**
 * The crash tests' child process: start a script, read its stdout until it prints `marker` (the
 * point it reports having reached), then SIGKILL it. Bounded: a child that never reports is killed
 * after 30 s, and the caller's assertions on `output` fail instead of hanging.
 */
import { spawn } from 'node:child_process'
import { once } from 'node:events'
import type { TestContext } from 'node:test'

export interface ReportedChild {
  /** Everything the child printed up to and including the marker. */
  output: string
  /** SIGKILLs the child; resolves with the signal it died of. */
  kill(): Promise<NodeJS.Signals | null>
}

export async function runChildUntil(
  t: TestContext,
  options: { script: string; args: readonly string[]; marker: string; env?: NodeJS.ProcessEnv },
): Promise<ReportedChild> {
  const child = spawn(process.execPath, [options.script, ...options.args], {
    env: options.env ?? process.env,
    stdio: ['ignore', 'pipe', 'inherit'],
  })
  const watchdog = setTimeout(() => child.kill('SIGKILL'), 30_000)
  t.after(() => {
    clearTimeout(watchdog)
    child.kill('SIGKILL')
  })
  let output = ''
  child.stdout.setEncoding('utf8')
  for await (const chunk of child.stdout) {
    output += String(chunk)
    if (output.includes(options.marker)) break
  }
  return {
    output,
    async kill() {
      const exited = once(child, 'exit')
      child.kill('SIGKILL')
      const [, signal] = (await exited) as [number | null, NodeJS.Signals | null]
      return signal
    },
  }
}
