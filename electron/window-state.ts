import { mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs'
import { dirname } from 'node:path'
import type { Rectangle } from 'electron'
import type { WindowBounds } from './window-factory'

/** Where and how big the last window was; what the next launch opens with. */
export interface WindowState {
  readonly bounds: WindowBounds
  readonly maximized: boolean
}

export const DEFAULT_STATE: WindowState = { bounds: { width: 1100, height: 760 }, maximized: false }
const MIN = { width: 480, height: 320 }
/** How far each further window sits from the one before it. */
export const CASCADE = 28

const isInt = (v: unknown): v is number => Number.isInteger(v)

/** A saved state, or the default when the text is missing, broken or nonsense. */
export function parseWindowState(text: string | null): WindowState {
  if (text === null) return DEFAULT_STATE
  let raw: unknown
  try {
    raw = JSON.parse(text)
  } catch {
    return DEFAULT_STATE
  }
  if (typeof raw !== 'object' || raw === null) return DEFAULT_STATE
  const { bounds, maximized } = raw as { bounds?: Record<string, unknown>; maximized?: unknown }
  if (!bounds || !isInt(bounds.width) || !isInt(bounds.height)) return DEFAULT_STATE
  const size = {
    width: Math.max(MIN.width, bounds.width),
    height: Math.max(MIN.height, bounds.height),
  }
  const at = isInt(bounds.x) && isInt(bounds.y) ? { x: bounds.x, y: bounds.y } : {}
  return { bounds: { ...at, ...size }, maximized: maximized === true }
}

/**
 * The state made to fit today's screens: a window saved on a monitor that is gone is centred
 * (x and y dropped) on the primary one, and nothing is larger than the screen it lands on.
 */
export function fitToScreens(state: WindowState, workAreas: readonly Rectangle[]): WindowState {
  const primary = workAreas[0]
  if (!primary) return state
  const { x, y } = state.bounds
  const home =
    x !== undefined && y !== undefined
      ? workAreas.find((a) => visibleArea({ ...state.bounds, x, y }, a) >= 64 * 64)
      : undefined
  const area = home ?? primary
  const width = Math.min(state.bounds.width, area.width)
  const height = Math.min(state.bounds.height, area.height)
  if (!home) return { ...state, bounds: { width, height } }
  return {
    ...state,
    bounds: {
      x: clamp(x as number, area.x, area.x + area.width - width),
      y: clamp(y as number, area.y, area.y + area.height - height),
      width,
      height,
    },
  }
}

/** Bounds for one more window beside `from`, stepped down and right, kept on its screen. */
export function cascadeFrom(from: Rectangle, workAreas: readonly Rectangle[]): WindowBounds {
  const next = { ...from, x: from.x + CASCADE, y: from.y + CASCADE }
  return fitToScreens({ bounds: next, maximized: false }, workAreas).bounds
}

function visibleArea(r: Rectangle, a: Rectangle): number {
  const w = Math.min(r.x + r.width, a.x + a.width) - Math.max(r.x, a.x)
  const h = Math.min(r.y + r.height, a.y + a.height) - Math.max(r.y, a.y)
  return w > 0 && h > 0 ? w * h : 0
}

function clamp(v: number, lo: number, hi: number): number {
  return Math.max(lo, Math.min(v, Math.max(lo, hi)))
}

/** The state file in the user's data folder; a write is atomic (temp file, then rename). */
export class WindowStateFile {
  constructor(private readonly file: string) {}

  load(): WindowState {
    try {
      return parseWindowState(readFileSync(this.file, 'utf8'))
    } catch {
      return DEFAULT_STATE
    }
  }

  save(state: WindowState): void {
    mkdirSync(dirname(this.file), { recursive: true })
    const tmp = `${this.file}.tmp`
    writeFileSync(tmp, JSON.stringify(state))
    renameSync(tmp, this.file)
  }
}
