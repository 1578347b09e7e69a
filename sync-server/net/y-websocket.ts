import * as Y from 'yjs'
import {
  applyAwarenessUpdate,
  Awareness,
  encodeAwarenessUpdate,
  removeAwarenessStates,
} from 'y-protocols/awareness'
import type { DocChange } from '../../shared/engine/types'
import { YjsNote } from '../../shared/engine/yjs-note'
import { linkId, randomId, type DocId, type LinkId } from '../../shared/ids'
import type { Link } from '../../shared/sync/link'
import type { Unsubscribe } from '../../shared/util/emitter'
import { ERR_ENGINE_MISMATCH, ERR_INTERNAL, ERR_MALFORMED } from '../../shared/wire/protocol'
import type { LatticeNode } from '../node/lattice-node'
import type { Logger } from '../ops/logger'
import type { RelaySocket, SocketHandler } from './relay-socket'
import { toBytes } from './ws-link'
import {
  checkAwarenessUpdate,
  decodeMessage,
  encodeAwareness,
  encodeSyncStep1,
  encodeSyncStep2,
  encodeSyncUpdate,
  MalformedMessageError,
} from './y-websocket-protocol'

export interface YWebsocketContext {
  log: Logger
}

/**
 * Stock y-websocket endpoint: the socket syncs one Yjs document, the same one Lattice links
 * sync under that id, so its edits are stored by the node and gossiped to Lattice peers.
 */
export function serveYWebsocket(
  ws: RelaySocket,
  room: DocId,
  node: LatticeNode,
  ctx: YWebsocketContext,
): void {
  const conn = new YwsConnection(ws, roomFor(node, room), node, ctx)
  ws.handler = conn
  void conn.open()
}

/** What an `Awareness` update event reports. */
interface AwarenessChanges {
  added: number[]
  updated: number[]
  removed: number[]
}

/**
 * What an `Awareness` takes from its Y.Doc is a client id for its own local state, which a
 * room never sets, and a destroy event, which `Room.destroy` replaces by destroying the
 * awareness itself. So every room shares this stand-in rather than holding an empty Y.Doc
 * (about 1.3 KB of maps, promises and closures) beside its note's own.
 */
const AWARENESS_HOST = { clientID: 0, on() {}, off() {} } as unknown as Y.Doc

/** Who set an awareness state: a socket of the room, or a Lattice link. */
type Owner = YwsConnection | Link

const rooms = new WeakMap<LatticeNode, Map<DocId, Room>>()

function roomFor(node: LatticeNode, id: DocId): Room {
  let byId = rooms.get(node)
  if (!byId) rooms.set(node, (byId = new Map()))
  const existing = byId.get(id)
  if (existing) return existing
  const room = new Room(id, node, () => byId.delete(id))
  byId.set(id, room)
  return room
}

/**
 * What the sockets of one room share beyond the document: one `Awareness` (cursors, names),
 * bridged to Lattice AWARENESS frames for the same document. Lives while a socket is in it.
 */
class Room {
  readonly awareness = new Awareness(AWARENESS_HOST)
  /** The awareness clients each owner added, removed when it leaves. */
  private readonly owners = new Map<Owner, { clients: Set<number>; off?: Unsubscribe }>()
  private readonly offLattice: Unsubscribe
  /** The change every socket of the room is being sent right now, and its message. */
  private lastChange: DocChange | null = null
  private lastMessage: Uint8Array | null = null
  private closed = false

  constructor(
    readonly id: DocId,
    private readonly node: LatticeNode,
    private readonly onEmpty: () => void,
  ) {
    this.awareness.setLocalState(null)
    // An arrow made here, not an arrow field (see YjsNote): one fewer property array per room.
    this.awareness.on('update', (changes: AwarenessChanges, origin: unknown) =>
      this.broadcast(changes, origin),
    )
    this.offLattice = node.replica.events.on((e) => {
      if (e.type === 'awareness' && e.doc === id) this.fromLattice(e.link, e.payload)
    })
  }

  join(conn: YwsConnection): void {
    this.owners.set(conn, { clients: new Set() })
  }

  /** Applies an awareness update; the caller has checked it with `checkAwarenessUpdate`. */
  receive(update: Uint8Array, from: Owner): void {
    applyAwarenessUpdate(this.awareness, update, from)
  }

  /** Every state, encoded as one awareness update. */
  fullState(): Uint8Array {
    return encodeAwarenessUpdate(this.awareness, [...this.awareness.getStates().keys()])
  }

  get hasStates(): boolean {
    return this.awareness.getStates().size > 0
  }

  /**
   * The sync-update message of a change. Every socket's listener gets the same change object,
   * one after the other, so it is encoded once per change rather than once per socket (and
   * as a Buffer, which `ws` sends as it is instead of wrapping a Uint8Array anew each time).
   */
  updateMessage(change: DocChange): Uint8Array {
    if (change !== this.lastChange || this.lastMessage === null) {
      const message = encodeSyncUpdate(change.update())
      this.lastMessage = Buffer.from(message.buffer, message.byteOffset, message.byteLength)
      this.lastChange = change
    }
    return this.lastMessage
  }

  leave(owner: Owner): void {
    const entry = this.owners.get(owner)
    if (!entry) return
    this.owners.delete(owner)
    entry.off?.()
    removeAwarenessStates(this.awareness, [...entry.clients], null)
    if (![...this.owners.keys()].some((o) => o instanceof YwsConnection)) this.destroy()
  }

  private fromLattice(link: Link, payload: Uint8Array): void {
    try {
      checkAwarenessUpdate(payload)
    } catch (err) {
      this.node.log.warn({ room: this.id, link: link.id, err: (err as Error).message }, 'ignored')
      return
    }
    if (!this.owners.has(link))
      this.owners.set(link, { clients: new Set(), off: link.onClose(() => this.leave(link)) })
    this.receive(payload, link)
  }

  private broadcast(changes: AwarenessChanges, origin: unknown): void {
    // Destroying the awareness clears its (never set) local state, which reports an update.
    if (this.closed) return
    const entry = this.owners.get(origin as Owner)
    for (const c of changes.added) entry?.clients.add(c)
    for (const c of changes.removed) entry?.clients.delete(c)
    const changed = [...changes.added, ...changes.updated, ...changes.removed]
    const update = encodeAwarenessUpdate(this.awareness, changed)
    // Echoed to the sender too, as the stock server does: a lone y-websocket client counts that
    // echo as a sign of life and reconnects after 30 s without any message.
    const message = encodeAwareness(update)
    for (const owner of this.owners.keys())
      if (owner instanceof YwsConnection) owner.sendAwareness(message)
    for (const link of this.node.replica.links) {
      const session = this.node.replica.session(link)
      if (link !== origin && session?.activeDocs.includes(this.id))
        session.sendAwareness(this.id, update)
    }
  }

  private destroy(): void {
    for (const { off } of this.owners.values()) off?.()
    this.owners.clear()
    this.offLattice()
    this.closed = true
    this.awareness.destroy()
    this.lastChange = this.lastMessage = null
    this.onEmpty()
  }
}

/**
 * One socket: y-protocols sync against the node's copy of the document, and the room's
 * awareness. Replies to a step 1 wait until the node has written everything it holds, the
 * socket's own updates included; a message that does not parse closes the socket.
 */
class YwsConnection implements SocketHandler {
  private readonly link: LinkId = linkId(randomId('yws-'))
  private note: YjsNote | null = null
  /** The transaction origin of this socket's updates, made once the note is open. */
  private origin: unknown = null
  /** Messages that arrived while the document was loading, handled in order once it is. */
  private readonly early: Uint8Array[] = []
  /** Set while something sent must wait for a durable write; later sends queue behind it. */
  private outbox: Promise<void> | null = null
  private stopped = false
  private disposed = false
  private offChange: Unsubscribe | null = null

  constructor(
    private readonly ws: RelaySocket,
    private readonly room: Room,
    private readonly node: LatticeNode,
    private readonly ctx: YWebsocketContext,
  ) {
    room.join(this)
  }

  async open(): Promise<void> {
    let note: YjsNote
    try {
      const doc = await this.node.retain(this.room.id, 'yjs')
      if (!(doc instanceof YjsNote)) {
        this.node.release(this.room.id)
        throw new Error(`document ${this.room.id} is not a Yjs note`)
      }
      note = doc
    } catch (err) {
      this.failOpen(err)
      return
    }
    if (this.disposed) {
      this.node.release(this.room.id)
      return
    }
    this.note = note
    this.origin = note.remoteOrigin(this.link)
    this.offChange = note.onChange((change) => this.forward(change))
    this.send(encodeSyncStep1(note.ydoc))
    if (this.room.hasStates) this.send(encodeAwareness(this.room.fullState()))
    for (const bytes of this.early.splice(0)) this.handle(note, bytes)
  }

  frame(data: Buffer, isBinary: boolean): void {
    if (isBinary) this.receive(toBytes(data))
    else this.fail(new MalformedMessageError('y-websocket messages are binary, got text'))
  }

  closed(): void {
    this.dispose()
  }

  receive(bytes: Uint8Array): void {
    if (this.stopped) return
    if (this.note) this.handle(this.note, bytes)
    else this.early.push(bytes)
  }

  sendAwareness(message: Uint8Array): void {
    if (this.note) this.send(message)
  }

  private handle(note: YjsNote, bytes: Uint8Array): void {
    if (this.stopped) return
    try {
      const message = decodeMessage(bytes)
      switch (message.type) {
        case 'sync-step1':
          this.afterDurable()
          this.send(encodeSyncStep2(note.ydoc, message.stateVector))
          return
        case 'sync-step2':
        case 'sync-update':
          this.apply(note, message.update)
          return
        case 'awareness':
          this.room.receive(message.update, this)
          return
        case 'query-awareness':
          this.send(encodeAwareness(this.room.fullState()))
          return
        case 'auth-denied':
          // Permission messages go from server to client; a client's is noted, not obeyed.
          this.ctx.log.debug({ room: this.room.id, reason: message.reason }, 'client sent auth')
          return
      }
    } catch (err) {
      this.fail(err)
    }
  }

  private apply(note: YjsNote, update: Uint8Array): void {
    const origin = this.origin
    note.applyRemote(this.link, update.length, () => {
      try {
        Y.applyUpdate(note.ydoc, update, origin)
      } catch (err) {
        throw new MalformedMessageError(`Yjs refused the update: ${(err as Error).message}`, {
          cause: err,
        })
      }
    })
  }

  /** What this socket lacks of a change: all of it, unless the change came from this socket. */
  private forward(change: DocChange): void {
    if (this.stopped || (change.origin === this.link && !change.mixed)) return
    try {
      this.send(this.room.updateMessage(change))
    } catch (err) {
      this.fail(err)
    }
  }

  /**
   * Holds everything sent from now on until this room's document is on disk. `flushDoc`
   * rather than `replica.durable()`: after a failed write with nothing else pending the latter
   * reports nothing to wait for, while `flushDoc` rewrites the lost state and rejects if that
   * fails too. Other rooms' writes are not waited for.
   */
  private afterDurable(): void {
    this.chain(() =>
      this.node
        .flushDoc(this.room.id)
        .catch((err: unknown) => this.fail(new Error(`storage failed: ${(err as Error).message}`))),
    )
  }

  private send(bytes: Uint8Array): void {
    if (this.outbox) this.chain(() => this.transmit(bytes))
    else this.transmit(bytes)
  }

  private chain(step: () => void | Promise<void>): void {
    const next = (this.outbox ?? Promise.resolve()).then(step)
    this.outbox = next
    void next.then(() => {
      if (this.outbox === next) this.outbox = null
    })
  }

  private transmit(bytes: Uint8Array): void {
    if (this.stopped || this.ws.readyState !== this.ws.OPEN) return
    this.ws.send(bytes)
  }

  /** Closes this socket, and only it, with the reason; what it sent before stays applied. */
  fail(err: unknown): void {
    if (this.stopped) return
    this.stopped = true
    const malformed = err instanceof MalformedMessageError
    if (!malformed) this.ctx.log.error({ room: this.room.id, err: String(err) }, 'y-websocket')
    const message = err instanceof Error ? err.message : String(err)
    this.ws.closeWith(malformed ? ERR_MALFORMED : ERR_INTERNAL, message)
  }

  private failOpen(err: unknown): void {
    if (this.stopped) return
    const doc = this.node.replica.getDoc(this.room.id)
    if (doc && doc.engine !== 'yjs') {
      this.stopped = true
      this.ws.closeWith(
        ERR_ENGINE_MISMATCH,
        `room ${this.room.id} is an ${doc.engine} note; y-websocket syncs Yjs only`,
      )
    } else this.fail(new Error(`cannot open room ${this.room.id}: ${(err as Error).message}`))
  }

  dispose(): void {
    if (this.disposed) return
    this.disposed = true
    this.stopped = true
    this.offChange?.()
    this.room.leave(this)
    if (this.note) this.node.release(this.room.id)
  }
}
