import type {
  BrowserWindow,
  BrowserWindowConstructorOptions,
  Rectangle,
  WebContents,
  WebPreferences,
} from 'electron'
import { isRendererUrl, isSafeExternalUrl, rendererUrl } from './security'

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
): void {
  const leave = (url: string) => {
    if (isSafeExternalUrl(url)) openExternal(url)
  }
  contents.setWindowOpenHandler(({ url }) => {
    leave(url)
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

/** A window showing the notes UI, locked down; it shows itself once painted. */
export function createAppWindow(deps: WindowDeps, bounds: WindowBounds): BrowserWindow {
  const win = new deps.BrowserWindow(windowOptions(deps, bounds))
  guardContents(win.webContents, rendererUrl(deps.rendererFile), deps.openExternal)
  win.once('ready-to-show', () => win.show())
  // A failed load is reported through 'did-fail-load', which main logs.
  win.loadFile(deps.rendererFile).catch(() => {})
  return win
}
