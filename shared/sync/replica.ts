import { createNote } from '../engine/create'
import type { DocChange, EngineKind, NoteDoc } from '../engine/types'
import type { DocId, ReplicaId } from '../ids'
import { Emitter, type Unsubscribe } from '../util/emitter'
import type { DigestEntry, Mode } from '../wire/frames'
import { entryHash } from './digest'
import type { Link } from './link'
import { Session, type SessionEvent, type SessionHost } from './session'

export interface ReplicaOptions {
  id: ReplicaId
  /** 'full' replicates every document (a node); 'partial' only what it opens (a window). */
  mode: Mode
  /** Makes the document object; default: a fresh in-memory note. Deterministic actors go here. */
  makeDoc?: (id: DocId, engine: EngineKind) => NoteDoc
  /** Finds a document that is stored but not in memory (a node's storage); null if unknown. */
  loadDoc?: (id: DocId, engine: EngineKind) => Promise<NoteDoc | null>
  /** Digest entries of every document, stored ones included; default: those in memory. */
  digestEntries?: () => DigestEntry[]
  /** A promise while the document has writes not yet on disk; replies to peers wait for it. */
  durable?: (doc: NoteDoc) => Promise<void> | null
}

/**
 * A set of documents and the links they sync over. Every change of a document, local or from
 * one link, goes to every other link's session: gossip, so a chain A–B–C converges.
 */
export class Replica implements SessionHost {
  readonly id: ReplicaId
  readonly mode: Mode
  readonly events = new Emitter<SessionEvent>()
  readonly docAdded = new Emitter<NoteDoc>()
  private readonly docs = new Map<DocId, { doc: NoteDoc; off: Unsubscribe }>()
  private readonly sessions = new Map<Link, Session>()
  private readonly makeDoc: (id: DocId, engine: EngineKind) => NoteDoc
  private readonly loading = new Map<DocId, Promise<NoteDoc>>()

  constructor(private readonly opts: ReplicaOptions) {
    this.id = opts.id
    this.mode = opts.mode
    this.makeDoc = opts.makeDoc ?? ((id, engine) => createNote(engine, { id, replica: this.id }))
  }

  getDoc(id: DocId): NoteDoc | undefined {
    return this.docs.get(id)?.doc
  }

  allDocs(): Iterable<NoteDoc> {
    return Array.from(this.docs.values(), (d) => d.doc)
  }

  get docCount(): number {
    return this.docs.size
  }

  /** The document with this id, created if new; in a partial replica this subscribes to it. */
  open(id: DocId, engine: EngineKind): NoteDoc {
    return this.getDoc(id) ?? this.createDoc(id, engine)
  }

  createDoc(id: DocId, engine: EngineKind): NoteDoc {
    return this.adopt(this.makeDoc(id, engine))
  }

  /** The document, from memory, from storage (once, however many ask), or new. */
  resolveDoc(id: DocId, engine: EngineKind): NoteDoc | Promise<NoteDoc> {
    const inMemory = this.getDoc(id)
    if (inMemory) return inMemory
    const { loadDoc } = this.opts
    if (!loadDoc) return this.createDoc(id, engine)
    let pending = this.loading.get(id)
    if (!pending) {
      pending = loadDoc(id, engine)
        .then((doc) => this.getDoc(id) ?? (doc ? this.adopt(doc) : this.createDoc(id, engine)))
        .finally(() => this.loading.delete(id))
      this.loading.set(id, pending)
    }
    return pending
  }

  /** Takes a document made elsewhere (loaded from storage, say) into sync. */
  adopt(doc: NoteDoc): NoteDoc {
    const existing = this.docs.get(doc.id)
    if (existing) throw new Error(`document ${doc.id} is already open in replica ${this.id}`)
    const off = doc.onChange((change) => this.fanOut(doc, change))
    this.docs.set(doc.id, { doc, off })
    this.docAdded.emit(doc)
    for (const s of this.sessions.values()) if (this.mode === 'partial') s.activate(doc)
    return doc
  }

  /** Stops syncing a document and forgets it (to unload it from memory); the caller destroys it. */
  drop(id: DocId): void {
    const entry = this.docs.get(id)
    if (!entry) return
    entry.off()
    this.docs.delete(id)
    for (const s of this.sessions.values()) s.forget(id)
  }

  digestEntries(): DigestEntry[] {
    if (this.opts.digestEntries) return this.opts.digestEntries()
    const out: DigestEntry[] = []
    for (const { doc } of this.docs.values())
      out.push({
        doc: doc.id,
        engine: doc.engine,
        hash: entryHash(doc.id, doc.engine, doc.digest()),
      })
    return out
  }

  get acknowledges(): boolean {
    return this.opts.durable !== undefined
  }

  durable(doc: NoteDoc): Promise<void> | null {
    return this.opts.durable?.(doc) ?? null
  }

  report(event: SessionEvent): void {
    this.events.emit(event)
  }

  /** Syncs over `link` every time it opens, until the returned function is called. */
  attach(link: Link): Unsubscribe {
    const begin = () => {
      this.sessions.get(link)?.dispose()
      const session = new Session(this, link)
      this.sessions.set(link, session)
      session.start()
    }
    const offs = [
      link.onOpen(begin),
      link.onClose(() => {
        this.sessions.get(link)?.dispose()
        this.sessions.delete(link)
      }),
      link.onFrame((frame) => this.sessions.get(link)?.receive(frame)),
    ]
    if (link.isOpen) begin()
    return () => {
      for (const off of offs) off()
      this.sessions.get(link)?.dispose()
      this.sessions.delete(link)
    }
  }

  session(link: Link): Session | undefined {
    return this.sessions.get(link)
  }

  get links(): Link[] {
    return [...this.sessions.keys()]
  }

  private fanOut(doc: NoteDoc, change: DocChange): void {
    for (const s of this.sessions.values()) s.docChanged(doc, change)
  }

  destroy(): void {
    for (const { doc, off } of this.docs.values()) {
      off()
      doc.destroy()
    }
    this.docs.clear()
    for (const s of this.sessions.values()) s.dispose()
    this.sessions.clear()
  }
}
