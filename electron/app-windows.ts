import type { BaseWindow, BrowserWindow, Rectangle } from 'electron'
import { createAppWindow, type WindowDeps } from './window-factory'
import { cascadeFrom, fitToScreens, type WindowStateFile } from './window-state'

export interface AppWindowsDeps {
  readonly factory: WindowDeps
  readonly state: WindowStateFile
  /** The screens' work areas, primary first. */
  workAreas(): Rectangle[]
  /** A window is gone; `contentsId` is its webContents id (what IPC senders carry). */
  onClosed(contentsId: number): void
}

/**
 * The app's windows, keyed by webContents id. The first opens where the last one closed; each
 * further one cascades from the window in front.
 */
export class AppWindows {
  private readonly windows = new Map<number, BrowserWindow>()
  private front: BrowserWindow | null = null

  constructor(private readonly deps: AppWindowsDeps) {}

  /** Whether `contentsId` is the webContents of one of our windows (the IPC sender check). */
  has(contentsId: number): boolean {
    return this.windows.has(contentsId)
  }

  get count(): number {
    return this.windows.size
  }

  /** A new window; `search` (`?lab=…`) opens the renderer on that route. */
  open(search?: string): BrowserWindow {
    const areas = this.deps.workAreas()
    const front = this.front && !this.front.isDestroyed() ? this.front : null
    const state = front
      ? { bounds: cascadeFrom(front.getBounds(), areas), maximized: false }
      : fitToScreens(this.deps.state.load(), areas)
    const factory = { ...this.deps.factory, openPage: (q: string) => void this.open(q) }
    const win = createAppWindow(factory, state.bounds, search)
    if (state.maximized) win.maximize()
    const id = win.webContents.id
    this.windows.set(id, win)
    this.front = win
    win.on('focus', () => (this.front = win))
    win.on('close', () => {
      try {
        this.deps.state.save({ bounds: win.getNormalBounds(), maximized: win.isMaximized() })
      } catch {
        // Best effort: a window that can't remember its place still closes.
      }
    })
    win.on('closed', () => {
      this.windows.delete(id)
      if (this.front === win) this.front = [...this.windows.values()].at(-1) ?? null
      this.deps.onClosed(id)
    })
    return win
  }

  /** The window in front, brought back if minimised; a new one if there is none. */
  focus(): BrowserWindow {
    const win = this.front && !this.front.isDestroyed() ? this.front : this.open()
    if (win.isMinimized()) win.restore()
    win.focus()
    return win
  }

  /** Our window for a menu click's BaseWindow. */
  find(base: BaseWindow | undefined): BrowserWindow | undefined {
    if (!base) return undefined
    for (const win of this.windows.values()) if (win.id === base.id) return win
    return undefined
  }
}
