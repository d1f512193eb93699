/**
 * @module test/support/postgres
 * A throwaway PostgreSQL cluster for tests: `initdb` into a temp dir, `pg_ctl start` on a free
 * 127.0.0.1 port with the unix socket inside the temp dir, one database created, and everything
 * stopped and deleted by `stop()` (and, as a last resort, when the process exits).
 *
 * Missing server binaries give `{ skip }` so a developer without PostgreSQL still runs the rest of
 * the suite, except in CI (`CI=true`), where a skipped store suite would hide a failure: it throws.
 * Share one cluster per test file (see {@link sharedPostgres}); use {@link PostgresCluster.createDatabase}
 * for an isolated database per test.
 */
import { execFile, execFileSync } from 'node:child_process'
import { accessSync, chownSync, constants, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs'
import { createServer } from 'node:net'
import { tmpdir } from 'node:os'
import { delimiter, join } from 'node:path'
import { after } from 'node:test'
import { promisify } from 'node:util'
import { openPostgresDatabase } from '../../src/db/postgres.ts'

const execFileAsync = promisify(execFile)

export interface PostgresCluster {
  /** Connection string of the database created at start (`bm_oauth_test`). */
  connectionString: string
  /** Creates another empty database and returns its connection string. */
  createDatabase(name: string): Promise<string>
  /** Stops the server and deletes the cluster directory. Idempotent. */
  stop(): Promise<void>
}

const MISSING_BINARIES = 'PostgreSQL server binaries (initdb, pg_ctl) not found; install postgresql to run these tests'

/** Starts a fresh cluster, or explains why it cannot (never a silent skip in CI). */
export async function startPostgres(): Promise<PostgresCluster | { skip: string }> {
  const bin = findServerBinaries()
  if (bin === undefined) {
    if (process.env['CI'] === 'true') throw new Error(`${MISSING_BINARIES} (CI=true: a skip counts as a failure)`)
    return { skip: MISSING_BINARIES }
  }
  const root = mkdtempSync(join(tmpdir(), 'bm-pg-'))
  const asPostgres = process.getuid?.() === 0 ? postgresUser() : undefined
  const run = (cmd: string, args: string[]): Promise<unknown> =>
    asPostgres === undefined
      ? execFileAsync(join(bin, cmd), args, { cwd: root, timeout: 90_000 })
      : execFileAsync('runuser', ['-u', 'postgres', '--', join(bin, cmd), ...args], { cwd: root, timeout: 90_000 })
  const data = join(root, 'data')
  const socketDir = join(root, 'sock')
  mkdirSync(socketDir)
  if (asPostgres !== undefined) {
    chownSync(root, asPostgres.uid, asPostgres.gid)
    chownSync(socketDir, asPostgres.uid, asPostgres.gid)
  }
  let stopped = false
  const stopSync = (): void => {
    if (stopped) return
    stopped = true
    const args = ['-D', data, '-m', 'immediate', '-w', '-t', '30', 'stop']
    try {
      if (asPostgres === undefined) execFileSync(join(bin, 'pg_ctl'), args, { stdio: 'ignore' })
      else execFileSync('runuser', ['-u', 'postgres', '--', join(bin, 'pg_ctl'), ...args], { stdio: 'ignore' })
    } catch {
      // not running (start failed) or already gone
    }
    rmSync(root, { recursive: true, force: true })
  }
  process.once('exit', stopSync)
  try {
    await run('initdb', ['-D', data, '-U', 'bm', '--auth=trust', '-E', 'UTF8', '--no-locale', '--no-sync'])
    const port = await freePort()
    const serverOptions = `-c listen_addresses=127.0.0.1 -p ${port} -k ${socketDir}`
    await run('pg_ctl', ['-D', data, '-l', join(root, 'server.log'), '-o', serverOptions, '-w', '-t', '60', 'start'])
    const base = `postgres://bm@127.0.0.1:${port}`
    const admin = openPostgresDatabase({ connectionString: `${base}/postgres`, pool: { max: 1 } })
    const createDatabase = async (name: string): Promise<string> => {
      if (!/^[a-z][a-z0-9_]*$/.test(name)) throw new Error(`bad database name ${name}`)
      await admin.query(`CREATE DATABASE ${name}`)
      return `${base}/${name}`
    }
    const connectionString = await createDatabase('bm_oauth_test')
    return {
      connectionString,
      createDatabase,
      stop: async () => {
        await admin.close()
        process.removeListener('exit', stopSync)
        stopSync()
      },
    }
  } catch (err) {
    const log = readLogTail(join(root, 'server.log'))
    stopSync()
    process.removeListener('exit', stopSync)
    throw new Error(`could not start a throwaway PostgreSQL cluster${log === '' ? '' : `; server log:\n${log}`}`, {
      cause: err,
    })
  }
}

let shared: Promise<PostgresCluster | { skip: string }> | undefined

/**
 * One cluster per test file: starts it on first call and stops it in the file's `after` hook.
 * Call at the top level of a test file (node:test runs each file in its own process).
 */
export function sharedPostgres(): Promise<PostgresCluster | { skip: string }> {
  if (shared === undefined) {
    shared = startPostgres()
    after(async () => {
      const cluster = await shared
      if (cluster !== undefined && 'stop' in cluster) await cluster.stop()
    })
  }
  return shared
}

/** `initdb` and `pg_ctl` from PATH, else the newest /usr/lib/postgresql/<version>/bin. */
function findServerBinaries(): string | undefined {
  const candidates = (process.env['PATH'] ?? '').split(delimiter).filter((d) => d !== '')
  try {
    const versions = readdirSync('/usr/lib/postgresql').sort((a, b) => Number(b) - Number(a))
    candidates.push(...versions.map((v) => join('/usr/lib/postgresql', v, 'bin')))
  } catch {
    // no Debian-style installation
  }
  return candidates.find((dir) => isExecutable(join(dir, 'initdb')) && isExecutable(join(dir, 'pg_ctl')))
}

function isExecutable(path: string): boolean {
  try {
    accessSync(path, constants.X_OK)
    return true
  } catch {
    return false
  }
}

function postgresUser(): { uid: number; gid: number } {
  const line = readFileSync('/etc/passwd', 'utf8')
    .split('\n')
    .find((l) => l.startsWith('postgres:'))
  const [, , uid, gid] = line?.split(':') ?? []
  if (uid === undefined || gid === undefined) throw new Error('running as root but there is no postgres user')
  return { uid: Number(uid), gid: Number(gid) }
}

async function freePort(): Promise<number> {
  const server = createServer()
  await new Promise<void>((resolve, reject) => server.once('error', reject).listen(0, '127.0.0.1', resolve))
  const address = server.address()
  await new Promise<void>((resolve) => server.close(() => resolve()))
  if (address === null || typeof address === 'string') throw new Error('no port')
  return address.port
}

function readLogTail(path: string): string {
  try {
    return readFileSync(path, 'utf8').split('\n').slice(-20).join('\n')
  } catch {
    return ''
  }
}
