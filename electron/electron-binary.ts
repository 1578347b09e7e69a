import { existsSync } from 'node:fs'
import { createRequire } from 'node:module'

export type ElectronBinary =
  | { readonly found: true; readonly path: string }
  | { readonly found: false; readonly reason: string }

/**
 * The Electron executable the `electron` package downloaded at install time. The package itself
 * installs without it (ELECTRON_SKIP_BINARY_DOWNLOAD, or a download that failed), and then
 * requiring it throws or names a file that is not there.
 */
export function locateElectron(
  load: (id: string) => unknown = createRequire(import.meta.url),
): ElectronBinary {
  let path: unknown
  try {
    path = load('electron')
  } catch {
    // electron/index.js throws when install.js never wrote path.txt: nothing was downloaded.
    return { found: false, reason: 'node_modules/electron has no downloaded binary' }
  }
  if (typeof path !== 'string') return { found: false, reason: 'the electron package gave no path' }
  if (!existsSync(path)) return { found: false, reason: `${path} is missing` }
  return { found: true, path }
}
