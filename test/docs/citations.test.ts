/**
 * Every citation in the code resolves inside the repo (docs/contract-decisions.md "How to cite this page",
 * docs/security.md). Only comments, test names and strings holding a `§` are read, through the TypeScript
 * parser, so data (hex, base64, status codes) can never look like a citation. Per physical line:
 * - a `§` belongs to the document named last before it on that line: `docs/contract-decisions.md` (then it
 *   must be a section of that page) or a standard (`RFC 7009`, `OIDC Core`, `OAuth 2.1`, `AIP-134`), which is
 *   not checked; a `§` with no document before it is ambiguous and fails;
 * - a case id (`W17`, `P12`, `R1–R3`) must be a row of docs/security.md (`F3`, a platform fact of the
 *   outside case list, has none: cite the contract section instead);
 * - a bare open-question id (`Q6`) fails: it must be cited as `§10 Q6` or `§8 Q6`;
 * - the names of the documents outside the repo (`bm-contract`, `security-cases`) fail.
 * The two pages are held to what they claim: every file they name exists, and every test file
 * docs/security.md lists for a case names that case.
 */
import { test } from 'node:test'
import assert from 'node:assert/strict'
import { existsSync, readdirSync, readFileSync } from 'node:fs'
import { join } from 'node:path'
import ts from 'typescript'

const ROOT = new URL('../../', import.meta.url).pathname
const SCANNED = ['src', 'test', 'examples']
const CONTRACT_DOC = 'docs/contract-decisions.md'
/** The public-API design page: its `## N. Title` sections are cited as `docs/api.md §N`. */
const API_DOC = 'docs/api.md'
/** The WhatsApp wire decisions: `## §N` / `### §N.M` sections, read like the contract page. */
const WHATSAPP_DOC = 'docs/whatsapp-decisions.md'
/** `test(…)`, `describe.skip(…)`, `t.test(…)`, the contract suites' `it(…)`: their first argument is a test name. */
const TEST_CALL = /^(?:test|it|describe|suite)(?:\.\w+)?$|^t\.test$/
/** This file states the rules, so it names what it forbids. */
const SELF = new URL(import.meta.url).pathname

const SECTION = String.raw`§ ?(\d+(?:\.\d+)*)(?: ?[–-] ?§?(\d+(?:\.\d+)*))?(?: (Q\d+)(?: ?[–/-] ?(Q\d+))?| ("[^"]+"))?`
const TOKEN = new RegExp(
  [
    String.raw`(?<contract>docs/contract-decisions\.md)`,
    String.raw`(?<api>docs/api\.md)`,
    String.raw`(?<whatsapp>docs/whatsapp-decisions\.md)`,
    String.raw`(?<standard>\bRFC ?\d{3,5}\b|\bOIDC Core\b|\bOAuth 2\.1\b|\bAIP-\d+\b)`,
    String.raw`(?<outside>\bbm-contract\b|\bsecurity-cases\b)`,
    `(?<section>${SECTION})`,
    String.raw`(?<question>\bQ\d{1,2}\b)`,
    String.raw`(?<case>\b[WPXSRAEF]\d{1,2}(?:[–-][WPXSRAEF]?\d{1,2})?\b)`,
  ].join('|'),
  'g',
)

interface Citation {
  text: string
  /** Why it does not resolve; `undefined` when it does or when it cites a standard. */
  problem?: string
}

/** Anchors of the contract page: `§N`, `§N.M`, `§10 QN`, `§10 "name"`, and `§8 QN` from its list. */
function contractAnchors(markdown: string): Set<string> {
  const anchors = new Set<string>()
  let section = ''
  for (const line of markdown.split('\n')) {
    const heading = /^#{2,4} (§\d+(?:\.\d+)*)(?: (Q\d+|"[^"]+"))?/.exec(line)
    if (heading !== null) {
      section = heading[1]!
      anchors.add(heading[2] === undefined ? section : `${section} ${heading[2]}`)
      continue
    }
    const question = /^- \*\*(Q\d+)\*\*/.exec(line)
    if (question !== null) anchors.add(`${section} ${question[1]}`)
  }
  return anchors
}

/** Anchors of the API page: `§N` for each `## N. Title`. */
function apiAnchors(markdown: string): Set<string> {
  return new Set([...markdown.matchAll(/^## (\d+)\. /gm)].map((m) => `§${m[1]}`))
}

function caseIds(markdown: string): Set<string> {
  return new Set([...markdown.matchAll(/^\| ([A-Z]\d+) \|/gm)].map((m) => m[1]!))
}

/** The keys a contract citation needs: both ends of a range. */
function contractKeys(citation: string): string[] {
  const [, from, to, q1, q2, name] = new RegExp(SECTION).exec(citation)!
  if (name !== undefined) return [`§${from} ${name}`]
  if (q1 !== undefined) return [q1, ...(q2 === undefined ? [] : [q2])].map((q) => `§${from} ${q}`)
  return [from!, ...(to === undefined ? [] : [to])].map((s) => `§${s}`)
}

function caseKeys(text: string): string[] {
  const [, prefix, first, , last] = /^([A-Z])(\d+)(?:[–-]([A-Z]?)(\d+))?$/.exec(text)!
  return [`${prefix}${first}`, ...(last === undefined ? [] : [`${prefix}${last}`])]
}

/** Reads the citations of one line of a comment or a test name. */
function citationsOf(line: string, anchors: Set<string>, cases: Set<string>): Citation[] {
  const found: Citation[] = []
  let owner: 'contract' | 'api' | 'whatsapp' | 'standard' | undefined
  for (const match of line.matchAll(TOKEN)) {
    const groups = match.groups!
    const text = match[0]
    if (groups['contract'] !== undefined) owner = 'contract'
    else if (groups['api'] !== undefined) owner = 'api'
    else if (groups['whatsapp'] !== undefined) owner = 'whatsapp'
    else if (groups['standard'] !== undefined) owner = 'standard'
    else if (groups['outside'] !== undefined) found.push({ text, problem: 'names a document outside the repo' })
    else if (groups['question'] !== undefined) found.push({ text, problem: 'open question without its § (§10 QN)' })
    else if (groups['case'] !== undefined) {
      const missing = caseKeys(text).filter((id) => !cases.has(id))
      found.push(missing.length === 0 ? { text } : { text, problem: `not in docs/security.md: ${missing.join(', ')}` })
    } else if (owner === 'standard') {
      const ours = /Q\d|"/.test(text) // open questions and named decisions exist only in the contract page
      found.push(ours ? { text, problem: `cited after a standard: name ${CONTRACT_DOC} before it` } : { text })
    } else if (owner === undefined)
      found.push({ text, problem: `no document named before it on its line: write ${CONTRACT_DOC} §…` })
    else if (owner === 'whatsapp') {
      const missing = contractKeys(text).filter((key) => !WHATSAPP_ANCHORS.has(key))
      found.push(
        missing.length === 0 ? { text } : { text, problem: `no section ${missing.join(', ')} in ${WHATSAPP_DOC}` },
      )
    } else if (owner === 'api') {
      const missing = contractKeys(text).filter((key) => !API_ANCHORS.has(key))
      found.push(missing.length === 0 ? { text } : { text, problem: `no section ${missing.join(', ')} in ${API_DOC}` })
    } else {
      const missing = contractKeys(text).filter((key) => !anchors.has(key))
      found.push(
        missing.length === 0 ? { text } : { text, problem: `no section ${missing.join(', ')} in ${CONTRACT_DOC}` },
      )
    }
  }
  return found
}

/** Anything the reader could report; a file without one is not parsed at all. */
const CANDIDATE = /§|bm-contract|security-cases|\b[WPXSRAEFQ]\d{1,2}\b/

/** Comments and test names of a source file, as [line number, text] per physical line. */
function citableLines(file: string): [number, string][] {
  const text = readFileSync(file, 'utf8')
  if (!CANDIDATE.test(text)) return []
  const source = ts.createSourceFile(file, text, ts.ScriptTarget.Latest, true)
  const pieces = new Map<number, string>()
  // Every token, separators such as the `|` of a union included, so that no comment is skipped; the
  // parsed JSDoc nodes are not descended into, their text is the comment already read.
  const visit = (node: ts.Node): void => {
    if (node.kind >= ts.SyntaxKind.FirstJSDocNode && node.kind <= ts.SyntaxKind.LastJSDocNode) return
    const ranges = [
      ...(ts.getLeadingCommentRanges(text, node.getFullStart()) ?? []),
      ...(ts.getTrailingCommentRanges(text, node.getEnd()) ?? []),
    ]
    for (const range of ranges) pieces.set(range.pos, text.slice(range.pos, range.end))
    // Prose in strings (assertion messages, SQL comments): only a `§` marks it, never found in data.
    if ((ts.isStringLiteralLike(node) || ts.isTemplateExpression(node)) && node.getText(source).includes('§')) {
      pieces.set(node.getStart(source), node.getText(source))
    }
    if (ts.isCallExpression(node) && TEST_CALL.test(node.expression.getText(source))) {
      const title = node.arguments[0]
      if (title !== undefined && (ts.isStringLiteralLike(title) || ts.isTemplateExpression(title))) {
        pieces.set(title.getStart(source), title.getText(source))
      }
    }
    for (const child of node.getChildren(source)) visit(child)
  }
  visit(source)
  const lines: [number, string][] = []
  for (const [pos, piece] of pieces) {
    const first = source.getLineAndCharacterOfPosition(pos).line + 1
    for (const [i, line] of piece.split('\n').entries()) lines.push([first + i, line])
  }
  return lines
}

function* sourceFiles(dir: string): Generator<string> {
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name)
    if (entry.isDirectory()) yield* sourceFiles(path)
    else if (/\.(?:ts|js|mjs)$/.test(entry.name)) yield path
  }
}

const contractPage = readFileSync(join(ROOT, CONTRACT_DOC), 'utf8')
const securityPage = readFileSync(join(ROOT, 'docs/security.md'), 'utf8')
const anchors = contractAnchors(contractPage)
const API_ANCHORS = apiAnchors(readFileSync(join(ROOT, API_DOC), 'utf8'))
const WHATSAPP_ANCHORS = contractAnchors(readFileSync(join(ROOT, WHATSAPP_DOC), 'utf8'))
const cases = caseIds(securityPage)

test('the reader finds citations and nothing that merely looks like one', () => {
  const read = (line: string) => citationsOf(line, anchors, cases).map((c) => [c.text, c.problem === undefined])
  assert.deepEqual(read('HTTP 404, 0xA1, R2D2, S256, RS256, E2E, ES512, X-Goog-Signature, RFC 7636 Appendix B'), [])
  assert.deepEqual(read(`(W17, R1–R3, ${CONTRACT_DOC} §10 Q6–Q7, §2.2–2.4, §10 "crash semantics")`), [
    ['W17', true],
    ['R1–R3', true],
    ['§10 Q6–Q7', true],
    ['§2.2–2.4', true],
    ['§10 "crash semantics"', true],
  ])
  assert.deepEqual(read('RFC 6749 §4.1.2.1 and (§5.2); OIDC Core §11'), [
    ['§4.1.2.1', true],
    ['§5.2', true],
    ['§11', true],
  ])
  assert.deepEqual(read('RFC 6749 §4.1.2.1 (§10 Q4)'), [
    ['§4.1.2.1', true],
    ['§10 Q4', false],
  ])
  assert.deepEqual(read(`${API_DOC} §2, §1–§3; ${API_DOC} §9`), [
    ['§2', true],
    ['§1–§3', true],
    ['§9', false],
  ])
  assert.deepEqual(read(`${WHATSAPP_DOC} §3.3, §5; ${WHATSAPP_DOC} §9`), [
    ['§3.3', true],
    ['§5', true],
    ['§9', false],
  ])
  assert.deepEqual(read(`W4 (§3.6) Q6 bm-contract ${CONTRACT_DOC} §9 §10 Q5`), [
    ['W4', false],
    ['§3.6', false],
    ['Q6', false],
    ['bm-contract', false],
    ['§9', false],
    ['§10 Q5', false],
  ])
})

test('every citation in src/, test/ and examples/ resolves in docs/contract-decisions.md or docs/security.md', () => {
  const unresolved: string[] = []
  let resolved = 0
  for (const dir of SCANNED) {
    for (const file of sourceFiles(join(ROOT, dir))) {
      if (file === SELF) continue
      for (const [line, text] of citableLines(file)) {
        for (const citation of citationsOf(text, anchors, cases)) {
          if (citation.problem === undefined) resolved++
          else unresolved.push(`${file.slice(ROOT.length)}:${line}: ${citation.text}: ${citation.problem}`)
        }
      }
    }
  }
  assert.deepEqual(unresolved, [])
  assert.ok(resolved > 300, `only ${resolved} citations found: is the reader broken?`)
})

test('the two pages name only files that exist (emulator paths may be relative to src/emulator/)', () => {
  const missing = [contractPage, securityPage]
    .flatMap((page) => [...page.matchAll(/`([\w./-]+\.(?:ts|js|mjs|md))`/g)].map((m) => m[1]!))
    .filter((path) => !['', 'src/emulator/', 'docs/'].some((base) => existsSync(join(ROOT, base, path))))
  assert.deepEqual([...new Set(missing)], [])
})

test('each test file docs/security.md lists for a case names that case', () => {
  const unnamed: string[] = []
  for (const [, id, tests] of securityPage.matchAll(/^\| ([A-Z]\d+) \|[^|]*\|[^|]*\|([^|]*)\|$/gm)) {
    for (const [, file] of tests!.matchAll(/`([^`]+)`/g)) {
      if (!new RegExp(`\\b${id}\\b`).test(readFileSync(join(ROOT, file!), 'utf8'))) unnamed.push(`${id}: ${file}`)
    }
  }
  assert.deepEqual(unnamed, [])
  assert.ok(cases.size > 50, `only ${cases.size} cases read from docs/security.md`)
})
