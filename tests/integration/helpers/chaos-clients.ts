import WebSocket from 'ws'
import { WebsocketProvider } from 'y-websocket'
import * as Y from 'yjs'
import type { NoteDoc } from '../../../shared/engine/types'
import { docId, linkId, replicaId } from '../../../shared/ids'
import type { Unsubscribe } from '../../../shared/util/emitter'
import { Replica } from '../../../shared/sync/replica'
import { DialerLink, type Dial } from '../../../sync-server/net/dialer'
import { closeReason } from '../../../sync-server/net/limits'
import { toBytes } from '../../../sync-server/net/ws-link'

/**
 * Where to put a token so that it never lands inside another one: before the first token that
 * starts at or after `fraction` of the text, or at the end. The text is made of tokens only.
 */
export function boundaryAt(text: string, fraction: number): number {
  const at = text.indexOf('[', Math.floor(fraction * text.length))
  return at === -1 ? text.length : at
}

/** One editing client of the chaos test, whichever protocol it speaks. */
export interface ChaosClient {
  readonly name: string
  readonly kind: 'stock' | 'lattice'
  /** Every token this client typed, in order. */
  readonly typed: string[]
  /** False while the test holds it offline (it still edits). */
  readonly online: boolean
  text(): string
  /** Characters in the text, without building the string. */
  length(): number
  /** Inserts `token` at a token boundary chosen by `fraction` (uniform in [0, 1)). */
  type(token: string, fraction: number): void
  /** Drops the socket without a close handshake; the client reconnects by itself. */
  cut(): void
  /** Closes the connection and stops reconnecting until `goOnline`. */
  goOffline(): void
  goOnline(): void
  destroy(): void
}

/**
 * An unmodified y-websocket client as a Yjs app runs it in Node. It keeps its document in
 * memory and resyncs it on every reconnect; `maxBackoffTime` keeps its retries frequent.
 */
export class StockChaosClient implements ChaosClient {
  readonly kind = 'stock' as const
  readonly typed: string[] = []
  readonly doc = new Y.Doc()
  readonly body: Y.Text
  readonly provider: WebsocketProvider
  online = true
  private destroyed = false

  constructor(
    readonly name: string,
    url: string,
    room: string,
    maxBackoffTime = 300,
  ) {
    this.body = this.doc.getText('body')
    this.provider = new WebsocketProvider(url, room, this.doc, {
      WebSocketPolyfill: WebSocket as unknown as typeof globalThis.WebSocket,
      disableBc: true,
      maxBackoffTime,
    })
  }

  text(): string {
    return this.body.toString()
  }

  length(): number {
    return this.body.length
  }

  type(token: string, fraction: number): void {
    this.body.insert(boundaryAt(this.text(), fraction), token)
    this.typed.push(token)
  }

  cut(): void {
    // The polyfill is the `ws` client, which can drop a connection without a close frame.
    ;(this.provider.ws as unknown as WebSocket | null)?.terminate()
  }

  goOffline(): void {
    this.online = false
    this.provider.disconnect()
  }

  goOnline(): void {
    this.online = true
    this.provider.connect()
  }

  destroy(): void {
    if (this.destroyed) return
    this.destroyed = true
    this.provider.destroy()
    this.doc.destroy()
  }
}

/** A token a Lattice client typed, and its Yjs clock once the token was in the document. */
interface TypedEdit {
  readonly token: string
  readonly actor: number
  readonly clock: number
}

/**
 * A window-like Lattice client: a partial replica whose `DialerLink` to `<url>/lattice`
 * reconnects by itself (short backoff), and which records the relay's ACKs, so it knows which
 * of its edits the relay has on disk.
 */
export class LatticeChaosClient implements ChaosClient {
  readonly kind = 'lattice' as const
  readonly typed: string[] = []
  readonly replica: Replica
  readonly note: NoteDoc
  online = true
  private readonly edits: TypedEdit[] = []
  /** Per Yjs client id, the highest clock an ACK reported durable. */
  private readonly acked = new Map<number, number>()
  private link: DialerLink | null = null
  private detach: Unsubscribe | null = null
  private socket: WebSocket | null = null
  private generation = 0
  private destroyed = false

  constructor(
    readonly name: string,
    private readonly url: string,
    note: string,
    private readonly random: () => number,
  ) {
    this.replica = new Replica({ id: replicaId(name), mode: 'partial' })
    this.note = this.replica.open(docId(note), 'yjs')
    this.replica.events.on((e) => {
      if (e.type !== 'ack' || e.doc !== this.note.id) return
      for (const [client, clock] of Y.decodeStateVector(e.version))
        if (clock > (this.acked.get(client) ?? 0)) this.acked.set(client, clock)
    })
    this.dialOut()
  }

  text(): string {
    return this.note.text()
  }

  length(): number {
    return this.note.text().length
  }

  type(token: string, fraction: number): void {
    this.note.insert(boundaryAt(this.note.text(), fraction), token)
    const actor = Number(this.note.actor)
    this.typed.push(token)
    this.edits.push({ token, actor, clock: this.note.version()[String(actor)] ?? 0 })
  }

  /** The tokens an ACK has covered so far: the relay wrote them to disk before sending it. */
  acknowledged(): string[] {
    return this.edits.filter((e) => e.clock <= (this.acked.get(e.actor) ?? 0)).map((e) => e.token)
  }

  cut(): void {
    this.socket?.terminate()
  }

  goOffline(): void {
    this.online = false
    this.hangUp()
  }

  goOnline(): void {
    this.online = true
    if (!this.link) this.dialOut()
  }

  destroy(): void {
    if (this.destroyed) return
    this.destroyed = true
    this.hangUp()
    this.replica.destroy()
  }

  private dialOut(): void {
    const n = ++this.generation
    this.link = new DialerLink({
      url: `${this.url}/lattice`,
      id: linkId(`${this.name}-${n}`),
      backoff: { baseMs: 50, capMs: 400, stableMs: 1_000 },
      random: this.random,
      dial: this.dial,
    })
    this.detach = this.replica.attach(this.link)
  }

  private hangUp(): void {
    this.link?.close()
    this.detach?.()
    this.link = null
    this.detach = null
    this.socket = null
  }

  /** The production dial, except that it keeps the socket so `cut` can drop it. */
  private readonly dial: Dial = (url, _token, on) => {
    const ws = new WebSocket(url)
    ws.binaryType = 'nodebuffer'
    this.socket = ws
    let error = ''
    ws.on('open', () => on.open())
    ws.on('message', (data, isBinary) => on.message(toBytes(data), isBinary))
    ws.on('error', (err) => (error = err.message))
    ws.on('close', (code, reason) => {
      if (this.socket === ws) this.socket = null
      on.close(code, reason.toString() || error)
    })
    return {
      send: (frame) => {
        if (ws.readyState === WebSocket.OPEN) ws.send(frame)
      },
      close: (code, reason) =>
        ws.close(code >= 3000 && code <= 4999 ? code : 1000, closeReason(reason)),
    }
  }
}
