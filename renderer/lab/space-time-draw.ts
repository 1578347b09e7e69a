import type { LabEvent } from '../../shared/lab/lab-log'
import type { Partition } from '../../shared/lab/lab-world'

/** Where things sit in the diagram, in content coordinates (before scrolling). */
export interface Geometry {
  readonly hosts: readonly string[]
  /** Horizontal distance between consecutive events. */
  readonly step: number
  readonly width: number
  readonly height: number
}

export const LABELS = 80
const LANE = 44
const TOP = 24
const MIN_STEP = 6
const MAX_STEP = 18

export function geometry(hosts: readonly string[], events: number, viewWidth: number): Geometry {
  const step = Math.max(
    MIN_STEP,
    Math.min(MAX_STEP, (viewWidth - LABELS - 20) / Math.max(1, events)),
  )
  return {
    hosts,
    step,
    width: Math.max(viewWidth, LABELS + 20 + events * step),
    height: TOP + hosts.length * LANE,
  }
}

export const xOf = (g: Geometry, id: number): number => LABELS + 10 + id * g.step
export const yOf = (g: Geometry, lane: number): number => TOP + lane * LANE

/** Ids of the events between content x `from` and `to`, with a margin. */
export function idsBetween(g: Geometry, from: number, to: number, count: number): [number, number] {
  const first = Math.max(0, Math.floor((from - LABELS - 10) / g.step) - 1)
  const last = Math.min(count - 1, Math.ceil((to - LABELS - 10) / g.step) + 1)
  return [first, last]
}

/** The event nearest content point (x, y) on the lane there, within `radius`; null if none. */
export function eventAt(
  g: Geometry,
  events: readonly LabEvent[],
  x: number,
  y: number,
  radius = 12,
): number | null {
  const lane = Math.round((y - TOP) / LANE)
  const host = g.hosts[lane]
  if (host === undefined || Math.abs(y - yOf(g, lane)) > radius) return null
  const [first, last] = idsBetween(g, x - radius, x + radius, events.length)
  let best: number | null = null
  let dist = radius
  for (let id = first; id <= last; id++) {
    const e = events[id]
    if (!e || e.host !== host) continue
    const d = Math.abs(xOf(g, id) - x)
    if (d <= dist) {
      dist = d
      best = id
    }
  }
  return best
}

export interface Scene {
  readonly events: readonly LabEvent[]
  readonly partitions: readonly Partition[]
  /** The visible window: content x of the left edge, and its size. */
  readonly left: number
  readonly viewWidth: number
  readonly selected: number | null
  readonly hover: number | null
  readonly past: ReadonlySet<number> | null
  readonly concurrent: ReadonlySet<number> | null
}

const COLORS = {
  label: '#6e6e73',
  lane: '#d0d0d5',
  arrow: 'rgba(10,100,255,0.35)',
  selected: '#111',
  past: '#2f9e44',
  concurrent: '#e8890c',
  commit: '#0a64ff',
  apply: '#8e4ec6',
  held: '#d93025',
  cut: 'rgba(217,48,37,0.12)',
  oneWay: 'rgba(232,137,12,0.14)',
}

/**
 * Draws what is in view and nothing else: the cost of a frame follows the window's width, not
 * the length of the log (10,000 events draw as fast as 100).
 */
export function drawScene(ctx: CanvasRenderingContext2D, g: Geometry, s: Scene): void {
  const { events, left, viewWidth } = s
  const right = left + viewWidth
  const lane = new Map(g.hosts.map((h, i) => [h, i]))
  ctx.clearRect(0, 0, viewWidth, g.height)
  ctx.save()
  ctx.translate(-left, 0)
  for (const p of s.partitions) {
    const x0 = xOf(g, p.fromEvent) - g.step / 2
    const x1 = xOf(g, p.toEvent ?? events.length) - g.step / 2
    const i = lane.get(p.host)
    if (i === undefined || x1 < left || x0 > right) continue
    ctx.fillStyle = p.direction === 'both' ? COLORS.cut : COLORS.oneWay
    ctx.fillRect(x0, yOf(g, i) - LANE / 2 + 4, Math.max(2, x1 - x0), LANE - 8)
  }
  ctx.strokeStyle = COLORS.lane
  for (let i = 0; i < g.hosts.length; i++) {
    ctx.beginPath()
    ctx.moveTo(Math.max(LABELS, left), yOf(g, i))
    ctx.lineTo(right, yOf(g, i))
    ctx.stroke()
  }
  const [first, last] = idsBetween(g, left, right, events.length)
  drawArrows(ctx, g, s, lane, first, last)
  for (let id = first; id <= last; id++) {
    const e = events[id]
    const i = e && lane.get(e.host)
    if (!e || i === undefined) continue
    ctx.fillStyle = colorOf(e, s)
    ctx.beginPath()
    ctx.arc(
      xOf(g, id),
      yOf(g, i),
      e.id === s.hover ? 6 : e.kind === 'commit' ? 4 : 3,
      0,
      Math.PI * 2,
    )
    if (e.held > 0) {
      ctx.strokeStyle = COLORS.held
      ctx.stroke()
    } else ctx.fill()
  }
  ctx.restore()
  // Lane names stay put while the diagram scrolls under them.
  ctx.fillStyle = 'rgba(255,255,255,0.9)'
  ctx.fillRect(0, 0, LABELS, g.height)
  ctx.font = '12px system-ui'
  ctx.fillStyle = COLORS.label
  g.hosts.forEach((h, i) => ctx.fillText(h, 6, yOf(g, i) + 4, LABELS - 10))
}

/** Messages: from a commit to each apply that delivered it, where the line crosses the view. */
function drawArrows(
  ctx: CanvasRenderingContext2D,
  g: Geometry,
  s: Scene,
  lane: ReadonlyMap<string, number>,
  first: number,
  last: number,
): void {
  ctx.strokeStyle = COLORS.arrow
  ctx.beginPath()
  // An apply right of the view still draws when what it delivered is left of its right edge.
  for (let id = first; id < s.events.length; id++) {
    const e = s.events[id] as LabEvent
    const from0 = e.delivers[0]
    if (from0 === undefined || (id > last && from0 > last)) continue
    const to = lane.get(e.host)
    if (to === undefined) continue
    for (const d of e.delivers) {
      if (d > last) break
      const c = s.events[d]
      const at = c && lane.get(c.host)
      if (!c || at === undefined) continue
      ctx.moveTo(xOf(g, d), yOf(g, at))
      ctx.lineTo(xOf(g, id), yOf(g, to))
    }
  }
  ctx.stroke()
}

function colorOf(e: LabEvent, s: Scene): string {
  if (s.selected === e.id) return COLORS.selected
  if (s.past?.has(e.id)) return COLORS.past
  if (s.concurrent?.has(e.id)) return COLORS.concurrent
  return e.kind === 'commit' ? COLORS.commit : COLORS.apply
}
