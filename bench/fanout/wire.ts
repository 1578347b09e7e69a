import * as decoding from 'lib0/decoding'
import * as encoding from 'lib0/encoding'
import WebSocket from 'ws'
import * as syncProtocol from 'y-protocols/sync'
import * as Y from 'yjs'
import type { Topology } from './clients'

const MESSAGE_SYNC = 0
const CONNECT_TIMEOUT_MS = 60_000
const CONNECT_BATCH = 50
const DRAIN_TIMEOUT_MS = 30_000

/**
 * A y-websocket client at the wire level, cheap enough that one process of them can keep a
 * server busy: the same handshake as the stock provider (its step 1, a step 2 in reply to the
 * server's), and real Yjs updates from a Y.Doc, but that doc holds only this client's own
 * keystrokes (so each update depends on nothing but its own earlier ones), and an incoming
 * update is not applied: only its header is read, for whose keystroke it is (client, clock).
 */
class WireClient {
  readonly doc = new Y.Doc()
  readonly text = this.doc.getText('body')
  readonly ws: WebSocket
  readonly sentAt: number[] = []
  readonly seen: number[] = []
  synced = false
  closed = false

  constructor(url: string, room: string, onKeystroke: (writer: number, clock: number) => void) {
    this.ws = new WebSocket(`${url}/${room}`)
    this.ws.binaryType = 'nodebuffer'
    this.doc.on('update', (update: Uint8Array) => this.send(encodeUpdate(update)))
    this.ws.on('open', () => {
      const enc = encoding.createEncoder()
      encoding.writeVarUint(enc, MESSAGE_SYNC)
      syncProtocol.writeSyncStep1(enc, this.doc)
      this.send(encoding.toUint8Array(enc))
    })
    this.ws.on('message', (data: Buffer) => {
      const dec = decoding.createDecoder(data)
      if (decoding.readVarUint(dec) !== MESSAGE_SYNC) return // awareness: not needed here
      const kind = decoding.readVarUint(dec)
      if (kind === syncProtocol.messageYjsSyncStep1) {
        const enc = encoding.createEncoder()
        encoding.writeVarUint(enc, MESSAGE_SYNC)
        syncProtocol.writeSyncStep2(enc, this.doc, decoding.readVarUint8Array(dec))
        this.send(encoding.toUint8Array(enc))
      } else if (kind === syncProtocol.messageYjsSyncStep2) {
        this.synced = true
      } else if (kind === syncProtocol.messageYjsUpdate) {
        // Update v1: clients · (structs · client · clock · structs…) · delete set. A keystroke
        // is one client with one one-character struct.
        const update = decoding.createDecoder(decoding.readVarUint8Array(dec))
        if (decoding.readVarUint(update) !== 1) throw new Error('wire: update of several clients')
        decoding.readVarUint(update) // structs
        onKeystroke(decoding.readVarUint(update), decoding.readVarUint(update))
      }
    })
    this.ws.on('close', () => (this.closed = true))
    this.ws.on('error', () => (this.closed = true))
  }

  type(): void {
    this.sentAt.push(performance.now())
    this.text.insert(this.text.length, 'x')
  }

  private send(bytes: Uint8Array): void {
    if (this.ws.readyState === WebSocket.OPEN) this.ws.send(bytes)
  }

  close(): void {
    this.ws.terminate()
    this.doc.destroy()
  }
}

function encodeUpdate(update: Uint8Array): Uint8Array {
  const enc = encoding.createEncoder()
  encoding.writeVarUint(enc, MESSAGE_SYNC)
  syncProtocol.writeUpdate(enc, update)
  return encoding.toUint8Array(enc)
}

/** One burst of saturation against one server. */
export interface Burst {
  /** Keystrokes that reached every peer in their room during the measured window. */
  readonly completed: number
  readonly seconds: number
  /** CPU seconds (all threads) of the server process and of this client process in the window. */
  readonly serverCpu: number
  readonly clientCpu: number
  /** Keystroke-to-delivery latency of every delivery in the window, ms. */
  readonly latencies: number[]
}

/** Every wire client of one topology against one server. */
export class WireFleet {
  private readonly clients: WireClient[] = []
  private readonly byYjsClient = new Map<number, WireClient>()
  private readonly peers: number
  private stopping = true
  private inFlight = 0
  private windowStart = Infinity
  private windowEnd = Infinity
  private completed = 0
  private latencies: number[] = []

  constructor(
    private readonly url: string,
    private readonly topology: Topology,
    private readonly roomPrefix: string,
  ) {
    this.peers = topology.clientsPerRoom - 1
  }

  async connect(): Promise<void> {
    const { rooms, clientsPerRoom } = this.topology
    for (let slot = 0; slot < clientsPerRoom; slot++)
      for (let first = 0; first < rooms; first += CONNECT_BATCH) {
        const batch: WireClient[] = []
        for (let room = first; room < Math.min(rooms, first + CONNECT_BATCH); room++) {
          const client: WireClient = new WireClient(
            this.url,
            `${this.roomPrefix}-${room}`,
            (id, clock) => this.onKeystroke(id, clock, client),
          )
          this.byYjsClient.set(client.doc.clientID, client)
          batch.push(client)
        }
        this.clients.push(...batch)
        await until(() => batch.every((c) => c.synced), CONNECT_TIMEOUT_MS, 'wire clients sync')
      }
  }

  /** Connections the server closed. */
  get dropped(): number {
    return this.clients.filter((c) => c.closed).length
  }

  private onKeystroke(id: number, clock: number, receiver: WireClient): void {
    const writer = this.byYjsClient.get(id)
    // The stock server echoes every update to its sender too; only peers count.
    if (!writer || writer === receiver) return
    const sent = writer.sentAt[clock]
    if (sent === undefined) return
    const now = performance.now()
    const inWindow = now >= this.windowStart && now < this.windowEnd
    if (inWindow) this.latencies.push(now - sent)
    const seen = (writer.seen[clock] ?? 0) + 1
    writer.seen[clock] = seen
    if (seen !== this.peers) return
    this.inFlight--
    if (inWindow) this.completed++
    if (!this.stopping) {
      this.inFlight++
      writer.type()
    }
  }

  /**
   * Closed loop: each client keeps `window` keystrokes in flight and types the next as soon as
   * every peer in its room has received one. Counts what completes between `warmupMs` and
   * `warmupMs + measureMs`, then stops typing and waits for what is in flight.
   */
  async burst(
    window: number,
    warmupMs: number,
    measureMs: number,
    serverCpuSeconds: () => number,
  ): Promise<Burst> {
    this.completed = 0
    this.latencies = []
    this.windowStart = this.windowEnd = Infinity
    this.stopping = false
    for (let k = 0; k < window; k++)
      for (const client of this.clients) {
        this.inFlight++
        client.type()
      }
    await sleep(warmupMs)
    const cpu0 = process.cpuUsage()
    const server0 = serverCpuSeconds()
    this.windowStart = performance.now()
    await sleep(measureMs)
    this.windowEnd = performance.now()
    const serverCpu = serverCpuSeconds() - server0
    const cpu = process.cpuUsage(cpu0)
    this.stopping = true
    await until(() => this.inFlight === 0, DRAIN_TIMEOUT_MS, 'saturation to drain')
    return {
      completed: this.completed,
      seconds: (this.windowEnd - this.windowStart) / 1000,
      serverCpu,
      clientCpu: (cpu.user + cpu.system) / 1e6,
      latencies: this.latencies,
    }
  }

  close(): void {
    for (const client of this.clients) client.close()
    this.clients.length = 0
    this.byYjsClient.clear()
  }
}

export const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms))

/** Polls `done` until it holds; past `timeoutMs` throws (naming `what`) or, for null, returns. */
export async function until(
  done: () => boolean,
  timeoutMs: number,
  what: string | null,
): Promise<void> {
  const deadline = performance.now() + timeoutMs
  while (!done()) {
    if (performance.now() > deadline) {
      if (what === null) return
      throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`)
    }
    await sleep(20)
  }
}
