import { execFileSync } from 'node:child_process'
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs'
import path from 'node:path'
import { chromium, type Browser, type LaunchOptions } from '@playwright/test'
import { progress } from '../lib/benchmark'
import { REPO_ROOT } from '../lib/measure'

/** The system Chromium, as the end-to-end tests launch it. */
export const LAUNCH: LaunchOptions = {
  executablePath: process.env.LATTICE_CHROMIUM ?? '/usr/bin/chromium',
  args: [
    '--no-sandbox',
    '--disable-gpu',
    '--disable-background-networking',
    '--disable-component-update',
    '--no-first-run',
  ],
}

export const VIEWPORT = { width: 1100, height: 700 }

export async function launchChromium(bench: string): Promise<Browser> {
  if (!existsSync(LAUNCH.executablePath ?? ''))
    throw new Error(`${bench}: no Chromium at ${LAUNCH.executablePath} (set LATTICE_CHROMIUM)`)
  return chromium.launch(LAUNCH)
}

const RENDERER_INPUTS = ['renderer', 'shared', 'vite.config.ts', 'svelte.config.js']
const INDEX_HTML = path.join(REPO_ROOT, 'dist/renderer/index.html')

function newestMtime(p: string): number {
  const st = statSync(p)
  if (!st.isDirectory()) return st.mtimeMs
  let newest = st.mtimeMs
  for (const entry of readdirSync(p)) newest = Math.max(newest, newestMtime(path.join(p, entry)))
  return newest
}

/** true when dist/renderer/index.html exists, is newer than every source, and its assets exist. */
function rendererIsFresh(): boolean {
  if (!existsSync(INDEX_HTML)) return false
  const built = statSync(INDEX_HTML).mtimeMs
  const sources = Math.max(
    ...RENDERER_INPUTS.map((p) => path.join(REPO_ROOT, p))
      .filter((p) => existsSync(p))
      .map(newestMtime),
  )
  if (sources > built) return false
  const html = readFileSync(INDEX_HTML, 'utf8')
  const assets = [...html.matchAll(/(?:src|href)="\.\/([^"]+)"/g)].map((m) => m[1] as string)
  return assets.every((a) => existsSync(path.join(REPO_ROOT, 'dist/renderer', a)))
}

/** Builds the renderer (`npx vite build`) unless dist/renderer is already up to date. */
export function ensureRendererBuilt(bench: string): void {
  if (rendererIsFresh()) return
  progress(bench, 'building the renderer (npx vite build) …')
  execFileSync('npx', ['vite', 'build', '--logLevel', 'warn'], {
    cwd: REPO_ROOT,
    stdio: ['ignore', 'inherit', 'inherit'],
    timeout: 180_000,
  })
  if (!rendererIsFresh()) throw new Error(`${bench}: vite build did not produce ${INDEX_HTML}`)
}

/** Runs `work`, turning a failure (a Playwright timeout, say) into an error naming the step. */
export async function step<T>(bench: string, what: string, work: () => Promise<T>): Promise<T> {
  try {
    return await work()
  } catch (err) {
    throw new Error(`${bench}: ${what} failed: ${(err as Error).message.split('\n')[0]}`, {
      cause: err,
    })
  }
}

/**
 * Polls `check` from the benchmark process until it holds. (Playwright's waitForFunction polls
 * with eval inside the page, which the app's Content-Security-Policy forbids.)
 */
export async function until(check: () => Promise<boolean>, timeoutMs: number): Promise<void> {
  const deadline = performance.now() + timeoutMs
  while (!(await check())) {
    if (performance.now() > deadline) throw new Error(`not within ${timeoutMs} ms`)
    await sleep(10)
  }
}

/** `work`, or a rejection after `timeoutMs` (for page promises, which have no timeout). */
export function withTimeout<T>(work: Promise<T>, timeoutMs: number): Promise<T> {
  let timer: ReturnType<typeof setTimeout> | undefined
  const late = new Promise<never>((_, fail) => {
    timer = setTimeout(() => fail(new Error(`not within ${timeoutMs} ms`)), timeoutMs)
  })
  return Promise.race([work, late]).finally(() => clearTimeout(timer))
}

export const sleep = (ms: number) => new Promise<void>((done) => setTimeout(done, ms))

/** Absolute time in ms (epoch), the same clock as `performance.timeOrigin + performance.now()` in a page. */
export const nowMs = (): number => performance.timeOrigin + performance.now()
