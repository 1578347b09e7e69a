import { existsSync } from 'node:fs'
import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join, resolve } from 'node:path'
import { _electron as electron, expect, test } from '@playwright/test'
import { bundleElectron } from '../../electron/bundle'
import { locateElectron } from '../../electron/electron-binary'
import { AppWindow } from './helpers/app-window'

// The desktop app itself, driven by Playwright. Needs Electron's binary (npm install downloads
// it) and, on Linux, a display (run under xvfb-run where there is none). The renderer is built
// by the global setup; the Electron bundles here.

const ROOT = resolve(import.meta.dirname, '../..')
const binary = locateElectron()
const headless =
  process.platform === 'linux' && !process.env.DISPLAY && !process.env.WAYLAND_DISPLAY

test.describe('desktop app (Electron)', () => {
  test.skip(
    !binary.found,
    `no Electron binary on this machine: ${binary.found ? '' : binary.reason}`,
  )
  test.skip(binary.found && headless, 'Electron needs a display here: run under xvfb-run')

  test('launches, shows the notes UI in a locked-down window, and keeps a typed note', async () => {
    if (!binary.found) return
    await bundleElectron()
    const home = await mkdtemp(join(tmpdir(), 'lattice-electron-home-'))
    const app = await electron.launch({
      executablePath: binary.path,
      args: [ROOT],
      cwd: ROOT,
      // A fresh user data folder: on Linux it is under XDG_CONFIG_HOME, on macOS under HOME.
      env: { ...process.env, HOME: home, XDG_CONFIG_HOME: home, LATTICE_LOG_LEVEL: 'warn' },
    })
    try {
      const page = await app.firstWindow()
      const win = new AppWindow(page)
      await expect(page.getByTestId('sync-status')).toBeVisible()
      await expect(page.getByTestId('sync-summary')).toHaveText(/Up to date/)

      // The page has the bridge and nothing of Node.
      expect(
        await page.evaluate(() => ({
          bridge: Object.keys((window as unknown as Record<string, object>).latticeDesktop ?? {}),
          require: typeof (window as unknown as Record<string, unknown>).require,
          process: typeof (window as unknown as Record<string, unknown>).process,
        })),
      ).toEqual({
        bridge: expect.arrayContaining(['connect', 'onMenu', 'openExternal', 'newWindow']),
        require: 'undefined',
        process: 'undefined',
      })

      await win.newNote('yjs', 'Desktop note')
      await win.type('typed in the desktop app')
      await expect(win.editor).toHaveText('typed in the desktop app')
      await expect(page.getByTestId('sync-summary')).toHaveText(/Up to date/)

      const userData = await app.evaluate(({ app }) => app.getPath('userData'))
      expect(userData.startsWith(home)).toBe(true)
      expect(existsSync(join(userData, 'notes'))).toBe(true)
    } finally {
      await app.close()
      await rm(home, { recursive: true, force: true })
    }
  })
})
