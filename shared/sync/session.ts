import { SyncMessageError, type DocChange, type DocSync, type NoteDoc } from '../engine/types'
import type { DocId, ReplicaId } from '../ids'
import { encodeFrame, decodeFrame, type DigestEntry, type Frame, type Mode } from '../wire/frames'
import {
  ERR_ENGINE_MISMATCH,
  ERR_INTERNAL,
  ERR_MALFORMED,
  PROTOCOL_VERSION,
  ProtocolError,
} from '../wire/protocol'
import {
  bucketCountFor,
  bucketHashes,
  bucketOf,
  differingBuckets,
  differingDocs,
  foldBuckets,
} from './digest'
import type { Link } from './link'

/** What a session needs from the replica that owns it. */
export interface SessionHost {
  readonly id: ReplicaId
  readonly mode: Mode
  digestEntries(): DigestEntry[]
  getDoc(id: DocId): NoteDoc | undefined
  /** A peer named a document that is not in memory: load it from storage, or create it. */
  resolveDoc(id: DocId, engine: NoteDoc['engine']): NoteDoc | Promise<NoteDoc>
  allDocs(): Iterable<NoteDoc>
  report(event: SessionEvent): void
  /** A promise while the document has writes not yet on disk (a durable node); else nothing. */
  durable?(doc: NoteDoc): Promise<void> | null
  /** A durable host tells each peer, with ACK frames, what of theirs is on its disk. */
  readonly acknowledges?: boolean
}

export type SessionEvent =
  | { type: 'peer'; link: Link; peer: ReplicaId; mode: Mode }
  | {
      type: 'traffic'
      link: Link
      direction: 'sent' | 'received'
      frame: Frame['type']
      doc: DocId | null
      bytes: number
    }
  | { type: 'error'; link: Link; error: ProtocolError; side: 'local' | 'remote' }
  | { type: 'awareness'; link: Link; doc: DocId; payload: Uint8Array }
  | {
      type: 'ack'
      link: Link
      peer: ReplicaId
      doc: DocId
      engine: NoteDoc['engine']
      version: Uint8Array
    }

/** One open connection of a link: handshake, anti-entropy, then per-document sync drivers. */
export class Session {
  peer: { id: ReplicaId; mode: Mode } | null = null
  private readonly drivers = new Map<DocId, DocSync>()
  private closed = false
  /** While a document loads, later frames wait here so they are handled in order. */
  private waiting: Promise<void> | null = null
  private outbox: Promise<void> | null = null
  /** Per document, the digest this side last acknowledged to the peer. */
  private readonly acked = new Map<DocId, string>()
  /** Set when a change this link delivered reached the document (see `syncDoc`). */
  private peerChangedDoc = false
  private readonly backlog: Uint8Array[] = []

  constructor(
    private readonly host: SessionHost,
    readonly link: Link,
  ) {}

  get ready(): boolean {
    return this.peer !== null && !this.closed
  }

  /** Both sides replicate everything: changes to any document flow without being opened. */
  private get replicatesAll(): boolean {
    return this.host.mode === 'full' && this.peer?.mode === 'full'
  }

  start(): void {
    this.send({
      type: 'hello',
      version: PROTOCOL_VERSION,
      peer: this.host.id,
      mode: this.host.mode,
    })
  }

  dispose(): void {
    this.closed = true
    this.drivers.clear()
  }

  receive(bytes: Uint8Array): void {
    if (this.closed) return
    if (this.waiting) this.backlog.push(bytes)
    else this.process(bytes)
  }

  /** Documents with a sync driver on this link: what a partial peer has open. */
  get activeDocs(): DocId[] {
    return [...this.drivers.keys()]
  }

  /** The document left memory; a later frame or change starts its sync afresh. */
  forget(id: DocId): void {
    this.drivers.delete(id)
  }

  private process(bytes: Uint8Array): void {
    try {
      const frame = decodeFrame(bytes)
      this.host.report({
        type: 'traffic',
        link: this.link,
        direction: 'received',
        frame: frame.type,
        doc: 'doc' in frame ? frame.doc : null,
        bytes: bytes.length,
      })
      const pending = this.handle(frame)
      if (pending) {
        this.waiting = pending.then(
          () => this.resume(),
          (err: unknown) => this.fail(err),
        )
      }
    } catch (err) {
      this.fail(err)
    }
  }

  private resume(): void {
    this.waiting = null
    while (!this.closed && !this.waiting && this.backlog.length > 0) {
      this.process(this.backlog.shift() as Uint8Array)
    }
  }

  /** Opens sync of one document on this link (a partial replica's way of subscribing). */
  activate(doc: NoteDoc): void {
    if (this.ready) this.driverFor(doc)
  }

  docChanged(doc: NoteDoc, change: DocChange): void {
    if (change.origin === this.link.id) this.peerChangedDoc = true
    if (!this.ready) return
    let driver = this.drivers.get(doc.id)
    if (!driver) {
      if (!this.replicatesAll) return
      driver = this.driverFor(doc)
    }
    this.sendDoc(doc, driver.afterChange(change))
    // A window counts its own edits the node has not confirmed against the last ACK; a change
    // it receives from others must move that ACK too, or the count would include them.
    const fromOthers = change.origin !== 'local' && change.origin !== this.link.id
    if (fromOthers && this.peer?.mode === 'partial') this.acknowledgeLater(doc)
  }

  /** An ACK once the document's pending writes are done, without holding other frames back. */
  private acknowledgeLater(doc: NoteDoc): void {
    if (!this.host.acknowledges) return
    const digest = doc.digest()
    const frame: Frame = {
      type: 'ack',
      doc: doc.id,
      engine: doc.engine,
      version: doc.encodeVersion(),
    }
    const sendIfNew = () => {
      if (this.acked.get(doc.id) === digest) return
      this.acked.set(doc.id, digest)
      this.send(frame)
    }
    const written = this.host.durable?.(doc)
    if (written) written.then(sendIfNew, () => {})
    else sendIfNew()
  }

  private handle(frame: Frame): Promise<void> | void {
    if (frame.type === 'error') {
      this.host.report({
        type: 'error',
        link: this.link,
        error: new ProtocolError(frame.code, frame.reason),
        side: 'remote',
      })
      return
    }
    if (!this.peer) {
      if (frame.type !== 'hello')
        throw new ProtocolError(ERR_MALFORMED, `expected hello first, got ${frame.type}`)
      this.peer = { id: frame.peer as ReplicaId, mode: frame.mode }
      this.host.report({ type: 'peer', link: this.link, peer: this.peer.id, mode: frame.mode })
      if (this.replicatesAll) this.sendDigest()
      else if (this.host.mode === 'partial')
        for (const doc of this.host.allDocs()) this.driverFor(doc)
      return
    }
    switch (frame.type) {
      case 'hello':
        // A duplicated hello is harmless; a different one is a confused peer.
        if (frame.peer === this.peer.id && frame.mode === this.peer.mode) return
        throw new ProtocolError(ERR_MALFORMED, 'second, different hello on one connection')
      case 'digest':
        return this.onDigest(frame.buckets)
      case 'bucket':
        return this.onBucket(frame.bucketCount, frame.bucket, frame.entries)
      case 'doc':
        return this.onDoc(frame.doc, frame.engine, frame.payload)
      case 'ack':
        this.host.report({
          type: 'ack',
          link: this.link,
          peer: this.peer.id,
          doc: frame.doc,
          engine: frame.engine,
          version: frame.version,
        })
        return
      case 'awareness':
        this.host.report({
          type: 'awareness',
          link: this.link,
          doc: frame.doc,
          payload: frame.payload,
        })
        return
    }
  }

  private sendDigest(): void {
    const entries = this.host.digestEntries()
    const count = bucketCountFor(entries.length)
    this.send({ type: 'digest', docCount: entries.length, buckets: bucketHashes(entries, count) })
  }

  private onDigest(theirs: readonly (readonly [number, number])[]): void {
    if (!this.replicatesAll) return
    const entries = this.host.digestEntries()
    const count = Math.min(bucketCountFor(entries.length), theirs.length)
    const ours = bucketHashes(entries, count)
    for (const b of differingBuckets(ours, foldBuckets(theirs, count))) {
      this.send({
        type: 'bucket',
        bucketCount: count,
        bucket: b,
        entries: entries.filter((e) => bucketOf(e.doc, count) === b),
      })
    }
  }

  private onBucket(count: number, bucket: number, theirs: DigestEntry[]): Promise<void> | void {
    if (!this.replicatesAll) return
    const ours = this.host.digestEntries().filter((e) => bucketOf(e.doc, count) === bucket)
    const docs = differingDocs(ours, theirs).map(
      (e) => this.host.getDoc(e.doc) ?? this.host.resolveDoc(e.doc, e.engine),
    )
    if (docs.every((d): d is NoteDoc => !(d instanceof Promise))) {
      for (const d of docs) this.driverFor(d)
      return
    }
    return Promise.all(docs).then((loaded) => {
      for (const d of loaded) if (!this.closed) this.driverFor(d)
    })
  }

  private onDoc(id: DocId, engine: NoteDoc['engine'], payload: Uint8Array): Promise<void> | void {
    const doc = this.host.getDoc(id) ?? this.host.resolveDoc(id, engine)
    if (doc instanceof Promise) return doc.then((d) => this.syncDoc(d, engine, payload))
    this.syncDoc(doc, engine, payload)
  }

  private syncDoc(doc: NoteDoc, engine: NoteDoc['engine'], payload: Uint8Array): void {
    if (this.closed) return
    const id = doc.id
    if (doc.engine !== engine) {
      throw new ProtocolError(
        ERR_ENGINE_MISMATCH,
        `document ${id} is ${doc.engine} here, the peer sent ${engine}`,
      )
    }
    const driver = this.driverFor(doc)
    let replies: Uint8Array[]
    this.peerChangedDoc = false
    try {
      replies = driver.receive(payload)
    } catch (err) {
      if (err instanceof SyncMessageError)
        throw new ProtocolError(ERR_MALFORMED, `document ${id}: ${err.message}`, { cause: err })
      throw err
    }
    // Replies acknowledge what the peer sent: a durable host sends them once it is written. A
    // message that changed nothing here (a sync message telling only the peer's heads)
    // acknowledges nothing new: its replies, and what other peers' edits send this peer next,
    // need not wait for writes in progress; only its ACK does.
    const written = this.host.durable?.(doc)
    const holdReplies = written !== null && written !== undefined && this.peerChangedDoc
    if (holdReplies) {
      this.outbox = (this.outbox ?? Promise.resolve())
        .then(() => written)
        .catch((err: unknown) => {
          this.outbox = null
          this.fail(err)
        })
    }
    this.sendDoc(doc, replies)
    const digest = this.host.acknowledges ? doc.digest() : null
    if (digest === null || this.acked.get(id) === digest) return
    if (written && !holdReplies) this.acknowledgeLater(doc)
    else {
      this.acked.set(id, digest)
      this.send({ type: 'ack', doc: id, engine: doc.engine, version: doc.encodeVersion() })
    }
  }

  /** The document's driver on this link, created (and its opening messages sent) on first use. */
  private driverFor(doc: NoteDoc): DocSync {
    let driver = this.drivers.get(doc.id)
    if (!driver) {
      driver = doc.createSync(this.link.id)
      this.drivers.set(doc.id, driver)
      this.sendDoc(doc, driver.start())
    }
    return driver
  }

  private sendDoc(doc: NoteDoc, payloads: Uint8Array[]): void {
    for (const payload of payloads)
      this.send({ type: 'doc', doc: doc.id, engine: doc.engine, payload })
  }

  sendAwareness(doc: DocId, payload: Uint8Array): void {
    if (this.ready) this.send({ type: 'awareness', doc, payload })
  }

  /** Frames queue behind a pending durable write, so nothing overtakes an acknowledgement. */
  private send(frame: Frame): void {
    if (this.outbox) {
      const queued = this.outbox.then(() => this.transmit(frame))
      this.outbox = queued
      void queued.then(() => {
        if (this.outbox === queued) this.outbox = null
      })
    } else this.transmit(frame)
  }

  private transmit(frame: Frame): void {
    if (this.closed || !this.link.isOpen) return
    const bytes = encodeFrame(frame)
    this.host.report({
      type: 'traffic',
      link: this.link,
      direction: 'sent',
      frame: frame.type,
      doc: 'doc' in frame ? frame.doc : null,
      bytes: bytes.length,
    })
    this.link.send(bytes)
  }

  private fail(err: unknown): void {
    const error =
      err instanceof ProtocolError
        ? err
        : new ProtocolError(ERR_INTERNAL, `internal error: ${(err as Error).message}`, {
            cause: err,
          })
    this.host.report({ type: 'error', link: this.link, error, side: 'local' })
    this.send({ type: 'error', code: error.code, reason: error.message })
    this.closed = true
    this.link.close(error.code, error.message.slice(0, 120))
  }
}
