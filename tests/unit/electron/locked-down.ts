import type { BrowserWindowConstructorOptions } from 'electron'
import { expect } from 'vitest'

/** What every window the app makes must hold; the window-factory and main-process tests apply it. */
export function expectLockedDown(options: BrowserWindowConstructorOptions): void {
  const prefs = options.webPreferences ?? {}
  expect(prefs).toMatchObject({
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
  })
  expect(prefs.enableBlinkFeatures).toBeUndefined()
  expect(prefs.preload).toMatch(/dist[/\\]electron[/\\]preload\.cjs$/)
}
