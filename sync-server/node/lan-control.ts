import {
  LAN_OFF,
  LanRequestError,
  parseLanRequest,
  type LanRequest,
  type LanResult,
  type LanStatus,
} from '../../shared/desktop/lan-settings'
import { parsePeerAddress, PeerAddressError } from '../lan/lan-config'
import { LanMode } from '../lan/lan-mode'
import {
  formatPairingCode,
  newSecret,
  PairingCodeError,
  parsePairingCode,
} from '../lan/pairing-code'
import { startServer, type RunningServer } from '../net/server'
import type { DocStore } from '../storage/doc-store'
import type { NodeLinkStatus } from '../../shared/desktop/node-links'
import type { DocId, LinkId, ReplicaId } from '../../shared/ids'
import type { LinkFault } from '../../shared/sync/fault-gate'
import type { Unsubscribe } from '../../shared/util/emitter'
import type { LatticeNode } from './lattice-node'
import { PendingAcks } from './pending-acks'
import { SealedJsonFile, type Sealer } from './sealed-file'

/** The port LAN peers dial by default, so "add peer by address" has one to name. */
export const DEFAULT_LAN_PORT = 4455

export interface LanControlOptions {
  node: LatticeNode
  store: DocStore
  /** Settings file: the pairing code (sealed where there is a sealer) and manual peers. */
  file: string
  sealer: Sealer | null
  /** LAN port; taken → any free one. Default DEFAULT_LAN_PORT. */
  port?: number
  /** Multicast on this IPv4 interface only (tests on loopback); default every interface. */
  interface?: string
}

interface Saved {
  code: string
  peers: string[]
}

/**
 * LAN mode of the app's node, as windows ask for it: a workspace made or joined with its
 * pairing code, kept across restarts, with its own listener on every address that serves LAN
 * peers only (the node's window endpoints stay on this machine).
 */
export class LanControl {
  private mode: LanMode | null = null
  /** Which LAN peer each live link leads to (from the session's hello), for its ACKs. */
  private readonly peerOfLink = new Map<LinkId, string>()
  private readonly acks: PendingAcks
  private readonly offPeers: Unsubscribe
  private server: RunningServer | null = null
  private saved: Saved | null = null
  private readonly file: SealedJsonFile
  /** Requests run one at a time: a join while a create is starting waits for it. */
  private queue: Promise<unknown> = Promise.resolve()

  private constructor(private readonly opts: LanControlOptions) {
    this.file = new SealedJsonFile(opts.file, ['code'], opts.sealer)
    this.acks = new PendingAcks(opts.node, (link) => this.peerOfLink.get(link) ?? null)
    this.offPeers = opts.node.replica.events.on((e) => {
      if (e.type !== 'peer' || !this.mode?.peers.connectedPeers.includes(e.peer)) return
      const { link, peer } = e
      this.peerOfLink.set(link.id, peer)
      this.acks.track(peer)
      link.onClose(() => {
        this.peerOfLink.delete(link.id)
        // A cut peer stays counted: its next link's hello may be what the cut drops.
        const cut = (this.mode?.peers.faultOf(peer) ?? 'open') !== 'open'
        if (!cut && ![...this.peerOfLink.values()].includes(peer)) this.acks.untrack(peer)
      })
    })
  }

  /** Reads the settings file and rejoins the workspace it names. */
  static async open(opts: LanControlOptions): Promise<LanControl> {
    const control = new LanControl(opts)
    try {
      const stored = (await control.file.read()) as Saved | null
      if (stored) await control.start({ code: stored.code, peers: stored.peers ?? [] })
    } catch (err) {
      opts.node.log.error(
        { file: opts.file, err: (err as Error).message },
        'LAN mode stays off: its settings could not be used',
      )
    }
    return control
  }

  status(): LanStatus {
    if (!this.mode || !this.server) return { ...LAN_OFF, protection: this.file.protection }
    return {
      on: true,
      port: this.server.port,
      linked: this.mode.peers.connectedPeers.map((peer) => ({
        peer,
        pendingNotes: this.acks.count(peer),
      })),
      peers: this.mode.peers.targetsStatus,
      protection: this.file.protection,
    }
  }

  /** Each LAN peer linked now or cut (a cut outlives its link), as the Lab lists it. */
  linkStatuses(note: DocId | null): NodeLinkStatus[] {
    const peers = this.mode?.peers
    if (!peers) return []
    const linked = peers.connectedPeers
    return [...new Set([...linked, ...peers.cutPeers])].map((peer) => ({
      key: `lan:${peer}`,
      kind: 'lan',
      peer,
      connection: linked.includes(peer) ? 'open' : 'closed',
      pendingNotes: this.acks.count(peer),
      fault: peers.faultOf(peer),
      noteRelation: note === null ? null : this.acks.relation(peer, note),
    }))
  }

  /** Cuts or heals the links to a LAN peer; false if it is neither linked nor cut. */
  setFault(peer: string, fault: LinkFault): boolean {
    const peers = this.mode?.peers
    const id = peer as ReplicaId
    if (!peers || !(peers.connectedPeers.includes(id) || peers.cutPeers.includes(id))) return false
    peers.setFault(id, fault)
    return true
  }

  /** Carries out a window's request; errors a person can act on come back as `ok: false`. */
  request(input: unknown): Promise<LanResult> {
    const run = this.queue.then(() => this.handle(input))
    this.queue = run.catch(() => {})
    return run
  }

  async close(): Promise<void> {
    this.offPeers()
    this.acks.close()
    await this.stop()
  }

  private async handle(input: unknown): Promise<LanResult> {
    let req: LanRequest
    try {
      req = parseLanRequest(input)
      return await this.apply(req)
    } catch (err) {
      if (
        err instanceof LanRequestError ||
        err instanceof PairingCodeError ||
        err instanceof PeerAddressError
      )
        return { ok: false, error: err.message }
      this.opts.node.log.error({ err: (err as Error).message }, 'LAN request failed')
      return { ok: false, error: `LAN mode failed: ${(err as Error).message}` }
    }
  }

  private async apply(req: LanRequest): Promise<LanResult> {
    const ok = (pairingCode?: string): LanResult => ({
      ok: true,
      status: this.status(),
      pairingCode,
    })
    switch (req.action) {
      case 'create': {
        const code = formatPairingCode(newSecret())
        await this.switchTo({ code, peers: [] })
        return ok(code)
      }
      case 'join': {
        const code = formatPairingCode(parsePairingCode(req.code))
        await this.switchTo({ code, peers: this.saved?.peers ?? [] })
        return ok()
      }
      case 'reveal':
        if (!this.saved) throw new LanRequestError('this machine is in no workspace')
        return ok(this.saved.code)
      case 'leave':
        await this.stop()
        this.saved = null
        await this.file.write(null)
        return ok()
      case 'add-peer':
      case 'remove-peer': {
        const saved = this.saved
        if (!saved || !this.mode) throw new LanRequestError('make or join a workspace first')
        const address = parsePeerAddress(req.address)
        const peers = saved.peers.filter((p) => p !== address)
        if (req.action === 'add-peer') {
          peers.push(address)
          this.mode.peers.addPeer(address)
        } else this.mode.peers.removePeer(address)
        this.saved = { ...saved, peers }
        await this.file.write({ ...this.saved })
        return ok()
      }
    }
  }

  private async switchTo(next: Saved): Promise<void> {
    await this.stop()
    await this.file.write({ ...next })
    await this.start(next)
  }

  private async start(saved: Saved): Promise<void> {
    const { node, store } = this.opts
    const mode = new LanMode(node, {
      secret: parsePairingCode(saved.code),
      peers: saved.peers,
      interface: this.opts.interface,
    })
    const listen = (port: number) =>
      startServer(node, {
        host: '0.0.0.0',
        port,
        store,
        log: node.log,
        lan: mode.endpoint,
        localOnly: true,
      })
    const wanted = this.opts.port ?? DEFAULT_LAN_PORT
    let server: RunningServer
    try {
      server = await listen(wanted)
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'EADDRINUSE' || wanted === 0) throw err
      node.log.warn({ port: wanted }, 'LAN port taken; listening on another')
      server = await listen(0)
    }
    mode.start(server.port)
    this.mode = mode
    this.server = server
    this.saved = saved
    node.log.info({ port: server.port }, 'LAN mode on')
  }

  private async stop(): Promise<void> {
    const { mode, server } = this
    this.mode = null
    this.server = null
    await mode?.close()
    await server?.close()
  }
}
