import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import type { EngineKind, NoteDoc } from '../../shared/engine/types'
import type { DocId } from '../../shared/ids'
import { newSecret } from '../../sync-server/lan/pairing-code'
import { silentLogger } from '../../sync-server/ops/logger'
import { startRelay, type Relay } from '../../sync-server/relay'

/** What crossed the LAN link while it was up, counted by the listening node. */
export interface LinkTraffic {
  /** WebSocket payload bytes both ways, the LAN handshake included. */
  readonly bytes: number
  /** Lattice frames both nodes sent. */
  readonly frames: number
}

/**
 * Two LAN-mode nodes in this process with real storage, linked over a loopback WebSocket that
 * `a` dials (no mDNS, so the link is up exactly while the benchmark says).
 */
export class LanPair {
  private frames = 0

  private constructor(
    readonly a: Relay,
    readonly b: Relay,
    private readonly dirs: string[],
  ) {
    for (const r of [a, b])
      r.node.replica.events.on((e) => {
        if (e.type === 'traffic' && e.direction === 'sent') this.frames++
      })
  }

  static async start(): Promise<LanPair> {
    const secret = newSecret()
    const dirs: string[] = []
    const node = async () => {
      const data = await mkdtemp(join(tmpdir(), 'lattice-bench-lan-'))
      dirs.push(data)
      const lan = { secret, peers: [], discover: false }
      const config = { host: '127.0.0.1', port: 0, data, token: undefined, logLevel: 'error', lan }
      return startRelay(config, { log: silentLogger })
    }
    return new LanPair(await node(), await node(), dirs)
  }

  private get address(): string {
    return `127.0.0.1:${this.b.server.port}`
  }

  connect(): void {
    this.a.lan?.peers.addPeer(this.address)
  }

  async disconnect(): Promise<void> {
    this.a.lan?.peers.removePeer(this.address)
    await until(() => this.a.lan?.peers.linkCount === 0 && this.b.lan?.peers.linkCount === 0)
  }

  /** Resolves once the link has carried nothing for `quietMs`; what it carried so far. */
  async quiet(quietMs = 200): Promise<LinkTraffic> {
    let last = -1
    let since = performance.now()
    for (;;) {
      await sleep(10)
      if (this.frames !== last) {
        last = this.frames
        since = performance.now()
      } else if (performance.now() - since >= quietMs) break
    }
    return { bytes: await this.lanBytes(), frames: this.frames }
  }

  private async lanBytes(): Promise<number> {
    const { metrics } = this.b.server
    let total = 0
    for (const counter of [metrics.bytesIn, metrics.bytesOut])
      for (const v of (await counter.get()).values)
        if (v.labels.endpoint === 'lan') total += v.value
    return total
  }

  /** Both nodes' copy of each note, loaded. */
  async copies(ids: readonly DocId[], engine: EngineKind): Promise<[NoteDoc, NoteDoc][]> {
    return Promise.all(
      ids.map(async (id) => {
        const [x, y] = await Promise.all([
          this.a.node.retain(id, engine),
          this.b.node.retain(id, engine),
        ])
        return [x, y] as [NoteDoc, NoteDoc]
      }),
    )
  }

  async stop(): Promise<void> {
    await this.a.stop()
    await this.b.stop()
    for (const d of this.dirs) await rm(d, { recursive: true, force: true })
  }
}

export const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms))

export async function until(check: () => boolean, timeoutMs = 60_000, everyMs = 1): Promise<void> {
  const deadline = performance.now() + timeoutMs
  while (!check()) {
    if (performance.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms`)
    await sleep(everyMs)
  }
}
