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
  const compactEvery = opts.compactEvery ?? 500
  const maxLogRatio = opts.maxLogRatio ?? 4
  const shape: LogShape = loadedShape.get(doc) ?? { base: 0, logBytes: 0, appends: 0 }
  let pending = 0
  let stopped = false
  let failure: unknown = null
  let compactionQueued = false
  /** Sequence number of the last update the store acknowledged. */
  let lastSeq = 0
  /** Settles when the last queued append has (never rejects; `failure` says how it went). */
  let lastAppend: Promise<void> = Promise.resolve()
  /** The per-document chain every store call goes through, appends and compactions alike. */
  let chain: Promise<void> = Promise.resolve()

  /** Updates waiting for the next append, and how many writes asked for it. */
  let queued: Uint8Array[] = []
  let queuedWrites = 0
  let scheduled = false

  /**
   * Queues an update (or, with null, a repair). Updates that arrive while an append is on its
   * way go out together as one merged append: a burst of keystrokes costs one store write.
   */
  const write = (update: Uint8Array | null): void => {
    pending++
    queuedWrites++
    if (update) queued.push(update)
    if (scheduled) return
    scheduled = true
    lastAppend = chain = chain.then(async () => {
      scheduled = false
      const updates = queued
      const writes = queuedWrites
      queued = []
      queuedWrites = 0
      try {
        // After a failure, the full state: it holds whatever the failed append carried.
        const repair = failure !== null && !stopped
        const bytes = repair
          ? doc.encodeState()
          : updates.length > 0
            ? doc.mergeUpdates(updates)
            : null
        if (bytes === null) return
        lastSeq = await store.append(doc.id, doc.engine, bytes)
        if (repair) failure = null
        if (shape.base === 0) shape.base = bytes.length
        else {
          shape.logBytes += bytes.length
          shape.appends++
        }
        if (!stopped && !compactionQueued && dueForCompaction()) {
          compactionQueued = true
          chain = chain.then(compact)
        }
      } catch (err) {
        failure = err
      } finally {
        pending -= writes
      }
    })
  }

  // The floor keeps a new note (whose base is its first, tiny update) from compacting every
  // few keystrokes; the log still never outgrows its state by more than this.
  const dueForCompaction = (): boolean =>
    shape.appends >= compactEvery ||
    shape.logBytes > Math.max(maxLogRatio * shape.base, MIN_LOG_BYTES_TO_COMPACT)

  const compact = async (): Promise<void> => {
    compactionQueued = false
    if (stopped || failure !== null) return
    try {
      // Runs after every append queued so far, so the state holds everything up to lastSeq.
      const snapshot = doc.encodeState()
      await store.compact(doc.id, snapshot, lastSeq)
      shape.base = snapshot.length
      shape.logBytes = 0
      shape.appends = 0
    } catch {
      // Nothing is lost (the log is intact); the next append tries again.
    }
  }

  const off = doc.onChange((change) => {
    if (change.origin === 'load') return
    // Taken now: the update is computed lazily and must be this change's bytes.
    write(change.update())
  })

  return {
    async flushed() {
      if (failure !== null && !stopped && pending === 0) write(null)
      await lastAppend
      if (failure !== null) throw failure
    },
    stop() {
      stopped = true
      off()
    },
    get pending() {
      return pending
    },
    get failed() {
      return failure !== null
    },
  }
}
