import { createNote } from '../../shared/engine/create'
import type { EngineKind, NoteDoc } from '../../shared/engine/types'
import { randomId, replicaId, type DocId, type ReplicaId } from '../../shared/ids'
import { entryHash } from '../../shared/sync/digest'
import { Replica } from '../../shared/sync/replica'
import type { DigestEntry } from '../../shared/wire/frames'
import type { Logger } from '../ops/logger'
import { silentLogger } from '../ops/logger'
import { loadNote, persist, type Persistence } from '../storage/doc-persistence'
import type { DocStore } from '../storage/doc-store'

export interface LatticeNodeOptions {
  store: DocStore
  id?: ReplicaId
  log?: Logger
  /** Unload a document nobody uses after this long (ms). */
  unloadAfterMs?: number
  compactEvery?: number
}

interface CatalogEntry {
  engine: EngineKind
  /** Version digest when last in memory; null while it is loaded (ask the document). */
  digest: string | null
}

/**
 * The machine's replica: every stored document, loaded on demand and unloaded when idle, each
 * change written to the store before anything that acknowledges it goes out.
 */
export class LatticeNode {
  readonly replica: Replica
  readonly log: Logger
  private readonly catalog = new Map<DocId, CatalogEntry>()
  private readonly persisted = new Map<DocId, Persistence>()
  private readonly users = new Map<DocId, number>()
  private readonly lastUsed = new Map<DocId, number>()
  private readonly unreadable = new Map<DocId, Error>()
  private sweepTimer: ReturnType<typeof setInterval> | null = null

  private constructor(private readonly opts: LatticeNodeOptions) {
    this.log = opts.log ?? silentLogger
    const id = opts.id ?? replicaId(randomId('node-'))
    this.replica = new Replica({
      id,
      mode: 'full',
      makeDoc: (docId, engine) => this.track(createNote(engine, { id: docId, replica: id })),
      loadDoc: (docId) => this.load(docId),
      digestEntries: () => this.digestEntries(),
      durable: (doc) => this.durable(doc),
    })
  }

  /** Opens the node over a store, reading every document once to learn its version digest. */
  static async open(opts: LatticeNodeOptions): Promise<LatticeNode> {
    const node = new LatticeNode(opts)
    const infos = await opts.store.list((id, err) => node.markUnreadable(id as DocId, err))
    for (const info of infos) {
      if (info.digest !== null) {
        node.catalog.set(info.id, { engine: info.engine, digest: info.digest })
        continue
      }
      try {
        const doc = await loadNote(opts.store, info.id, (id, engine) =>
          createNote(engine, { id, replica: node.id }),
        )
        if (!doc) continue
        node.catalog.set(info.id, { engine: doc.engine, digest: doc.digest() })
        doc.destroy()
      } catch (err) {
        node.markUnreadable(info.id, err as Error)
      }
    }
    const every = Math.max(1000, Math.min(opts.unloadAfterMs ?? 30_000, 30_000))
    node.sweepTimer = setInterval(() => void node.unloadIdle(), every)
    node.sweepTimer.unref?.()
    return node
  }

  get id(): ReplicaId {
    return this.replica.id
  }

  get storedCount(): number {
    return this.catalog.size
  }

  get loadedCount(): number {
    return this.replica.docCount
  }

  get unreadableDocs(): ReadonlyMap<DocId, Error> {
    return this.unreadable
  }

  /** The document, loaded or created; pair with `release` when done so it can unload. */
  async retain(id: DocId, engine: EngineKind): Promise<NoteDoc> {
    this.users.set(id, (this.users.get(id) ?? 0) + 1)
    try {
      const doc = await this.replica.resolveDoc(id, engine)
      if (doc.engine !== engine) throw new Error(`document ${id} is ${doc.engine}, not ${engine}`)
      return doc
    } catch (err) {
      this.release(id)
      throw err
    }
  }

  release(id: DocId): void {
    const n = (this.users.get(id) ?? 1) - 1
    if (n <= 0) this.users.delete(id)
    else this.users.set(id, n)
    this.lastUsed.set(id, Date.now())
  }

  /** Resolves when every change so far is on disk. */
  async flush(): Promise<void> {
    await Promise.all([...this.persisted.values()].map((p) => p.flushed()))
  }

  /**
   * Resolves when every change so far to one document is on disk; after a failed write it
   * rewrites the document's state, and rejects if that fails too.
   */
  async flushDoc(id: DocId): Promise<void> {
    await this.persisted.get(id)?.flushed()
  }

  /** Unloads documents nobody holds, no window has open, and nobody touched for a while. */
  async unloadIdle(now = Date.now()): Promise<number> {
    const after = this.opts.unloadAfterMs ?? 30_000
    const open = new Set<DocId>()
    for (const link of this.replica.links) {
      const s = this.replica.session(link)
      if (s?.peer?.mode === 'partial') for (const d of s.activeDocs) open.add(d)
    }
    let unloaded = 0
    for (const doc of [...this.replica.allDocs()]) {
      if (this.users.has(doc.id) || open.has(doc.id)) continue
      if (now - (this.lastUsed.get(doc.id) ?? 0) < after) continue
      await this.unload(doc)
      unloaded++
    }
    return unloaded
  }

  private async unload(doc: NoteDoc): Promise<void> {
    const digest = await this.settle(doc)
    this.catalog.set(doc.id, { engine: doc.engine, digest })
    this.replica.drop(doc.id)
    doc.destroy()
    await this.recordDigest(doc.id, digest)
  }

  /** Writes what is pending and stops persisting; the digest of what is then stored. */
  private async settle(doc: NoteDoc): Promise<string> {
    const p = this.persisted.get(doc.id)
    await p?.flushed()
    p?.stop()
    this.persisted.delete(doc.id)
    return doc.digest()
  }

  /**
   * Lets the next open skip loading the document. Harmless if it races a late append: the
   * store forgets a digest on every append.
   */
  private async recordDigest(id: DocId, digest: string): Promise<void> {
    await this.opts.store
      .recordDigest(id, digest)
      .catch((err: Error) =>
        this.log.warn({ doc: id, err: err.message }, 'could not record the digest'),
      )
  }

  async close(): Promise<void> {
    if (this.sweepTimer) clearInterval(this.sweepTimer)
    await this.flush()
    await Promise.all(
      [...this.replica.allDocs()].map(async (doc) =>
        this.recordDigest(doc.id, await this.settle(doc)).catch(() => {}),
      ),
    )
    this.replica.destroy()
    await this.opts.store.close()
  }

  /** Reported by name and kept out of sync: never replaced by an empty document. */
  private markUnreadable(id: DocId, err: Error): void {
    this.unreadable.set(id, err)
    this.log.error({ doc: id, err: err.message }, 'document is unreadable; it will not be served')
  }

  private track(doc: NoteDoc): NoteDoc {
    if (this.unreadable.has(doc.id)) throw this.unreadable.get(doc.id) as Error
    this.catalog.set(doc.id, { engine: doc.engine, digest: null })
    this.persisted.set(
      doc.id,
      persist(this.opts.store, doc, { compactEvery: this.opts.compactEvery }),
    )
    this.lastUsed.set(doc.id, Date.now())
    doc.onChange(() => this.lastUsed.set(doc.id, Date.now()))
    return doc
  }

  private async load(id: DocId): Promise<NoteDoc | null> {
    const broken = this.unreadable.get(id)
    if (broken) throw new Error(`document ${id} is unreadable on this node: ${broken.message}`)
    if (!this.catalog.has(id)) return null
    const doc = await loadNote(this.opts.store, id, (docId, engine) =>
      createNote(engine, { id: docId, replica: this.id }),
    )
    return doc ? this.track(doc) : null
  }

  private digestEntries(): DigestEntry[] {
    const out: DigestEntry[] = []
    for (const [id, entry] of this.catalog) {
      const digest = this.replica.getDoc(id)?.digest() ?? entry.digest
      if (digest !== null)
        out.push({ doc: id, engine: entry.engine, hash: entryHash(id, entry.engine, digest) })
    }
    return out
  }

  private durable(doc: NoteDoc): Promise<void> | null {
    const p = this.persisted.get(doc.id)
    return p && (p.pending > 0 || p.failed) ? p.flushed() : null
  }
}
