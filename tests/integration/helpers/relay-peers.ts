import WebSocket, { type ClientOptions } from 'ws'
import type { NoteDoc } from '../../../shared/engine/types'
import { docId, replicaId } from '../../../shared/ids'
import type { CloseInfo } from '../../../shared/sync/link'
import { Replica } from '../../../shared/sync/replica'
import { DialerLink } from '../../../sync-server/net/dialer'

/** Polls `check` every 10 ms until it holds; fails with `what` after `timeoutMs`. */
export async function waitFor(what: string, check: () => boolean, timeoutMs = 10_000) {
  const deadline = Date.now() + timeoutMs
  while (!check()) {
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms: ${what}`)
    await new Promise((r) => setTimeout(r, 10))
  }
}

/** GET /healthz; the HTTP status (or 0 if the server did not answer at all). */
export async function healthStatus(port: number): Promise<number> {
  try {
    const res = await fetch(`http://127.0.0.1:${port}/healthz`)
    await res.arrayBuffer()
    return res.status
  } catch {
    return 0
  }
}

/** A raw `ws` client; `closed` resolves with the close code and reason the client saw. */
export interface RawSocket {
  readonly ws: WebSocket
  readonly opened: Promise<boolean>
  readonly closed: Promise<CloseInfo>
  readonly received: Uint8Array[]
}

export function rawSocket(url: string, options: ClientOptions = {}): RawSocket {
  const ws = new WebSocket(url, options)
  const received: Uint8Array[] = []
  ws.on('message', (data: Buffer) => received.push(new Uint8Array(data)))
  ws.on('error', () => {}) // always followed by 'close'
  const opened = new Promise<boolean>((ok) => {
    ws.once('open', () => ok(true))
    ws.once('close', () => ok(false))
  })
  const closed = new Promise<CloseInfo>((ok) =>
    ws.once('close', (code, reason) => ok({ code, reason: reason.toString() })),
  )
  return { ws, opened, closed, received }
}

/** Resolves with the close, or null if the socket is still open after `ms`. */
export function closedWithin(socket: RawSocket, ms: number): Promise<CloseInfo | null> {
  return Promise.race([
    socket.closed,
    new Promise<null>((ok) => setTimeout(() => ok(null), ms).unref()),
  ])
}

/** A window-like Lattice client: a partial replica over a `DialerLink` that reconnects itself. */
export class DialingClient {
  readonly replica: Replica
  readonly link: DialerLink
  readonly note: NoteDoc

  constructor(name: string, url: string, note: string, token?: string) {
    this.replica = new Replica({ id: replicaId(name), mode: 'partial' })
    this.note = this.replica.open(docId(note), 'yjs')
    this.link = new DialerLink({ url: `${url}/lattice`, token })
    this.replica.attach(this.link)
  }

  type(text: string): void {
    this.note.insert(this.note.text().length, text)
  }

  close(): void {
    this.link.close()
    this.replica.destroy()
  }
}

/** Two clients editing one note through a relay: the canary that it still syncs. */
export class SyncedPair {
  readonly a: DialingClient
  readonly b: DialingClient
  private round = 0

  constructor(url: string, note: string, token?: string) {
    this.a = new DialingClient('pair-a', url, note, token)
    this.b = new DialingClient('pair-b', url, note, token)
  }

  /** An edit on each side reaches the other within `timeoutMs`. */
  async roundTrip(timeoutMs = 10_000): Promise<void> {
    const n = this.round++
    const fromA = `<a${n}>`
    const fromB = `<b${n}>`
    this.a.type(fromA)
    this.b.type(fromB)
    await waitFor(
      `pair edit round ${n} to cross the relay`,
      () => this.b.note.text().includes(fromA) && this.a.note.text().includes(fromB),
      timeoutMs,
    )
  }

  /** Both copies equal, holding every edit either side made. */
  async converged(timeoutMs = 10_000): Promise<string> {
    await waitFor(
      'pair copies to converge',
      () => this.a.note.text() === this.b.note.text(),
      timeoutMs,
    )
    const text = this.a.note.text()
    for (let i = 0; i < this.round; i++) {
      if (!text.includes(`<a${i}>`) || !text.includes(`<b${i}>`))
        throw new Error(`edit round ${i} lost: ${text.slice(0, 200)}`)
    }
    return text
  }

  close(): void {
    this.a.close()
    this.b.close()
  }
}
