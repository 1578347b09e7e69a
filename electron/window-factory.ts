import type {
  BrowserWindow,
  BrowserWindowConstructorOptions,
  Rectangle,
  WebContents,
  WebPreferences,
} from 'electron'
import { isRendererUrl, isSafeExternalUrl, rendererUrl } from './security'
import { isEngineKind } from '../shared/engine/types'
import { isValidId } from '../shared/ids'

/**
 * The one place a window is made (tests/unit/electron/window-security.test.ts fails on any other
 * `new BrowserWindow`). Electron comes in through `deps`, so a test runs this without Electron.
 */
export interface WindowDeps {
  readonly BrowserWindow: new (options: BrowserWindowConstructorOptions) => BrowserWindow
  readonly preloadFile: string
  readonly rendererFile: string
  /** Opens a URL in the system browser; called only with URLs `isSafeExternalUrl` accepted. */
  readonly openExternal: (url: string) => void
  /** DevTools stay available in development builds only. */
  readonly devTools: boolean
  /**
   * Opens another app window on the renderer page with this query (`?lab=<note>&…`): the one
   * window.open a page may ask for, carried out by main so the new window is locked down and
   * bridged to the node like any other.
   */
  readonly openPage?: (search: string) => void
}

export type WindowBounds = Partial<Pick<Rectangle, 'x' | 'y'>> & Pick<Rectangle, 'width' | 'height'>

export function secureWebPreferences(preloadFile: string, devTools: boolean): WebPreferences {
  return {
    preload: preloadFile,
    contextIsolation: true,
    sandbox: true,
    nodeIntegration: false,
    nodeIntegrationInWorker: false,
    nodeIntegrationInSubFrames: false,
    webSecurity: true,
    allowRunningInsecureContent: false,
    webviewTag: false,
    experimentalFeatures: false,
    navigateOnDragDrop: false,
    safeDialogs: true,
    devTools,
  }
}

export function windowOptions(
  deps: WindowDeps,
  bounds: WindowBounds,
): BrowserWindowConstructorOptions {
  return {
    ...bounds,
    minWidth: 480,
    minHeight: 320,
    title: 'Lattice',
    show: false,
    backgroundColor: '#1e1e24',
    webPreferences: secureWebPreferences(deps.preloadFile, deps.devTools),
  }
}

/**
 * No window.open, no navigation away from the renderer's page, no <webview>. A web link the
 * page tries to open or follow goes to the system browser instead, if it is plain http(s).
 */
export function guardContents(
  contents: WebContents,
  pageUrl: string,
  openExternal: (url: string) => void,
  openPage?: (search: string) => void,
): void {
  const leave = (url: string) => {
    if (isSafeExternalUrl(url)) openExternal(url)
  }
  contents.setWindowOpenHandler(({ url }) => {
    const lab = labSearch(url, pageUrl)
    if (lab !== null && openPage) openPage(lab)
    else leave(url)
    return { action: 'deny' }
  })
  contents.on('will-navigate', (event) => {
    if (isRendererUrl(event.url, pageUrl)) return
    event.preventDefault()
    leave(event.url)
  })
  contents.on('will-frame-navigate', (event) => {
    if (!event.isMainFrame || !isRendererUrl(event.url, pageUrl)) event.preventDefault()
  })
  contents.on('will-redirect', (event) => {
    if (!isRendererUrl(event.url, pageUrl)) event.preventDefault()
  })
  contents.on('will-attach-webview', (event) => event.preventDefault())
}

/**
 * The query of a Lab window the page asked for (`<renderer page>?lab=<note>&engine=…`), rebuilt
 * from the two parameters it may carry; null for any other URL.
 */
export function labSearch(url: string, pageUrl: string): string | null {
  if (!isRendererUrl(url, pageUrl)) return null
  const params = new URL(url).searchParams
  const lab = params.get('lab')
  if (!lab || !isValidId(lab)) return null
  const engine = params.get('engine')
  const out = new URLSearchParams({ lab })
  if (isEngineKind(engine)) out.set('engine', engine)
  return `?${out}`
}

/** A window showing the notes UI, locked down; it shows itself once painted. */
export function createAppWindow(
  deps: WindowDeps,
  bounds: WindowBounds,
  search?: string,
): BrowserWindow {
  const win = new deps.BrowserWindow(windowOptions(deps, bounds))
  guardContents(win.webContents, rendererUrl(deps.rendererFile), deps.openExternal, deps.openPage)
  win.once('ready-to-show', () => win.show())
  // A failed load is reported through 'did-fail-load', which main logs.
  win.loadFile(deps.rendererFile, search ? { search } : undefined).catch(() => {})
  return win
}
