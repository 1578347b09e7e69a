import type { WebSocket } from 'ws'
import { linkId, randomId, type ReplicaId } from '../../shared/ids'
import { FaultGate, gatedLink, type LinkFault } from '../../shared/sync/fault-gate'
import type { FaultyLink } from '../../shared/sync/faulty-link'
import type { Unsubscribe } from '../../shared/util/emitter'
import { DialerLink, GIVE_UP_CODES, type Backoff } from '../net/dialer'
import { closeReason } from '../net/limits'
import { WebSocketLink } from '../net/ws-link'
import type { LatticeNode } from '../node/lattice-node'
import { CLOSE_BAD_VERSION, CLOSE_SELF, CLOSE_WRONG_SECRET, Handshake } from './handshake'
import { lanDial } from './lan-dial'
import { keepAlive, runHandshake } from './lan-socket'
import { CLOSE_DUPLICATE, LinkRegistry, type AdmitResult } from './link-registry'
import type { LanPeerStatus } from '../../shared/desktop/lan-settings'
import type { WorkspaceKeys } from './workspace'

export const LAN_PATH = '/lattice-lan'

/** On a LAN a lost peer is worth retrying soon: backoff tops out at 2 s, not the relay's 30. */
export const LAN_BACKOFF: Backoff = { baseMs: 100, capMs: 2_000, stableMs: 5_000 }
const KEEPALIVE_MS = 5_000
/** A discovered peer with a smaller id dials; if it has not within this, dial it anyway. */
const FALLBACK_DIAL_MS = 4_000

export interface LanPeersOptions {
  node: LatticeNode
  keys: WorkspaceKeys
  backoff?: Partial<Backoff>
  keepAliveMs?: number
  fallbackDialMs?: number
}

/** Somewhere this node dials: a manual address, or a peer discovery found. */
interface Target {
  readonly url: string
  dialer: DialerLink | null
  /** The dialer behind the fault gate of the peer it reached (`gatedOn`). */
  link: FaultyLink | null
  gatedOn: ReplicaId | null
  detach: Unsubscribe | null
  /** Who answered there last. */
  peer: ReplicaId | null
  /** Dialing stopped because a link to this peer already exists; resumes when it closes. */
  parkedOn: ReplicaId | null
  /** Why dialing stopped for good (a wrong secret: 4403), as "code reason". */
  gaveUp: string | null
}

/**
 * The node's LAN links: accepts peers at `LAN_PATH`, dials manual and discovered ones (of a
 * discovered pair, the smaller node id dials first), and keeps one link per peer (see
 * `LinkRegistry`); a dialer whose link lost to another waits, parked, until the peer has no
 * link left, then dials again. Gossip and anti-entropy are the replica's, over every link.
 * Every link to a peer runs through that peer's fault gate (cut, one way or both, or open),
 * which holds across the peer's reconnects.
 */
export class LanPeers {
  private readonly links: LinkRegistry
  private readonly targets = new Map<string, Target>()
  private readonly discovered = new Map<ReplicaId, string>()
  private readonly fallbacks = new Map<ReplicaId, ReturnType<typeof setTimeout>>()
  private readonly accepted = new Set<WebSocket>()
  private readonly gates = new Map<ReplicaId, FaultGate>()
  private readonly backoff: Backoff
  private closed = false

  constructor(private readonly opts: LanPeersOptions) {
    this.backoff = { ...LAN_BACKOFF, ...opts.backoff }
    this.links = new LinkRegistry(opts.node.id, opts.node.log, (peer) => this.unpark(peer))
  }

  private get id(): ReplicaId {
    return this.opts.node.id
  }

  private get log() {
    return this.opts.node.log
  }

  /** Peers with an authenticated link now. */
  get connectedPeers(): ReplicaId[] {
    return this.links.peers
  }

  /** Authenticated links now: one per peer once duplicates have been closed. */
  get linkCount(): number {
    return this.links.count
  }

  /** Every address dialed, manual or discovered, and how it is going there. */
  get targetsStatus(): LanPeerStatus[] {
    return [...this.targets.entries()].map(([key, t]) => {
      const state = t.dialer?.snapshot
      const ended = state?.gaveUp ?? state?.lastClose
      return {
        address: key.startsWith('addr:') ? key.slice(5) : new URL(t.url).host,
        manual: key.startsWith('addr:'),
        peer: t.peer,
        connection: t.parkedOn !== null ? 'open' : (state?.status ?? 'closed'),
        lastError:
          t.gaveUp ?? (ended && state?.status !== 'open' ? `${ended.code} ${ended.reason}` : null),
      }
    })
  }

  onChange(listener: () => void): Unsubscribe {
    return this.links.onChange(listener)
  }

  /** How the links to `peer` are cut now ('open' for a peer never cut). */
  faultOf(peer: ReplicaId): LinkFault {
    return this.gates.get(peer)?.fault ?? 'open'
  }

  /** Peers whose links are cut now, linked or not: a cut outlives the link it was set on. */
  get cutPeers(): ReplicaId[] {
    return [...this.gates].filter(([, g]) => g.fault !== 'open').map(([peer]) => peer)
  }

  /** Cuts the links to `peer` (one way or both), now and when it links again, or heals them. */
  setFault(peer: ReplicaId, fault: LinkFault): void {
    this.gateOf(peer).set(fault)
    this.log.info({ peer, fault }, 'LAN link fault set')
  }

  /** A socket that reached `LAN_PATH`: authenticate it, then sync over it. */
  accept(ws: WebSocket, remote: string): void {
    if (this.closed) {
      ws.close(1001, 'LAN mode is off')
      return
    }
    this.accepted.add(ws)
    ws.once('close', () => this.accepted.delete(ws))
    keepAlive(ws, this.opts.keepAliveMs ?? KEEPALIVE_MS)
    const handshake = new Handshake({ keys: this.opts.keys, self: this.id, role: 'listener' })
    runHandshake(ws, handshake, {
      log: this.log,
      remote,
      authenticated: (peer, cipher) => {
        const admitted = this.admit(peer, peer, (code, reason) =>
          ws.close(code, closeReason(reason)),
        )
        if (!admitted.ok) {
          ws.close(admitted.code, closeReason(admitted.reason))
          return
        }
        // Healing closes it (if frames were dropped) and the peer, which dialed, redials.
        const gate = this.gateOf(peer)
        const link = gate.wrap(new WebSocketLink(linkId(randomId('lan-')), ws, cipher))
        const detach = this.opts.node.replica.attach(link)
        link.onClose(() => {
          detach()
          gate.remove(link)
          admitted.ended()
        })
      },
    })
  }

  /** Dials `host:port` (where multicast does not reach) and keeps dialing. */
  addPeer(address: string): void {
    this.addTarget(`addr:${address}`, `ws://${address}${LAN_PATH}`)
  }

  /** Stops dialing `host:port` (and closes the link made by dialing it). */
  removePeer(address: string): void {
    this.dropTarget(`addr:${address}`)
  }

  /** Discovery found a node of this workspace at `url`. */
  found(peer: ReplicaId, url: string): void {
    if (peer === this.id || this.closed || this.discovered.get(peer) === url) return
    this.lost(peer)
    this.discovered.set(peer, url)
    this.log.info({ peer, url }, 'LAN peer discovered')
    if (this.id < peer) {
      this.addTarget(`mdns:${peer}`, url)
      return
    }
    const timer = setTimeout(() => {
      this.fallbacks.delete(peer)
      if (!this.links.has(peer) && this.discovered.get(peer) === url)
        this.addTarget(`mdns:${peer}`, url)
    }, this.opts.fallbackDialMs ?? FALLBACK_DIAL_MS)
    timer.unref()
    this.fallbacks.set(peer, timer)
  }

  /** Discovery saw the peer leave (its goodbye): stop dialing it; a link it dialed stays. */
  lost(peer: ReplicaId): void {
    clearTimeout(this.fallbacks.get(peer))
    this.fallbacks.delete(peer)
    this.discovered.delete(peer)
    this.dropTarget(`mdns:${peer}`)
  }

  close(): void {
    this.closed = true
    for (const timer of this.fallbacks.values()) clearTimeout(timer)
    this.fallbacks.clear()
    for (const key of [...this.targets.keys()]) this.dropTarget(key, 'node leaving the LAN')
    for (const ws of this.accepted) ws.close(1001, 'node leaving the LAN')
  }

  private addTarget(key: string, url: string): void {
    if (this.closed || this.targets.has(key)) return
    const target: Target = {
      url,
      dialer: null,
      link: null,
      gatedOn: null,
      detach: null,
      peer: null,
      parkedOn: null,
      gaveUp: null,
    }
    this.targets.set(key, target)
    this.dial(target)
  }

  private dropTarget(key: string, reason = 'no longer dialing this peer'): void {
    const target = this.targets.get(key)
    if (!target) return
    this.targets.delete(key)
    this.stopDialing(target, 1001, reason)
  }

  private dial(target: Target): void {
    target.gaveUp = null
    const dialer = new DialerLink({
      url: target.url,
      backoff: this.backoff,
      giveUpOn: [
        ...GIVE_UP_CODES,
        CLOSE_WRONG_SECRET,
        CLOSE_BAD_VERSION,
        CLOSE_SELF,
        CLOSE_DUPLICATE,
      ],
      dial: lanDial({
        keys: this.opts.keys,
        self: this.id,
        log: this.log,
        keepAliveMs: this.opts.keepAliveMs ?? KEEPALIVE_MS,
        admit: (peer, close) => {
          target.peer = peer
          this.gateDialed(target, peer)
          return this.admit(peer, this.id, close)
        },
      }),
    })
    target.dialer = dialer
    target.link = gatedLink(dialer, () => dialer.reconnect('resync after the link was cut'))
    if (target.peer !== null) this.gateDialed(target, target.peer)
    target.detach = this.opts.node.replica.attach(target.link)
    dialer.onGiveUp((info) => {
      this.stopDialing(target, info.code, info.reason)
      if (info.code === CLOSE_DUPLICATE && target.peer !== null) {
        target.parkedOn = target.peer
        if (!this.links.has(target.peer)) this.unpark(target.peer)
      } else {
        target.gaveUp = `${info.code} ${info.reason}`
        this.log.error(
          { url: target.url, code: info.code, reason: info.reason },
          'stopped dialing a LAN peer: retrying cannot help',
        )
      }
    })
  }

  private stopDialing(target: Target, code: number, reason: string): void {
    target.detach?.()
    target.dialer?.close(code, reason)
    this.ungate(target)
    target.detach = null
    target.dialer = null
    target.link = null
  }

  private gateOf(peer: ReplicaId): FaultGate {
    let gate = this.gates.get(peer)
    if (!gate) {
      gate = new FaultGate()
      this.gates.set(peer, gate)
    }
    return gate
  }

  /** Puts a dialed link under the gate of the peer that answered (it may differ from before). */
  private gateDialed(target: Target, peer: ReplicaId): void {
    if (!target.link || target.gatedOn === peer) return
    this.ungate(target)
    target.gatedOn = peer
    this.gateOf(peer).add(target.link)
  }

  private ungate(target: Target): void {
    if (target.link && target.gatedOn !== null) this.gates.get(target.gatedOn)?.remove(target.link)
    target.gatedOn = null
  }

  private unpark(peer: ReplicaId): void {
    if (this.closed) return
    for (const target of this.targets.values()) {
      if (target.parkedOn !== peer) continue
      target.parkedOn = null
      this.dial(target)
    }
  }

  private admit(
    peer: ReplicaId,
    dialedBy: ReplicaId,
    close: (code: number, reason: string) => void,
  ): AdmitResult {
    if (this.closed) return { ok: false, code: 1001, reason: 'node leaving the LAN' }
    return this.links.admit(peer, dialedBy, close)
  }
}
