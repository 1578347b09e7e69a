import { WindowCache, type CachedDoc } from './window-cache'

/**
 * Caches left behind by windows that are gone. A window closed (or crashed) while its link was
 * cut leaves edits in its IndexedDB cache that only it knew about; the next window to start
 * takes them in, syncs them to the node, and deletes that cache.
 *
 * A live window holds a Web Lock named after its cache for as long as it runs, so a cache
 * whose lock is free belongs to nobody. A window that closed cleanly noted when (on pagehide);
 * its cache is left alone for a grace period so that a reload, which starts the same window
 * again under the same id, finds its own cache first.
 *
 *   lattice-windows / windows   key = window id → { id, closedAt: ms | null }
 */
const REGISTRY_DB = 'lattice-windows'
const REGISTRY_STORE = 'windows'
export const RELOAD_GRACE_MS = 5_000

interface WindowRow {
  id: string
  closedAt: number | null
}

export const cacheName = (windowId: string): string => `lattice-window-${windowId}`
const lockName = (windowId: string): string => `lattice-window-lock-${windowId}`

function locks(): LockManager | null {
  return typeof navigator !== 'undefined' && navigator.locks ? navigator.locks : null
}

function request<T>(req: IDBRequest<T>): Promise<T> {
  return new Promise((ok, fail) => {
    req.onsuccess = () => ok(req.result)
    req.onerror = () => fail(req.error ?? new Error('IndexedDB request failed'))
  })
}

async function withRegistry<T>(
  mode: IDBTransactionMode,
  use: (store: IDBObjectStore) => IDBRequest<T>,
): Promise<T> {
  const open = indexedDB.open(REGISTRY_DB, 1)
  open.onupgradeneeded = () => open.result.createObjectStore(REGISTRY_STORE, { keyPath: 'id' })
  const db = await request(open)
  try {
    return await request(use(db.transaction(REGISTRY_STORE, mode).objectStore(REGISTRY_STORE)))
  } finally {
    db.close()
  }
}

/**
 * Marks this window as running for as long as the page lives: takes its lock (waiting while
 * another window is still taking in this cache), registers it, and notes the time it closes.
 */
export async function claimWindow(windowId: string): Promise<void> {
  const manager = locks()
  if (manager) {
    await new Promise<void>((held) => {
      void manager.request(lockName(windowId), () => {
        held()
        return new Promise<never>(() => {}) // released when the page goes away
      })
    })
  }
  await withRegistry('readwrite', (s) =>
    s.put({ id: windowId, closedAt: null } satisfies WindowRow),
  )
  addEventListener('pagehide', () => {
    void withRegistry('readwrite', (s) => s.put({ id: windowId, closedAt: Date.now() }))
  })
}

/**
 * Takes in every orphaned cache: `merge` receives its documents and resolves once they are in
 * this window's own cache; then the orphan is deleted. Returns how many caches were taken in.
 * Without Web Locks (no way to tell a live window from a dead one) it takes in nothing.
 */
export async function adoptOrphans(
  selfId: string,
  merge: (docs: CachedDoc[]) => Promise<void>,
  now = Date.now(),
): Promise<number> {
  const manager = locks()
  if (!manager) return 0
  const rows = await withRegistry('readonly', (s) => s.getAll() as IDBRequest<WindowRow[]>)
  let adopted = 0
  for (const row of rows) {
    if (row.id === selfId) continue
    if (row.closedAt !== null && now - row.closedAt < RELOAD_GRACE_MS) continue
    const taken = await manager.request(lockName(row.id), { ifAvailable: true }, async (lock) => {
      if (!lock) return false // its window is running
      const cache = await WindowCache.open(cacheName(row.id))
      const docs = await cache.load()
      cache.closeNow()
      if (docs.length > 0) await merge(docs)
      await request(indexedDB.deleteDatabase(cacheName(row.id)))
      await withRegistry('readwrite', (s) => s.delete(row.id))
      return true
    })
    if (taken) adopted++
  }
  return adopted
}
