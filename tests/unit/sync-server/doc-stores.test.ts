import { MemoryDocStore } from '../../../sync-server/storage/memory-store'
import { runDocStoreSuite } from './doc-store-suite'
import { openLevelFixture } from './level-fixture'

// One acceptance suite, every store (STYLE.md, "Boundaries as interfaces, proven by shared suites").
runDocStoreSuite(
  'MemoryDocStore',
  async () => {
    const store = new MemoryDocStore()
    return {
      store,
      reopen: () => Promise.reject(new Error('a memory store does not outlive itself')),
      dispose: () => store.close(),
    }
  },
  { durable: false },
)

runDocStoreSuite('LevelDocStore', openLevelFixture, { durable: true })
