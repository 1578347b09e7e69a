import type { EngineKind } from '../../shared/engine/types'
import { docId, type DocId } from '../../shared/ids'
import type { DocInfo, DocStore, StoredDoc } from './doc-store'
import { checkCompact, checkEngine } from './store-rules'

interface MemoryDoc {
  readonly engine: EngineKind
  seq: number
  snapshotSeq: number
  snapshot: Uint8Array | null
  /** Updates snapshotSeq+1 .. seq, in order. */
  log: Uint8Array[]
  digest: string | null
}

/**
 * A DocStore in a Map, for unit tests of the modules above storage. It behaves like the Level
 * store in everything but durability (the shared suite proves it), and copies bytes both ways so
 * a caller mutating a buffer can't reach into it.
 */
export class MemoryDocStore implements DocStore {
  private readonly docs = new Map<DocId, MemoryDoc>()
  private closed = false

  async list(): Promise<DocInfo[]> {
    this.assertOpen()
    return [...this.docs]
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
      .map(([id, doc]) => ({
        id,
        engine: doc.engine,
        bytes: bytesOf(doc),
        logLength: doc.log.length,
        digest: doc.digest,
      }))
  }

  async load(id: DocId): Promise<StoredDoc | null> {
    this.assertOpen()
    const doc = this.docs.get(docId(id))
    if (!doc) return null
    const updates = doc.snapshot ? [doc.snapshot, ...doc.log] : doc.log
    return { engine: doc.engine, updates: updates.map((u) => u.slice()), seq: doc.seq }
  }

  async append(id: DocId, engine: EngineKind, update: Uint8Array): Promise<number> {
    this.assertOpen()
    let doc = this.docs.get(docId(id))
    if (doc) checkEngine(id, doc.engine, engine)
    else {
      doc = { engine, seq: 0, snapshotSeq: 0, snapshot: null, log: [], digest: null }
      this.docs.set(id, doc)
    }
    doc.log.push(update.slice())
    doc.digest = null
    return ++doc.seq
  }

  async recordDigest(id: DocId, digest: string): Promise<void> {
    this.assertOpen()
    const doc = this.docs.get(docId(id))
    if (doc) doc.digest = digest
  }

  async compact(id: DocId, snapshot: Uint8Array, uptoSeq: number): Promise<void> {
    this.assertOpen()
    const doc = this.docs.get(docId(id)) ?? null
    checkCompact(id, doc, uptoSeq)
    doc.log = doc.log.slice(uptoSeq - doc.snapshotSeq)
    doc.snapshot = snapshot.slice()
    doc.snapshotSeq = uptoSeq
  }

  async delete(id: DocId): Promise<void> {
    this.assertOpen()
    this.docs.delete(docId(id))
  }

  async size(): Promise<number> {
    this.assertOpen()
    let total = 0
    for (const doc of this.docs.values()) total += bytesOf(doc)
    return total
  }

  async close(): Promise<void> {
    this.closed = true
  }

  private assertOpen(): void {
    if (this.closed) throw new Error('memory store is closed')
  }
}

function bytesOf(doc: MemoryDoc): number {
  let n = doc.snapshot?.length ?? 0
  for (const u of doc.log) n += u.length
  return n
}
