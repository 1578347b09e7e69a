import { mkdirSync } from 'node:fs'
import { join } from 'node:path'
import { test as base } from '@playwright/test'
import type { AppWindow } from './app-window'
import { WebHost } from './web-host'

export const SCREENSHOTS = join('test-results', 'screenshots')

interface Fixtures {
  host: WebHost
  /** Windows to photograph when the test ends (into test-results/screenshots). */
  shots: AppWindow[]
}

export const test = base.extend<Fixtures>({
  // eslint-disable-next-line no-empty-pattern
  host: async ({}, use) => {
    const host = await WebHost.start()
    await use(host)
    await host.dispose()
  },
  // eslint-disable-next-line no-empty-pattern
  shots: async ({}, use, testInfo) => {
    const windows: AppWindow[] = []
    await use(windows)
    mkdirSync(SCREENSHOTS, { recursive: true })
    const name = testInfo.titlePath
      .slice(1)
      .join(' - ')
      .replace(/[^\w.-]+/g, '_')
    for (const [i, w] of windows.entries()) {
      if (w.page.isClosed()) continue
      const path = join(SCREENSHOTS, `${name}-window${i + 1}.png`)
      await w.page.screenshot({ path })
      await testInfo.attach(`window ${i + 1}`, { path, contentType: 'image/png' })
    }
  },
})

export { expect } from '@playwright/test'
