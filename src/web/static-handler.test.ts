/** The chat page's static file handler over a real node:http server and a temporary root. */
import { after, before, describe, test } from 'node:test'
import assert from 'node:assert/strict'
import { mkdir, mkdtemp, rm, symlink, writeFile } from 'node:fs/promises'
import { createServer, request, type Server } from 'node:http'
import type { AddressInfo } from 'node:net'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { assetPathOf, createStaticHandler, PAGE_CONTENT_SECURITY_POLICY, WEB_PUBLIC_DIR } from './static-handler.ts'
import { existsSync } from 'node:fs'

let base: string
let server: Server
let origin: string

before(async () => {
  base = await mkdtemp(join(tmpdir(), 'bm-oauth-static-'))
  const root = join(base, 'public')
  await mkdir(join(root, 'img'), { recursive: true })
  await writeFile(join(root, 'index.html'), '<!doctype html><title>chat</title>')
  await writeFile(join(root, 'app.js'), 'export {}\n')
  await writeFile(join(root, 'styles.css'), 'body{}')
  await writeFile(join(root, 'img', 'icon.svg'), '<svg xmlns="http://www.w3.org/2000/svg"/>')
  await writeFile(join(root, 'notes.txt'), 'unknown type')
  await writeFile(join(root, '.env'), 'SECRET=1')
  await writeFile(join(base, 'outside.js'), 'secret()')
  await symlink(join(base, 'outside.js'), join(root, 'link.js'))
  const serve = createStaticHandler({ root })
  server = createServer((req, res) => {
    if (!serve(req, res)) res.writeHead(418).end('router')
  })
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`
})

after(async () => {
  await new Promise<void>((resolve) => server.close(() => resolve()))
  await rm(base, { recursive: true, force: true })
})

/** A raw request (fetch would normalise `..` and `%2e` away before sending). */
function raw(
  method: string,
  path: string,
  headers: Record<string, string> = {},
): Promise<{ status: number; headers: Record<string, string | string[] | undefined>; body: string }> {
  return new Promise((resolve, reject) => {
    const req = request(`${origin}/`, { method, path, headers }, (res) => {
      const chunks: Buffer[] = []
      res.on('data', (c: Buffer) => chunks.push(c))
      res.on('end', () =>
        resolve({ status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks).toString() }),
      )
    })
    req.on('error', reject)
    req.end()
  })
}

describe('createStaticHandler', () => {
  test('serves / as index.html with the strict page policy, no-cache and nosniff', async () => {
    const res = await raw('GET', '/')
    assert.equal(res.status, 200)
    assert.equal(res.body, '<!doctype html><title>chat</title>')
    assert.equal(res.headers['content-type'], 'text/html; charset=utf-8')
    assert.equal(res.headers['cache-control'], 'no-cache')
    assert.equal(res.headers['x-content-type-options'], 'nosniff')
    assert.equal(res.headers['content-security-policy'], PAGE_CONTENT_SECURITY_POLICY)
    for (const directive of [
      "default-src 'none'",
      "script-src 'self'",
      "connect-src 'self'",
      "frame-ancestors 'none'",
    ]) {
      assert.ok(PAGE_CONTENT_SECURITY_POLICY.includes(directive), directive)
    }
  })

  test('serves assets under /web/ with their content types; HEAD has no body', async () => {
    assert.equal((await raw('GET', '/web/app.js')).headers['content-type'], 'text/javascript; charset=utf-8')
    assert.equal((await raw('GET', '/web/styles.css')).headers['content-type'], 'text/css; charset=utf-8')
    const svg = await raw('GET', '/web/img/icon.svg?v=1')
    assert.equal(svg.headers['content-type'], 'image/svg+xml')
    assert.match(String(svg.headers['content-security-policy']), /sandbox/)
    const head = await raw('HEAD', '/web/app.js')
    assert.equal(head.status, 200)
    assert.equal(head.body, '')
    assert.equal(head.headers['content-length'], String('export {}\n'.length))
  })

  test('answers 304 to a matching If-None-Match', async () => {
    const first = await raw('GET', '/web/app.js')
    const again = await raw('GET', '/web/app.js', { 'if-none-match': String(first.headers['etag']) })
    assert.equal(again.status, 304)
    assert.equal(again.body, '')
  })

  test('refuses traversal, dotfiles, unknown types, symlinks out of the root and missing files with 404', async () => {
    for (const path of [
      '/web/../outside.js',
      '/web/%2e%2e/outside.js',
      '/web/..%2foutside.js',
      '/web/img/..%5c..%5coutside.js',
      '/web/.env',
      '/web/img//icon.svg',
      '/web/%00app.js',
      '/web/%E0%A4%A',
      '/web/notes.txt',
      '/web/link.js',
      '/web/missing.js',
      '/web/img',
    ]) {
      const res = await raw('GET', path)
      assert.equal(res.status, 404, path)
      assert.ok(!res.body.includes('secret') && !res.body.includes('SECRET'), path)
    }
  })

  test('leaves other paths and methods to the caller', async () => {
    assert.equal((await raw('GET', '/emulator/v1/state')).status, 418)
    assert.equal((await raw('POST', '/')).status, 418)
    assert.equal((await raw('DELETE', '/web/app.js')).status, 418)
    assert.equal((await raw('GET', '/webx/app.js')).status, 418)
  })
})

describe('assetPathOf', () => {
  test('maps request targets to root-relative paths', () => {
    assert.equal(assetPathOf('/'), 'index.html')
    assert.equal(assetPathOf('/?agentState=/x'), 'index.html')
    assert.equal(assetPathOf('/web/'), 'index.html')
    assert.equal(assetPathOf('/web/a/b.js#x'), 'a/b.js')
    assert.equal(assetPathOf('/web/a/../b.js'), '')
    assert.equal(assetPathOf('/callback'), undefined)
  })

  test('the default root is public/ next to the module and holds the page', () => {
    assert.ok(WEB_PUBLIC_DIR.endsWith(`${join('web', 'public')}/`))
    assert.ok(existsSync(join(WEB_PUBLIC_DIR, 'index.html')))
  })
})
