import WebSocket from 'ws'
import type { EngineKind, NoteDoc } from '../../../shared/engine/types'
import { docId, linkId, randomId, replicaId } from '../../../shared/ids'
import { Replica } from '../../../shared/sync/replica'
import { WebSocketLink } from '../../../sync-server/net/ws-link'

/** A window-like Lattice client: a partial replica with one WebSocket link to a node. */
export class LatticeClient {
  readonly replica: Replica
  private link: WebSocketLink | null = null

  constructor(name: string) {
    this.replica = new Replica({ id: replicaId(name), mode: 'partial' })
  }

  open(id: string, engine: EngineKind): NoteDoc {
    return this.replica.open(docId(id), engine)
  }

  /** Connects to `<url>/lattice`; resolves when the socket is open. */
  async connect(url: string, token?: string): Promise<void> {
    const ws = new WebSocket(`${url}/lattice${token ? `?token=${encodeURIComponent(token)}` : ''}`)
    const link = new WebSocketLink(linkId(randomId('c-')), ws)
    this.replica.attach(link)
    this.link = link
    await new Promise<void>((ok, fail) => {
      ws.once('open', () => ok())
      ws.once('error', fail)
    })
  }

  /** Resolves with the next ACK for `id` (the node's durable version of it). */
  nextAck(id: string, timeoutMs = 10_000): Promise<Uint8Array> {
    return new Promise((ok, fail) => {
      const timer = setTimeout(() => {
        off()
        fail(new Error(`no ack for ${id} within ${timeoutMs} ms`))
      }, timeoutMs)
      const off = this.replica.events.on((e) => {
        if (e.type === 'ack' && e.doc === id) {
          clearTimeout(timer)
          off()
          ok(e.version)
        }
      })
    })
  }

  disconnect(): void {
    this.link?.close()
    this.link = null
  }
}
