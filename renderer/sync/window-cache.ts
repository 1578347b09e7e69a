import type { EngineKind } from '../../shared/engine/types'
import type { DocId } from '../../shared/ids'

/**
 * One window's offline cache in IndexedDB: per document, its engine and a log of updates,
 * compacted into one full state now and then. What a window typed while its link was cut
 * survives a reload or a crash here, and syncs when the link returns.
 *
 *   docs  key = doc id → { id, engine, next }     next = sequence number of the next update
 *   log   key = [doc id, seq] → Uint8Array
 */
export interface CachedDoc {
  readonly id: DocId
  readonly engine: EngineKind
  readonly updates: Uint8Array[]
}

interface DocRow {
  id: DocId
  engine: EngineKind
  next: number
}

const COMPACT_AFTER = 200

function request<T>(req: IDBRequest<T>): Promise<T> {
  return new Promise((ok, fail) => {
    req.onsuccess = () => ok(req.result)
    req.onerror = () => fail(req.error ?? new Error('IndexedDB request failed'))
  })
}

function done(tx: IDBTransaction): Promise<void> {
  return new Promise((ok, fail) => {
    tx.oncomplete = () => ok()
    tx.onabort = tx.onerror = () => fail(tx.error ?? new Error('IndexedDB transaction failed'))
  })
}

export class WindowCache {
  /** Writes in the order they were asked for; each waits for the one before. */
  private tail: Promise<void> = Promise.resolve()
  private readonly rows = new Map<DocId, DocRow>()
  private failure: Error | null = null

  private constructor(private readonly db: IDBDatabase) {}

  static async open(name: string): Promise<WindowCache> {
    const req = indexedDB.open(name, 1)
    req.onupgradeneeded = () => {
      req.result.createObjectStore('docs', { keyPath: 'id' })
      req.result.createObjectStore('log')
    }
    return new WindowCache(await request(req))
  }

  /** Every cached document with its updates, in order. */
  async load(): Promise<CachedDoc[]> {
    const tx = this.db.transaction(['docs', 'log'], 'readonly')
    const rows = (await request(tx.objectStore('docs').getAll())) as DocRow[]
    const out: CachedDoc[] = []
    for (const row of rows) {
      this.rows.set(row.id, row)
      const range = IDBKeyRange.bound([row.id, 0], [row.id, Infinity])
      const updates = (await request(tx.objectStore('log').getAll(range))) as Uint8Array[]
      out.push({ id: row.id, engine: row.engine, updates: updates.map((u) => new Uint8Array(u)) })
    }
    return out
  }

  /** The last write error, if writes are failing (quota, a closed database). */
  get error(): Error | null {
    return this.failure
  }

  append(id: DocId, engine: EngineKind, update: Uint8Array, fullState: () => Uint8Array): void {
    const row = this.rows.get(id) ?? { id, engine, next: 0 }
    this.rows.set(id, row)
    const seq = row.next++
    const compact = seq > 0 && seq % COMPACT_AFTER === 0
    const state = compact ? fullState() : null
    this.enqueue(() => {
      const tx = this.db.transaction(['docs', 'log'], 'readwrite')
      const log = tx.objectStore('log')
      if (state) {
        log.delete(IDBKeyRange.bound([id, 0], [id, seq]))
        log.put(state, [id, seq])
      } else {
        log.put(update, [id, seq])
      }
      tx.objectStore('docs').put({ ...row, next: seq + 1 })
      return done(tx)
    })
  }

  /** Resolves when every write asked for so far is committed. */
  flushed(): Promise<void> {
    return this.tail
  }

  close(): void {
    void this.tail.finally(() => this.db.close())
  }

  /** Closes at once: for a cache only read (an orphan being taken in), never written. */
  closeNow(): void {
    this.db.close()
  }

  private enqueue(write: () => Promise<void>): void {
    this.tail = this.tail.then(write).then(
      () => {
        this.failure = null
      },
      (err: Error) => {
        this.failure = err
        console.error('offline cache write failed', err)
      },
    )
  }
}
