import { writeFileSync } from 'node:fs'
import { loadavg } from 'node:os'
import path from 'node:path'
import type { Browser, BrowserContext, Page } from '@playwright/test'
import { WebHost } from '../tests/e2e/helpers/web-host'
import type { EngineKind } from '../shared/engine/types'
import {
  ensureRendererBuilt,
  launchChromium,
  nowMs,
  sleep,
  step,
  until,
  VIEWPORT,
} from './app/chromium'
import { PROBE_SCRIPT } from './app/probe'
import { RawRelay } from './app/raw-relay'
import { progress, type Benchmark } from './lib/benchmark'
import { median, percentile } from './lib/measure'
import { row, valueBelow, type Row } from './lib/results'

const NAME = 'app-latency'
/** Measured keystrokes per note. */
const KEYS = 300
/** Keystrokes typed (and synced) before measuring, so both windows' code is warm. */
const WARMUP = 20
/** Time between keystrokes: a fast typist's pace. */
const PACE_MS = 30
const TARGET = valueBelow(16)
const WAIT_MS = 20_000

const ENGINE_LABEL: Record<EngineKind, string> = { yjs: 'Yjs', automerge: 'Automerge' }

interface Probe {
  keys: number[]
  seen: (number | null)[]
  send: number[]
  recv: number[]
  rawSeen: (number | null)[]
  baseLen: number
  maxLen: number
}

const readProbe = (page: Page): Promise<Probe> =>
  page.evaluate(
    `(() => { const P = window.__bench; return { keys: P.keys, seen: P.seen, send: P.send, recv: P.recv, rawSeen: P.rawSeen, baseLen: P.baseLen, maxLen: P.maxLen } })()`,
  )

const editorText = (page: Page): Promise<string | null> =>
  page.evaluate('window.__bench.text()') as Promise<string | null>

interface RoundResult {
  /** keydown in A → B's editor DOM holds the keystroke's character. */
  remote: Float64Array
  /** keydown in A → A's own editor DOM holds it. */
  local: Float64Array
  /** keydown in A → B receives the keystroke's index over a plain WebSocket relay. */
  raw: Float64Array
  /** keydown → A's first WebSocket frame out after it. */
  aSend: Float64Array
  /** That frame out → B's last WebSocket frame in before its editor showed the character. */
  wire: Float64Array
  /** That frame in → B's editor DOM. */
  bApply: Float64Array
  /** WebSocket frames per keystroke: A sent, B received (doc, awareness, acks alike). */
  framesOutA: number
  framesInB: number
}

/** Opens a note of `engine` in A (a new one) and B (by URL), both with their editor up. */
async function openNote(engine: EngineKind, a: Page, b: Page, first: boolean): Promise<void> {
  const label = ENGINE_LABEL[engine]
  const before = a.url()
  await step(NAME, `creating a ${label} note in window A`, async () => {
    await a.getByTestId(engine === 'yjs' ? 'new-note' : 'new-automerge-note').click({
      timeout: WAIT_MS,
    })
    await a.waitForURL((u) => u.hash.startsWith('#note=') && u.href !== before, {
      timeout: WAIT_MS,
    })
    await a.getByTestId('note-engine').filter({ hasText: label }).waitFor({ timeout: WAIT_MS })
    await a.locator('.cm-content').waitFor({ timeout: WAIT_MS })
  })
  const url = a.url()
  await step(NAME, `opening the ${label} note in window B (${url})`, async () => {
    if (first) await b.goto(url, { timeout: WAIT_MS })
    else await b.evaluate(`location.hash = ${JSON.stringify(new URL(url).hash)}`)
    await b.getByTestId('note-engine').filter({ hasText: label }).waitFor({ timeout: WAIT_MS })
    await b.locator('.cm-content').waitFor({ timeout: WAIT_MS })
  })
}

/** Presses one key per `PACE_MS` on a fixed schedule (a late press does not shift the rest). */
async function typePaced(page: Page, count: number, offset: number): Promise<void> {
  const start = performance.now()
  for (let i = 0; i < count; i++) {
    const due = start + i * PACE_MS - performance.now()
    if (due > 0) await sleep(due)
    await page.keyboard.press(String.fromCharCode(97 + ((offset + i) % 26)))
  }
}

async function waitForLength(page: Page, who: string, length: number): Promise<void> {
  await step(NAME, `waiting for ${who} to show ${length} characters`, () =>
    until(async () => ((await editorText(page)) ?? '').length >= length, WAIT_MS),
  )
}

/**
 * For investigating a result by hand: with LATTICE_APP_LATENCY_PROFILE_DIR set, each window's
 * CPU profile of the measured keystrokes lands there (`<engine>-<window>.cpuprofile`). Returns
 * what stops and writes them, or null.
 */
async function profileWindows(
  engine: EngineKind,
  pages: Record<string, Page>,
): Promise<(() => Promise<void>) | null> {
  const dir = process.env.LATTICE_APP_LATENCY_PROFILE_DIR
  if (!dir) return null
  const sessions = await Promise.all(
    Object.entries(pages).map(async ([who, page]) => {
      const cdp = await page.context().newCDPSession(page)
      await cdp.send('Profiler.enable')
      await cdp.send('Profiler.start')
      return { who, cdp }
    }),
  )
  return async () => {
    for (const { who, cdp } of sessions) {
      const { profile } = await cdp.send('Profiler.stop')
      writeFileSync(path.join(dir, `${engine}-${who}.cpuprofile`), JSON.stringify(profile))
      await cdp.detach()
    }
  }
}

/** Types into the note both windows have open; A's editor gets the keys. */
async function measureRound(engine: EngineKind, a: Page, b: Page): Promise<RoundResult> {
  const label = ENGINE_LABEL[engine]
  await step(NAME, 'focusing the editor in window A', async () => {
    await a.locator('.cm-content').click({ timeout: WAIT_MS })
    await a.keyboard.press('Control+End')
  })

  progress(NAME, `${label}: ${WARMUP} warm-up keystrokes …`)
  await typePaced(a, WARMUP, 0)
  await waitForLength(a, 'window A', WARMUP)
  await waitForLength(b, 'window B', WARMUP)
  const texts = () => Promise.all([editorText(a), editorText(b)])
  await until(async () => new Set(await texts()).size === 1, WAIT_MS).catch(() => {})
  const [ta, tb] = await texts()
  if (ta !== tb) {
    const html = (p: Page) =>
      p.evaluate(`document.querySelector('.cm-content')?.outerHTML.slice(-1500)`)
    throw new Error(
      `${NAME}: windows differ after warm-up: ${ta} vs ${tb}\nA: ${await html(a)}\nB: ${await html(b)}`,
    )
  }

  const baseA = (await a.evaluate('window.__bench.watch()')) as number
  const baseB = (await b.evaluate('window.__bench.watch()')) as number
  if (baseA !== baseB) throw new Error(`${NAME}: base lengths differ (${baseA} vs ${baseB})`)

  progress(NAME, `${label}: ${KEYS} keystrokes, ${PACE_MS} ms apart …`)
  const profiles = await profileWindows(engine, { A: a, B: b })
  await typePaced(a, KEYS, WARMUP)
  await waitForLength(b, 'window B', baseB + KEYS)
  await profiles?.()
  await sleep(200)
  const [pa, pb] = await Promise.all([readProbe(a), readProbe(b)])
  await Promise.all([
    a.evaluate('window.__bench.unwatch()'),
    b.evaluate('window.__bench.unwatch()'),
  ])

  if (pa.keys.length !== KEYS)
    throw new Error(`${NAME}: window A saw ${pa.keys.length} keydowns, expected ${KEYS}`)
  const [fa, fb] = await Promise.all([editorText(a), editorText(b)])
  if (fa !== fb || (fa ?? '').length !== baseA + KEYS)
    throw new Error(`${NAME}: windows differ after typing (A ${fa?.length}, B ${fb?.length})`)

  const at = (xs: (number | null)[], i: number, what: string): number => {
    const v = xs[i]
    if (typeof v !== 'number') throw new Error(`${NAME}: ${label}: no ${what} for keystroke ${i}`)
    return v
  }
  const r: RoundResult = {
    remote: new Float64Array(KEYS),
    local: new Float64Array(KEYS),
    raw: new Float64Array(KEYS),
    aSend: new Float64Array(KEYS),
    wire: new Float64Array(KEYS),
    bApply: new Float64Array(KEYS),
    framesOutA: pa.send.length / KEYS,
    framesInB: pb.recv.length / KEYS,
  }
  for (let i = 0; i < KEYS; i++) {
    const key = at(pa.keys, i, 'keydown')
    const shownB = at(pb.seen, baseB + i + 1, "window B's DOM time")
    r.remote[i] = shownB - key
    r.local[i] = at(pa.seen, baseA + i + 1, "window A's DOM time") - key
    r.raw[i] = at(pb.rawSeen, i, 'raw relay arrival') - key
    const sent = pa.send.find((t) => t >= key)
    let received: number | undefined
    for (const t of pb.recv) if (t <= shownB) received = t
    if (sent === undefined || received === undefined)
      throw new Error(`${NAME}: ${label}: no frame around keystroke ${i}`)
    r.aSend[i] = sent - key
    r.wire[i] = received - sent
    r.bApply[i] = shownB - received
  }
  return r
}

/** Median offset of each page's clock from Date.now(): how far apart the two pages' clocks are. */
async function clockSkew(a: Page, b: Page): Promise<number> {
  const script = `(() => { const d = []; for (let i = 0; i < 2000; i++) d.push(performance.timeOrigin + performance.now() - Date.now()); d.sort((x, y) => x - y); return d[1000] })()`
  const offs: number[] = []
  for (let i = 0; i < 5; i++)
    offs.push(((await a.evaluate(script)) as number) - ((await b.evaluate(script)) as number))
  return median(offs)
}

const ms = (xs: Float64Array, p: number) => percentile(xs, p)

function roundRows(engine: EngineKind, r: RoundResult): Row[] {
  const g = `${ENGINE_LABEL[engine]} note`
  let max = 0
  for (const x of r.remote) max = Math.max(max, x)
  return [
    row(`${g} · keystroke → other window shows it, p50`, ms(r.remote, 50), 'ms', {
      baseline: ms(r.raw, 50),
    }),
    row(`${g} · keystroke → other window shows it, p99`, ms(r.remote, 99), 'ms', {
      baseline: ms(r.raw, 99),
      target: TARGET,
    }),
    row(`${g} · keystroke → other window shows it, max`, max, 'ms'),
    row(`${g} · keystroke → own window shows it, p50`, ms(r.local, 50), 'ms'),
    row(`${g} · keystroke → own window shows it, p99`, ms(r.local, 99), 'ms'),
    row(`${g} · part: keydown → A's frame out, p50`, ms(r.aSend, 50), 'ms'),
    row(`${g} · part: keydown → A's frame out, p99`, ms(r.aSend, 99), 'ms'),
    row(`${g} · part: A's frame out → B's frame in, p50`, ms(r.wire, 50), 'ms'),
    row(`${g} · part: A's frame out → B's frame in, p99`, ms(r.wire, 99), 'ms'),
    row(`${g} · part: B's frame in → B's editor DOM, p50`, ms(r.bApply, 50), 'ms'),
    row(`${g} · part: B's frame in → B's editor DOM, p99`, ms(r.bApply, 99), 'ms'),
  ]
}

async function openWindow(context: BrowserContext, url: string, who: string): Promise<Page> {
  const page = await context.newPage()
  page.on('pageerror', (err) => progress(NAME, `[window ${who} page error] ${err.message}`))
  await step(NAME, `opening window ${who} at ${url}`, async () => {
    await page.goto(url, { timeout: WAIT_MS })
    await page.getByTestId('sync-status').waitFor({ timeout: WAIT_MS })
  })
  return page
}

export const appLatency: Benchmark = {
  name: NAME,
  title:
    'Keystroke in one window → text visible in another (browser host, two Chromium windows, one node)',
  async run() {
    ensureRendererBuilt(NAME)
    let host: WebHost | null = null
    let browser: Browser | null = null
    let relay: RawRelay | null = null
    try {
      progress(NAME, 'starting the browser host and Chromium …')
      host = await step(NAME, 'starting the browser host', () => WebHost.start())
      relay = await RawRelay.start()
      browser = await launchChromium(NAME)
      const context = await browser.newContext({ viewport: VIEWPORT })
      await context.addInitScript(PROBE_SCRIPT)
      const a = await openWindow(context, host.url, 'A')
      const b = await context.newPage()
      b.on('pageerror', (err) => progress(NAME, `[window B page error] ${err.message}`))

      const rows: Row[] = []
      const details: string[] = []
      let skew = 0
      for (const [i, engine] of (['yjs', 'automerge'] as const).entries()) {
        await openNote(engine, a, b, i === 0)
        if (i === 0) {
          await step(NAME, 'connecting to the raw WebSocket relay', async () => {
            await b.evaluate(`window.__bench.rawConnect(${JSON.stringify(relay!.url)}, 'b')`)
            await a.evaluate(`window.__bench.rawConnect(${JSON.stringify(relay!.url)}, 'a')`)
          })
          skew = await clockSkew(a, b)
        }
        const started = nowMs()
        const r = await measureRound(engine, a, b)
        rows.push(...roundRows(engine, r))
        details.push(
          `${ENGINE_LABEL[engine]}: ${KEYS} keystrokes in ${((nowMs() - started) / 1000).toFixed(1)} s; ` +
            `raw relay p50/p99 ${ms(r.raw, 50).toFixed(2)}/${ms(r.raw, 99).toFixed(2)} ms; ` +
            `frames per keystroke: A sent ${r.framesOutA.toFixed(1)}, B received ${r.framesInB.toFixed(1)}; ` +
            `1-minute load average after: ${(loadavg()[0] ?? 0).toFixed(2)} (2 cores)`,
        )
      }
      return {
        rows,
        notes: [
          `${KEYS} keystrokes per note (a–z, ${PACE_MS} ms apart, after ${WARMUP} warm-up ones) typed at the end of a`,
          'new note in window A with Playwright; window B has the same note open. Both are tabs of one',
          'Chromium (headless, no GPU) on the browser host (`npm run web`, a separate Node process).',
          '"shows it" = a MutationObserver on .cm-content sees the keystroke\'s character in the',
          "editor's DOM; time runs from A's keydown (capture listener). It covers keydown → CodeMirror →",
          "CRDT (y-codemirror / the engine binding) → A's window replica → WebSocket → node (applies,",
          "persists, forwards) → WebSocket → B's window replica → CRDT → CodeMirror DOM. Paint is not",
          'included (up to one more frame).',
          'Baseline = the same keydowns carried A → plain WebSocket → a Node process → B (no editor, no',
          'CRDT, no node logic), measured at the same time: the transport floor.',
          "Parts: A's first frame out after the keydown; B's last frame in before its DOM showed the",
          'character (frames include awareness and acks, so parts are approximate and their',
          'percentiles do not add up to the total).',
          `Clocks: performance.timeOrigin + now() in each page; the two pages' clocks differ by ${skew.toFixed(3)} ms.`,
          ...details,
        ],
      }
    } finally {
      await browser?.close().catch(() => {})
      await relay?.close().catch(() => {})
      // Stopped gracefully first, so a host started with --cpu-prof writes its profile.
      await host?.stop().catch(() => {})
      await host?.dispose().catch(() => {})
    }
  },
}
