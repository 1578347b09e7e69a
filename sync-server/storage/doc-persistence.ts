import type { EngineKind, NoteDoc } from '../../shared/engine/types'
import type { DocId } from '../../shared/ids'
import { CorruptRecordError, type DocStore } from './doc-store'

const MIN_LOG_BYTES_TO_COMPACT = 16 * 1024

/** Makes an empty note of a stored document's engine, for `loadNote` to fill. */
export type MakeDoc = (id: DocId, engine: EngineKind) => NoteDoc

export interface PersistOptions {
  /** Compact after this many appends (default 500). */
  compactEvery?: number | undefined
  /** ... or once the log outweighs the snapshot this many times over (default 4). */
  maxLogRatio?: number | undefined
}

export interface Persistence {
  /** Resolves once every change so far is durable; rejects if one could not be written. */
  flushed(): Promise<void>
  /** Stops listening. Writes already queued still finish; `flushed` still reports them. */
  stop(): void
  /** Changes seen but not yet durable. */
  readonly pending: number
  /** A write failed and no repair has succeeded yet: nothing may be acknowledged. */
  readonly failed: boolean
}

/** What the store held when a note was loaded, so `persist` knows how far it is from a compaction. */
interface LogShape {
  /** Bytes of the snapshot, or of the first update while there is no snapshot yet. */
  base: number
  /** Bytes and count of what follows `base`. */
  logBytes: number
  appends: number
}
const loadedShape = new WeakMap<NoteDoc, LogShape>()

/** The stored note, rebuilt; null when the store has no such document. */
export async function loadNote(
  store: DocStore,
  id: DocId,
  makeDoc: MakeDoc,
): Promise<NoteDoc | null> {
  const stored = await store.load(id)
  if (!stored) return null
  const doc = makeDoc(id, stored.engine)
  const n = stored.updates.length
  try {
    stored.updates.forEach((update, i) => {
      try {
        doc.applyUpdate(update, 'load')
      } catch (err) {
        // The store's checksums passed, so the bytes are as written; the engine still refuses.
        throw new CorruptRecordError(`${id} update ${i + 1}/${n}`, (err as Error).message)
      }
    })
  } catch (err) {
    doc.destroy()
    throw err
  }
  // Whether updates[0] is a snapshot is not recorded, so treat it as the base either way: an
  // uncompacted log then simply reaches its first compaction a little early.
  let logBytes = 0
  for (const u of stored.updates.slice(1)) logBytes += u.length
  loadedShape.set(doc, { base: stored.updates[0]?.length ?? 0, logBytes, appends: n - 1 })
  return doc
}

/**
 * Writes every change to `doc` (except those it loaded) to `store`, one append at a time in
 * order, and compacts the log into a snapshot now and then.
 *
 * A failed append is not skipped over: the next write (or the next `flushed`, which retries)
 * appends the whole state instead, which covers the lost update, and `flushed` rejects until
 * one such write succeeds.
 */
export function persist(store: DocStore, doc: NoteDoc, opts: PersistOptions = {}): Persistence {
  return new DocPersistence(store, doc, opts)
}

/**
 * A class rather than closures: a relay keeps one per loaded document, and fields cost a few
 * bytes where each closure costs a function, its context and (under tools that keep function
 * names) a property array.
 */
class DocPersistence implements Persistence {
  private readonly compactEvery: number
  private readonly maxLogRatio: number
  private readonly shape: LogShape
  private writesPending = 0
  private stopped = false
  private failure: unknown = null
  private compactionQueued = false
  /** Sequence number of the last update the store acknowledged. */
  private lastSeq = 0
  /** Settles when the last queued append has (never rejects; `failure` says how it went). */
  private lastAppend: Promise<void> = Promise.resolve()
  /** The per-document chain every store call goes through, appends and compactions alike. */
  private chain: Promise<void> = Promise.resolve()
  /** Updates waiting for the next append, and how many writes asked for it. */
  private queued: Uint8Array[] = []
  private queuedWrites = 0
  private scheduled = false
  private readonly off: () => void

  constructor(
    private readonly store: DocStore,
    private readonly doc: NoteDoc,
    opts: PersistOptions,
  ) {
    this.compactEvery = opts.compactEvery ?? 500
    this.maxLogRatio = opts.maxLogRatio ?? 4
    this.shape = loadedShape.get(doc) ?? { base: 0, logBytes: 0, appends: 0 }
    this.off = doc.onChange((change) => {
      // Taken now: the update is computed lazily and must be this change's bytes.
      if (change.origin !== 'load') this.write(change.update())
    })
  }

  get pending(): number {
    return this.writesPending
  }

  get failed(): boolean {
    return this.failure !== null
  }

  async flushed(): Promise<void> {
    if (this.failure !== null && !this.stopped && this.writesPending === 0) this.write(null)
    await this.lastAppend
    if (this.failure !== null) throw this.failure
  }

  stop(): void {
    this.stopped = true
    this.off()
  }

  /**
   * Queues an update (or, with null, a repair). Updates that arrive while an append is on its
   * way go out together as one merged append: a burst of keystrokes costs one store write.
   */
  private write(update: Uint8Array | null): void {
    this.writesPending++
    this.queuedWrites++
    if (update) this.queued.push(update)
    if (this.scheduled) return
    this.scheduled = true
    this.lastAppend = this.chain = this.chain.then(() => this.append())
  }

  private async append(): Promise<void> {
    this.scheduled = false
    const updates = this.queued
    const writes = this.queuedWrites
    this.queued = []
    this.queuedWrites = 0
    const { doc, shape } = this
    try {
      // After a failure, the full state: it holds whatever the failed append carried.
      const repair = this.failure !== null && !this.stopped
      const bytes = repair
        ? doc.encodeState()
        : updates.length > 0
          ? doc.mergeUpdates(updates)
          : null
      if (bytes === null) return
      this.lastSeq = await this.store.append(doc.id, doc.engine, bytes)
      if (repair) this.failure = null
      if (shape.base === 0) shape.base = bytes.length
      else {
        shape.logBytes += bytes.length
        shape.appends++
      }
      if (!this.stopped && !this.compactionQueued && this.dueForCompaction()) {
        this.compactionQueued = true
        this.chain = this.chain.then(() => this.compact())
      }
    } catch (err) {
      this.failure = err
    } finally {
      this.writesPending -= writes
    }
  }

  // The floor keeps a new note (whose base is its first, tiny update) from compacting every
  // few keystrokes; the log still never outgrows its state by more than this.
  private dueForCompaction(): boolean {
    const { shape } = this
    return (
      shape.appends >= this.compactEvery ||
      shape.logBytes > Math.max(this.maxLogRatio * shape.base, MIN_LOG_BYTES_TO_COMPACT)
    )
  }

  private async compact(): Promise<void> {
    this.compactionQueued = false
    if (this.stopped || this.failure !== null) return
    try {
      // Runs after every append queued so far, so the state holds everything up to lastSeq.
      const snapshot = this.doc.encodeState()
      await this.store.compact(this.doc.id, snapshot, this.lastSeq)
      this.shape.base = snapshot.length
      this.shape.logBytes = 0
      this.shape.appends = 0
    } catch {
      // Nothing is lost (the log is intact); the next append tries again.
    }
  }
}
