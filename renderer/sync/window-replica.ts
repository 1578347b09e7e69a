import { createNote } from '../../shared/engine/create'
import type { EngineKind, NoteDoc, Origin } from '../../shared/engine/types'
import type { YjsNote } from '../../shared/engine/yjs-note'
import { docId, linkId, randomId, replicaId, type DocId, type ReplicaId } from '../../shared/ids'
import { Notebook, NOTEBOOK_ID } from '../../shared/notebook/notebook'
import { DialerLink, type Dial, type DialerState } from '../../shared/sync/dialer-link'
import { FaultyLink } from '../../shared/sync/faulty-link'
import { realScheduler } from '../../shared/sync/link'
import { Replica } from '../../shared/sync/replica'
import { Emitter, type Unsubscribe } from '../../shared/util/emitter'
import { Rng } from '../../shared/util/rng'
import { adoptOrphans, cacheName, claimWindow } from './orphan-caches'
import { WindowCache, type CachedDoc } from './window-cache'

export interface WindowReplicaOptions {
  /** Stable across reloads of this window (its cache is named after it). */
  windowId: string
  url: string
  token?: string
  dial: Dial
  /** Start with the link cut (the window was offline when it reloaded). */
  offline?: boolean
}

/** The origin of edits taken in from another window's cache: a change to sync, not a load. */
const ORPHAN_ORIGIN = linkId('orphan-cache')

/** What the sync status shows for the one peer a window has: its node. */
export interface PeerStatus {
  readonly connection: DialerState['status']
  readonly offline: boolean
  /** Edits of open documents the node has not acknowledged as on its disk. */
  readonly unseen: number
  /** Open documents the node has not acknowledged yet on this connection. */
  readonly unconfirmed: number
  readonly lastClose: string | null
}

/**
 * A window's replica: the documents it has open, cached in IndexedDB, with one link to its
 * node that the person (or the Lab) can cut. Edits made while cut are kept in the cache and
 * sync when the link heals; acknowledgements from the node say what is safe on its disk.
 */
export class WindowReplica {
  readonly replica: Replica
  readonly notebook: Notebook
  readonly link: FaultyLink
  private readonly dialer: DialerLink
  private readonly acks = new Map<DocId, Uint8Array>()
  private readonly statusChanged = new Emitter<void>()
  private offlineNow: boolean
  /** Resolves once the node has answered for the notebook: what it holds is here. */
  readonly notebookReady: Promise<void>

  private constructor(
    readonly id: ReplicaId,
    private readonly cache: WindowCache,
    opts: WindowReplicaOptions,
  ) {
    this.replica = new Replica({ id, mode: 'partial' })
    this.offlineNow = opts.offline ?? false
    this.dialer = new DialerLink({
      url: opts.url,
      token: opts.token,
      dial: opts.dial,
      id: linkId(`${id}-node`),
      backoff: { baseMs: 200, capMs: 5_000 },
    })
    this.link = new FaultyLink(this.dialer, {
      rng: new Rng((Math.random() * 2 ** 32) >>> 0),
      scheduler: realScheduler,
      bounce: () => this.dialer.reconnect('resync after the link was cut'),
    })
    if (this.offlineNow) this.link.cut('both')
    this.notebook = new Notebook(id, this.replica.open(NOTEBOOK_ID, 'yjs') as YjsNote)
    // The node acknowledges the notebook after its reply to our first message about it.
    this.notebookReady = new Promise((resolve) => {
      const off = this.replica.events.on((e) => {
        if (e.type === 'ack' && e.doc === NOTEBOOK_ID) {
          off()
          resolve()
        }
      })
    })
    this.dialer.onStatus(() => this.statusChanged.emit())
    this.replica.events.on((e) => {
      if (e.type === 'ack') {
        this.acks.set(e.doc, e.version)
        this.statusChanged.emit()
      }
    })
    this.dialer.onClose(() => {
      this.acks.clear()
      this.statusChanged.emit()
    })
    this.replica.attach(this.link)
  }

  static async start(opts: WindowReplicaOptions): Promise<WindowReplica> {
    const id = replicaId(`win-${opts.windowId}`)
    await claimWindow(opts.windowId)
    const cache = await WindowCache.open(cacheName(opts.windowId))
    const cached = await cache.load()
    const win = new WindowReplica(id, cache, opts)
    // Cached documents come back before the link opens, so the first sync carries them.
    for (const c of cached) win.persist(win.restore(c, 'load')[0])
    if (!cached.some((c) => c.id === NOTEBOOK_ID)) win.persist(win.notebook.doc)
    return win
  }

  /**
   * Takes in the caches of windows that closed or crashed with edits only they had (see
   * orphan-caches.ts): into this window's documents and cache, and on to the node.
   */
  async adoptOrphans(windowId: string): Promise<number> {
    return adoptOrphans(windowId, async (docs) => {
      for (const c of docs) {
        const [doc, isNew] = this.restore(c, ORPHAN_ORIGIN)
        if (isNew) {
          this.persist(doc)
          // What `restore` applied before the cache listened: its whole state, written once.
          this.cache.append(doc.id, doc.engine, doc.encodeState(), () => doc.encodeState())
        }
      }
      await this.cache.flushed()
      if (this.cache.error) throw this.cache.error
    })
  }

  /** A cached document's updates, applied to this window's copy (made if it has none). */
  private restore(c: CachedDoc, origin: Origin): [NoteDoc, boolean] {
    const existing = this.replica.getDoc(c.id)
    const doc = existing ?? this.replica.adopt(createNote(c.engine, { id: c.id, replica: this.id }))
    for (const u of c.updates) doc.applyUpdate(u, origin)
    return [doc, existing === undefined]
  }

  /** The note's document, opened (and subscribed to) in this window. */
  open(id: DocId, engine: EngineKind): NoteDoc {
    const existing = this.replica.getDoc(id)
    if (existing) return existing
    const doc = this.replica.open(id, engine)
    this.persist(doc)
    return doc
  }

  /** Stops syncing a document this window opened by mistake (a URL naming the wrong engine). */
  forget(id: DocId): void {
    const doc = this.replica.getDoc(id)
    this.replica.drop(id)
    doc?.destroy()
  }

  createNote(engine: EngineKind, title: string): DocId {
    const id = docId(randomId('n-'))
    this.open(id, engine)
    this.notebook.create(engine, title, id)
    return id
  }

  get offline(): boolean {
    return this.offlineNow
  }

  /** Cuts or heals this window's link to its node, for real: frames stop in both directions. */
  setOffline(offline: boolean): void {
    if (offline === this.offlineNow) return
    this.offlineNow = offline
    if (offline) this.link.cut('both')
    else this.link.heal()
    this.acks.clear()
    this.statusChanged.emit()
  }

  status(): PeerStatus {
    const state = this.dialer.snapshot
    let unseen = 0
    let unconfirmed = 0
    for (const doc of this.replica.allDocs()) {
      const acked = this.acks.get(doc.id)
      if (acked) unseen += doc.unseenBy(acked)
      else unconfirmed++
    }
    return {
      connection: state.status,
      offline: this.offlineNow,
      unseen,
      unconfirmed,
      lastClose: state.lastClose ? `${state.lastClose.code} ${state.lastClose.reason}` : null,
    }
  }

  onStatus(listener: () => void): Unsubscribe {
    const offs = [this.statusChanged.on(listener)]
    for (const doc of this.replica.allDocs()) offs.push(doc.onChange(() => listener()))
    offs.push(this.replica.docAdded.on((doc) => offs.push(doc.onChange(() => listener()))))
    return () => offs.forEach((off) => off())
  }

  /** Resolves when every change so far is in this window's cache. */
  flushed(): Promise<void> {
    return this.cache.flushed()
  }

  get cacheError(): Error | null {
    return this.cache.error
  }

  private persist(doc: NoteDoc): void {
    doc.onChange((change) => {
      if (change.origin !== 'load')
        this.cache.append(doc.id, doc.engine, change.update(), () => doc.encodeState())
    })
  }
}
