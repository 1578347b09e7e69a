import { join } from 'node:path'

/** Where things sit inside the app folder (the project root, or app.asar once packaged). */
export const APP_FILES = {
  main: 'dist/electron/main.cjs',
  preload: 'dist/electron/preload.cjs',
  renderer: 'dist/renderer/index.html',
} as const

/** Absolute paths of what a window loads, from the app folder (`app.getAppPath()`). */
export function appFiles(appPath: string): { preloadFile: string; rendererFile: string } {
  return {
    preloadFile: join(appPath, APP_FILES.preload),
    rendererFile: join(appPath, APP_FILES.renderer),
  }
}
