import * as Y from 'yjs'
import * as decoding from 'lib0/decoding'
import * as encoding from 'lib0/encoding'
import * as syncProtocol from 'y-protocols/sync'
import type { LinkId } from '../ids'
import { hashBytes } from '../util/hash'
import type { VersionVector } from '../vv/version-vector'
import { NoteEvents } from './note-events'
import {
  SyncMessageError,
  type DocChange,
  type DocSync,
  type NoteDoc,
  type NoteDocOptions,
  type Origin,
} from './types'

/** Transaction origin for remote applies, so the update handler can tell links from local edits. */
class RemoteOrigin {
  constructor(readonly origin: LinkId | 'load') {}
}

function toVV(state: Map<number, number>): VersionVector {
  const out: Record<string, number> = {}
  for (const [client, clock] of state) if (clock > 0) out[String(client)] = clock
  return out
}

export class YjsNote implements NoteDoc {
  readonly engine = 'yjs' as const
  readonly ydoc: Y.Doc
  readonly body: Y.Text
  readonly meta: Y.Map<string>
  readonly id
  readonly replica
  private readonly events
  private digestCache: string | null = null
  private lastSummary = ''
  private remoteChanged = false
  private heldBeforeApply = false

  constructor(opts: NoteDocOptions) {
    this.id = opts.id
    this.replica = opts.replica
    this.events = new NoteEvents(opts.id, opts.replica)
    this.ydoc = new Y.Doc()
    if (opts.actorSeed !== undefined) this.ydoc.clientID = opts.actorSeed >>> 0 || 1
    this.body = this.ydoc.getText('body')
    this.meta = this.ydoc.getMap('meta')
    // An arrow made here rather than an arrow field: tools that keep function names wrap a
    // named arrow in a call that gives it a property array, a cost per loaded note.
    this.ydoc.on('update', (update, origin, _doc, tr) => this.handleUpdate(update, origin, tr))
    // What a local commit typed, whoever made it (insert() or an editor binding on the Y.Text);
    // observers run before the 'update' event that reports the commit.
    this.body.observe((event, tr) => {
      if (!this.events.wantsCausal || tr.origin instanceof RemoteOrigin) return
      for (const op of event.delta) if (typeof op.insert === 'string') this.lastSummary += op.insert
    })
  }

  get actor(): string {
    return String(this.ydoc.clientID)
  }

  private handleUpdate(update: Uint8Array, origin: unknown, tr: Y.Transaction): void {
    this.digestCache = null
    const remote = origin instanceof RemoteOrigin
    if (remote) this.remoteChanged = true
    else if (this.events.wantsCausal) {
      const me = this.ydoc.clientID
      const after = tr.afterState.get(me) ?? 0
      const dot =
        after > (tr.beforeState.get(me) ?? 0) ? { actor: String(me), counter: after } : null
      this.events.commit(
        dot,
        toVV(tr.beforeState),
        toVV(tr.afterState),
        update.length,
        this.lastSummary,
        this.held(),
      )
      this.lastSummary = ''
    }
    const change: DocChange = {
      origin: remote ? origin.origin : 'local',
      mixed: remote && this.heldBeforeApply,
      // A method, not an arrow: tools that keep names wrap arrows in a call per change.
      update() {
        return update
      },
    }
    this.events.changes.emit(change)
  }

  title(): string {
    return this.meta.get('title') ?? ''
  }

  text(): string {
    return this.body.toString()
  }

  insert(pos: number, text: string): void {
    if (text.length === 0) return
    this.body.insert(pos, text)
  }

  delete(pos: number, len: number): void {
    if (len > 0) this.body.delete(pos, len)
  }

  setTitle(title: string): void {
    this.meta.set('title', title)
  }

  cursorAt(index: number): string {
    return JSON.stringify(
      Y.relativePositionToJSON(Y.createRelativePositionFromTypeIndex(this.body, index)),
    )
  }

  cursorIndex(cursor: string): number | null {
    try {
      const rel = Y.createRelativePositionFromJSON(JSON.parse(cursor))
      return Y.createAbsolutePositionFromRelativePosition(rel, this.ydoc)?.index ?? null
    } catch {
      return null
    }
  }

  transact(fn: () => void): void {
    this.ydoc.transact(fn)
  }

  version(): VersionVector {
    const out: Record<string, number> = {}
    for (const [client, structs] of this.ydoc.store.clients) {
      const last = structs[structs.length - 1]
      if (last) out[String(client)] = last.id.clock + last.length
    }
    return out
  }

  digest(): string {
    if (this.digestCache === null) {
      // The state vector misses deletions; a snapshot holds the delete set too.
      this.digestCache = hashBytes(Y.encodeSnapshot(Y.snapshot(this.ydoc)))
    }
    return this.digestCache
  }

  held(): number {
    const pending = this.ydoc.store.pendingStructs
    return (pending ? pending.missing.size : 0) + (this.ydoc.store.pendingDs ? 1 : 0)
  }

  encodeState(): Uint8Array {
    return Y.encodeStateAsUpdate(this.ydoc)
  }

  encodeVersion(): Uint8Array {
    return Y.encodeStateVector(this.ydoc)
  }

  encodeDiff(peerVersion: Uint8Array): Uint8Array {
    return Y.encodeStateAsUpdate(this.ydoc, peerVersion)
  }

  mergeUpdates(updates: readonly Uint8Array[]): Uint8Array {
    return updates.length === 1 ? (updates[0] as Uint8Array) : Y.mergeUpdates([...updates])
  }

  unseenBy(peerVersion: Uint8Array): number {
    const peer = Y.decodeStateVector(peerVersion)
    let unseen = 0
    for (const [client, clock] of Object.entries(this.version()))
      unseen += Math.max(0, clock - (peer.get(Number(client)) ?? 0))
    return unseen
  }

  versionAt(peerVersion: Uint8Array): VersionVector {
    return toVV(Y.decodeStateVector(peerVersion))
  }

  applyUpdate(update: Uint8Array, origin: Origin): void {
    const from = origin === 'local' ? 'load' : origin
    this.applyRemote(from, update.length, () =>
      Y.applyUpdate(this.ydoc, update, new RemoteOrigin(from)),
    )
  }

  /** Runs a remote apply and reports it as one causal event, held updates included. */
  applyRemote<T>(origin: LinkId | 'load', bytes: number, fn: () => T): T {
    const deps = this.events.wantsCausal ? this.version() : null
    const heldBefore = this.held()
    this.heldBeforeApply = heldBefore > 0
    this.remoteChanged = false
    let result: T
    try {
      result = fn()
    } finally {
      this.heldBeforeApply = false
    }
    const held = this.held()
    if (deps && (this.remoteChanged || held !== heldBefore)) {
      this.events.apply(origin === 'load' ? null : origin, deps, this.version(), bytes, held)
    }
    return result
  }

  remoteOrigin(link: LinkId): unknown {
    return new RemoteOrigin(link)
  }

  createSync(link: LinkId): DocSync {
    return new YjsSync(this, link)
  }

  onChange(listener: (change: DocChange) => void) {
    return this.events.onChange(listener)
  }

  onCausal(listener: Parameters<NoteEvents['onCausal']>[0]) {
    return this.events.onCausal(listener)
  }

  destroy(): void {
    // Also drops the doc's observers, the update listener among them.
    this.ydoc.destroy()
  }
}

/**
 * y-protocols sync on one link: step 1 (state vector) on start, step 2 (what the peer lacks) in
 * reply, then live updates. An update that leaves something held asks the peer for a fresh
 * step 2, which repairs a gap left by a lost message.
 */
class YjsSync implements DocSync {
  private resyncAsked = false
  private readonly origin: unknown

  constructor(
    private readonly note: YjsNote,
    private readonly link: LinkId,
  ) {
    this.origin = note.remoteOrigin(link)
  }

  start(): Uint8Array[] {
    const enc = encoding.createEncoder()
    syncProtocol.writeSyncStep1(enc, this.note.ydoc)
    return [encoding.toUint8Array(enc)]
  }

  receive(message: Uint8Array): Uint8Array[] {
    const dec = decoding.createDecoder(message)
    const enc = encoding.createEncoder()
    try {
      this.note.applyRemote(this.link, message.length, () =>
        syncProtocol.readSyncMessage(dec, enc, this.note.ydoc, this.origin, (e: Error) => {
          throw e
        }),
      )
    } catch (err) {
      throw new SyncMessageError(`malformed Yjs sync message: ${(err as Error).message}`, {
        cause: err,
      })
    }
    if (dec.pos !== message.length)
      throw new SyncMessageError('trailing bytes after a Yjs sync message')
    const replies: Uint8Array[] = encoding.length(enc) > 0 ? [encoding.toUint8Array(enc)] : []
    if (this.note.held() === 0) this.resyncAsked = false
    else if (!this.resyncAsked) {
      this.resyncAsked = true
      replies.push(...this.start())
    }
    return replies
  }

  afterChange(change: DocChange): Uint8Array[] {
    if (change.origin === this.link && !change.mixed) return []
    const enc = encoding.createEncoder()
    syncProtocol.writeUpdate(enc, change.update())
    return [encoding.toUint8Array(enc)]
  }
}
