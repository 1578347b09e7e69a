import { AppWindow } from './helpers/app-window'
import { expect, test } from './helpers/fixtures'
import { labOn } from './lab-helpers'

declare global {
  interface Window {
    __frames?: number[]
    __stopFrames?: boolean
    __answered?: Promise<number>
    __long?: number[]
  }
}

const p95 = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length * 0.95)] ?? 0

test('the Lab stays responsive with 5 replicas and 10,000 events in the diagram', async ({
  host,
  context,
  shots,
}) => {
  test.setTimeout(300_000)
  const w = await AppWindow.open(context, host.url)
  const page = w.page
  await labOn(w, 'yjs', 'Busy diagram', 'x')
  shots.push(w)

  // Five Lab replicas take turns through the node: 2,100 real edits, over 10,000 events.
  const started = Date.now()
  await page.getByTestId('lab-preset').selectOption('busy')
  await page.getByTestId('lab-run-preset').click()
  const canvas = page.getByTestId('space-time')
  await expect(page.getByTestId('lab-replica')).toHaveCount(5)
  await expect(page.getByTestId('lab-running')).toBeHidden({ timeout: 240_000 })
  await expect(page.getByTestId('lab-outcome')).toContainText('converged')
  expect(Number(await canvas.getAttribute('data-events'))).toBeGreaterThanOrEqual(10_000)
  const fillMs = Date.now() - started
  await canvas.scrollIntoViewIfNeeded()
  const box = await canvas.boundingBox()
  if (!box) throw new Error('no diagram')

  // Frame times while scrolling through the diagram and moving over its dots.
  await page.evaluate(() => {
    window.__frames = []
    window.__stopFrames = false
    window.__long = []
    new PerformanceObserver((list) => {
      for (const e of list.getEntries()) window.__long?.push(Math.round(e.duration))
    }).observe({ type: 'longtask' })
    const loop = (t: number) => {
      window.__frames?.push(t)
      if (!window.__stopFrames) requestAnimationFrame(loop)
    }
    requestAnimationFrame(loop)
  })
  for (let i = 0; i < 80; i++) {
    await page.mouse.move(box.x + 100 + ((i * 37) % (box.width - 120)), box.y + 24 + (i % 5) * 44)
    await page.mouse.wheel(i < 60 ? 400 : -900, 0)
  }
  const { frames, long } = await page.evaluate(() => {
    window.__stopFrames = true
    return { frames: window.__frames ?? [], long: window.__long ?? [] }
  })
  const intervals = frames.slice(1).map((t, i) => t - (frames[i] as number))
  const frameP95 = p95(intervals)

  // A click on a dot: find one under the pointer, then time the answer inside the page.
  const target = await canvas.evaluate(async (c: HTMLCanvasElement) => {
    const r = c.getBoundingClientRect()
    for (let y = r.top + 24; y < r.bottom; y += 44)
      for (let x = r.left + 100; x < r.right; x += 3) {
        c.dispatchEvent(new MouseEvent('mousemove', { clientX: x, clientY: y, bubbles: true }))
        // Svelte writes the attribute when it flushes, a microtask later.
        await new Promise<void>((resolve) => setTimeout(resolve, 0))
        if (c.dataset.hover) return { x, y }
      }
    return null
  })
  if (!target) throw new Error('no dot found under the pointer')
  await page.evaluate(() => {
    let t0 = 0
    addEventListener('mousedown', () => (t0 = performance.now()), { capture: true, once: true })
    window.__answered = new Promise((resolve) => {
      const check = () => {
        if (t0 && document.querySelector('[data-testid="event-detail"]'))
          requestAnimationFrame(() => resolve(performance.now() - t0))
        else requestAnimationFrame(check)
      }
      check()
    })
  })
  await page.mouse.click(target.x, target.y)
  const clickMs = await page.evaluate(() => window.__answered as Promise<number>)
  await expect(page.getByTestId('event-detail')).toContainText('causal past')

  console.log(
    `10,000 events: filled in ${fillMs} ms; ${intervals.length} frames while scrolling and ` +
      `hovering, p95 ${frameP95.toFixed(1)} ms, max ${Math.max(...intervals).toFixed(1)} ms ` +
      `(long tasks: ${long.join(', ') || 'none'}); ` +
      `click answered in ${clickMs.toFixed(1)} ms`,
  )
  expect(intervals.length).toBeGreaterThan(20)
  expect(frameP95).toBeLessThan(50)
  expect(clickMs).toBeLessThan(100)
})
