import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { LevelDocStore } from '../../../sync-server/storage/level-store'
import type { DocStoreFixture } from './doc-store-suite'

export interface LevelFixture extends DocStoreFixture {
  readonly dir: string
  readonly store: LevelDocStore
  reopen(): Promise<LevelDocStore>
}

/** A LevelDocStore in a fresh folder under the OS temp dir, removed by `dispose`. */
export async function openLevelFixture(): Promise<LevelFixture> {
  const dir = await mkdtemp(join(tmpdir(), 'lattice-store-'))
  let store = await LevelDocStore.open(dir)
  return {
    dir,
    get store() {
      return store
    },
    async reopen() {
      await store.close()
      store = await LevelDocStore.open(dir)
      return store
    },
    async dispose() {
      await store.close()
      await rm(dir, { recursive: true, force: true })
    },
  }
}
