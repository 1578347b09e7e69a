import { mkdir, mkdtemp, rm } from 'node:fs/promises'
import { join } from 'node:path'
import { bundleElectron, ROOT, type Bundles } from '../../../electron/bundle'

export interface TestBundles extends Bundles {
  /** Stands for app.getAppPath(): the bundles sit in its dist/electron/. */
  readonly appPath: string
  dispose(): Promise<void>
}

/**
 * Fresh bundles of the current sources, in a folder under node_modules/ so the main bundle's
 * externals (classic-level) resolve as they do in the project.
 */
export async function bundleForTest(): Promise<TestBundles> {
  const cache = join(ROOT, 'node_modules/.cache')
  await mkdir(cache, { recursive: true })
  const appPath = await mkdtemp(join(cache, 'lattice-electron-'))
  const bundles = await bundleElectron(join(appPath, 'dist/electron'))
  return { ...bundles, appPath, dispose: () => rm(appPath, { recursive: true, force: true }) }
}
