import type { WebSocket } from 'ws'
import type { LatticeNode } from '../node/lattice-node'
import { startDiscovery, type Discovery } from './discovery'
import type { LanConfig } from './lan-config'
import { LAN_PATH, LanPeers } from './lan-peers'
import { workspaceKeys, type WorkspaceKeys } from './workspace'

/** What the listener needs to hand LAN sockets over (net/server.ts). */
export interface LanEndpoint {
  readonly path: string
  /** `remote` (address:port) is for logs. */
  accept(ws: WebSocket, remote: string): void
  connectedPeers(): string[]
}

/**
 * A node in LAN mode: its endpoint for peers that prove the workspace secret, discovery over
 * mDNS, and the manual peers it dials. Create it before the listener, `start` once listening.
 */
export class LanMode {
  readonly keys: WorkspaceKeys
  readonly peers: LanPeers
  readonly endpoint: LanEndpoint
  private discovery: Discovery | null = null

  constructor(
    private readonly node: LatticeNode,
    private readonly config: LanConfig,
  ) {
    this.keys = workspaceKeys(config.secret)
    this.peers = new LanPeers({ node, keys: this.keys })
    this.endpoint = {
      path: LAN_PATH,
      accept: (ws, remote) => this.peers.accept(ws, remote),
      connectedPeers: () => this.peers.connectedPeers,
    }
  }

  /** Advertises `port` and starts dialing. */
  start(port: number): void {
    if (this.config.discover !== false) this.discover(port)
    for (const address of this.config.peers) this.peers.addPeer(address)
  }

  private discover(port: number): void {
    this.discovery = startDiscovery({
      self: this.node.id,
      hint: this.keys.hint,
      port,
      path: LAN_PATH,
      interface: this.config.interface,
      log: this.node.log,
      found: (peer, url) => this.peers.found(peer, url),
      lost: (peer) => this.peers.lost(peer),
    })
  }

  async close(): Promise<void> {
    this.peers.close()
    await this.discovery?.close()
  }
}
