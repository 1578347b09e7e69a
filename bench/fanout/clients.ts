import WebSocket from 'ws'
import { WebsocketProvider } from 'y-websocket'
import * as Y from 'yjs'
import { sleep, until } from './wire'

/** How many rooms, and how many stock y-websocket clients in each. */
export interface Topology {
  readonly rooms: number
  readonly clientsPerRoom: number
}

const CONNECT_BATCH = 50
const CONNECT_TIMEOUT_MS = 60_000
const AWARENESS_TIMEOUT_MS = 15_000
const SETTLE_MS = 500
const TICK_MS = 2
const KEYS = 'abcdefghijklmnopqrstuvwxyz'

/**
 * One stock client: a Y.Doc with a `WebsocketProvider` (y-websocket 3.x over the `ws` package).
 * Each keystroke inserts one character, so the client's n-th keystroke is its Yjs clock n and a
 * peer can tell which keystrokes a remote transaction brought from its state vectors alone.
 */
class Client {
  readonly doc = new Y.Doc()
  readonly text = this.doc.getText('body')
  readonly provider: WebsocketProvider
  /** performance.now() of each keystroke, indexed by its clock. */
  readonly sentAt: number[] = []
  /** How many peers have applied each keystroke so far, indexed by its clock. */
  readonly seen: number[] = []
  /** The first clock the current phase counts: a straggler from an earlier one is ignored. */
  phaseFrom = 0

  constructor(
    url: string,
    room: string,
    readonly index: number,
  ) {
    this.provider = new WebsocketProvider(url, room, this.doc, {
      WebSocketPolyfill: WebSocket as unknown as typeof globalThis.WebSocket,
      // Node has a global BroadcastChannel: clients of one room in one process would otherwise
      // sync through it and bypass the server.
      disableBc: true,
    })
    // A name, as an editor sets one. It also moves the awareness clock past 0: peers ignore a
    // state at clock 0 from a client they have not seen (y-protocols), so the bare initial
    // state would reach nobody until its first 15 s renewal.
    this.provider.awareness.setLocalStateField('user', { name: `client ${index}` })
  }

  type(): void {
    this.sentAt.push(performance.now())
    this.text.insert(this.text.length, KEYS[this.sentAt.length % KEYS.length] as string)
  }

  destroy(): void {
    this.provider.destroy()
    this.doc.destroy()
  }
}

/**
 * Two clients exchange a few keystrokes in a room of their own, so that what a server sets up
 * on its first connection and first update (code, buffers, storage) is in place before its
 * memory baseline is read.
 */
export async function warmUp(url: string, room: string): Promise<void> {
  const pair = [new Client(url, room, -1), new Client(url, room, -2)]
  try {
    await until(() => pair.every((c) => c.provider.synced), CONNECT_TIMEOUT_MS, 'warm-up sync')
    for (let i = 0; i < 10; i++) for (const c of pair) c.type()
    await until(() => pair.every((c) => c.text.length === 20), CONNECT_TIMEOUT_MS, 'warm-up')
  } finally {
    for (const c of pair) c.destroy()
  }
  await sleep(SETTLE_MS)
}

/** What a phase does with each observation: a peer applied keystroke `clock` of `writer`. */
interface Phase {
  observe(writer: Client, clock: number, latencyMs: number, allPeers: boolean, now: number): void
}

export interface TypingResult {
  /** Keystroke-to-remote-apply latencies in ms; Infinity for each delivery still missing. */
  readonly latencies: Float64Array
  readonly keystrokes: number
  readonly missing: number
  /** Wall seconds the typing took (the drain not included). */
  readonly seconds: number
  /** CPU share (1 = one core) of this client process while typing. */
  readonly clientCpu: number
  readonly serverCpu: number
}

/** Every client of one topology, in one process, against one server. */
export class Fleet {
  private readonly clients: Client[] = []
  private readonly byYjsClient = new Map<number, Client>()
  private readonly peers: number
  private phase: Phase | null = null

  constructor(
    private readonly url: string,
    private readonly topology: Topology,
    private readonly roomPrefix: string,
  ) {
    this.peers = topology.clientsPerRoom - 1
  }

  /** Connects every client, CONNECT_BATCH at a time, and waits until all are synced. */
  async connect(): Promise<void> {
    const { rooms, clientsPerRoom } = this.topology
    // Each provider adds a process 'exit' listener.
    process.setMaxListeners(process.getMaxListeners() + rooms * clientsPerRoom + 1)
    const all: Array<[room: number, slot: number]> = []
    for (let slot = 0; slot < clientsPerRoom; slot++)
      for (let room = 0; room < rooms; room++) all.push([room, slot])
    // Room-major order would make a tick's keystrokes land in one room; interleave instead.
    for (let i = 0; i < all.length; i += CONNECT_BATCH) {
      const batch = all.slice(i, i + CONNECT_BATCH).map(([room], j) => {
        const client = new Client(this.url, `${this.roomPrefix}-${room}`, i + j)
        this.watch(client)
        return client
      })
      this.clients.push(...batch)
      await until(() => batch.every((c) => c.provider.synced), CONNECT_TIMEOUT_MS, 'sync')
    }
    const full = () =>
      this.clients.every((c) => c.provider.awareness.getStates().size === clientsPerRoom)
    await until(full, AWARENESS_TIMEOUT_MS, 'awareness')
    await sleep(SETTLE_MS)
  }

  private startPhase(phase: Phase): void {
    for (const client of this.clients) client.phaseFrom = client.sentAt.length
    this.phase = phase
  }

  private watch(client: Client): void {
    this.byYjsClient.set(client.doc.clientID, client)
    client.doc.on('afterTransaction', (tr: Y.Transaction) => {
      if (tr.local || !this.phase) return
      const now = performance.now()
      for (const [id, after] of tr.afterState) {
        const before = tr.beforeState.get(id) ?? 0
        if (after === before) continue
        const writer = this.byYjsClient.get(id)
        if (!writer || writer === client) continue
        for (let clock = before; clock < after; clock++) {
          const sent = writer.sentAt[clock]
          if (sent === undefined || clock < writer.phaseFrom) continue
          const seen = (writer.seen[clock] ?? 0) + 1
          writer.seen[clock] = seen
          this.phase.observe(writer, clock, now - sent, seen === this.peers, now)
        }
      }
    })
  }

  /**
   * Every client types `perSecond` keystrokes a second for `seconds` (open loop, spread evenly
   * over the clients), then waits up to `drainMs` for every peer to apply every keystroke.
   */
  async typing(
    perSecond: number,
    seconds: number,
    drainMs: number,
    serverCpuSeconds: () => number,
  ): Promise<TypingResult> {
    const total = Math.round(perSecond * seconds * this.clients.length)
    const expected = total * this.peers
    const latencies = new Float64Array(expected).fill(Infinity)
    let observed = 0
    this.startPhase({
      observe: (_w, _c, latencyMs) => {
        if (observed < expected) latencies[observed++] = latencyMs
      },
    })
    const cpu0 = process.cpuUsage()
    const server0 = serverCpuSeconds()
    const start = performance.now()
    let sent = 0
    await new Promise<void>((resolve) => {
      const timer = setInterval(() => {
        const elapsed = (performance.now() - start) / 1000
        const due = Math.min(total, Math.floor(elapsed * perSecond * this.clients.length))
        for (; sent < due; sent++) this.clients[sent % this.clients.length]?.type()
        if (sent >= total) {
          clearInterval(timer)
          resolve()
        }
      }, TICK_MS)
    })
    const wall = (performance.now() - start) / 1000
    const cpu = process.cpuUsage(cpu0)
    const serverCpu = (serverCpuSeconds() - server0) / wall
    await until(() => observed >= expected, drainMs, null)
    this.phase = null
    return {
      latencies,
      keystrokes: total,
      missing: expected - observed,
      seconds: wall,
      clientCpu: (cpu.user + cpu.system) / 1e6 / wall,
      serverCpu,
    }
  }

  /**
   * Milliseconds until one more client of room 0 is synced. The Lattice relay answers a
   * client's sync step 1 only once everything it holds is on disk, so after a burst of typing
   * this is also how far its storage is behind.
   */
  async join(timeoutMs: number): Promise<number> {
    const start = performance.now()
    const client = new Client(this.url, `${this.roomPrefix}-0`, this.clients.length)
    try {
      await until(() => client.provider.synced, timeoutMs, null)
      return client.provider.synced ? performance.now() - start : Infinity
    } finally {
      client.destroy()
    }
  }

  close(): void {
    for (const client of this.clients) client.destroy()
    this.clients.length = 0
    this.byYjsClient.clear()
  }
}
