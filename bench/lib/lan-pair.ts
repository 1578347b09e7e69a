import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import type { EngineKind, NoteDoc } from '../../shared/engine/types'
import type { DocId } from '../../shared/ids'
import { newSecret } from '../../sync-server/lan/pairing-code'
import { silentLogger } from '../../sync-server/ops/logger'
import { startRelay, type Relay } from '../../sync-server/relay'
import { inSync, sleep, until, type HealRig, type LinkTraffic } from './heal-rig'

/**
 * Two LAN-mode nodes in this process with real storage, linked over a loopback WebSocket that
 * `a` dials (no mDNS, so the link is up exactly while the benchmark says). Each side's copy of a
 * note is its node's own.
 */
export class LanPair implements HealRig {
  readonly setting =
    'two LAN-mode nodes in ONE process, linked over a loopback WebSocket that a dials at once'
  private frames = 0
  /** `performance.now()` of each time the link came up. */
  private readonly linkUps: number[] = []

  private constructor(
    readonly a: Relay,
    readonly b: Relay,
    private readonly dirs: string[],
  ) {
    for (const r of [a, b])
      r.node.replica.events.on((e) => {
        if (e.type === 'traffic' && e.direction === 'sent') this.frames++
      })
    a.lan?.peers.onChange(() => {
      if (a.lan?.peers.linkCount === 1) this.linkUps.push(performance.now())
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

  async seed(ids: readonly DocId[], engine: EngineKind): Promise<[NoteDoc, NoteDoc][]> {
    for (const id of ids)
      (await this.a.node.retain(id, engine)).insert(0, `Note ${id}, held by both nodes. `)
    this.a.lan?.peers.addPeer(this.address)
    await until('b to store every note', () => this.b.node.storedCount === ids.length)
    const copies = await Promise.all(
      ids.map(async (id) => {
        const [x, y] = await Promise.all([
          this.a.node.retain(id, engine),
          this.b.node.retain(id, engine),
        ])
        return [x, y] as [NoteDoc, NoteDoc]
      }),
    )
    await until('the two nodes to converge', () => inSync(copies))
    return copies
  }

  async cut(): Promise<void> {
    this.a.lan?.peers.removePeer(this.address)
    await until(
      'the link to close',
      () => this.a.lan?.peers.linkCount === 0 && this.b.lan?.peers.linkCount === 0,
    )
  }

  async settle(): Promise<void> {
    await Promise.all([this.a.node.flush(), this.b.node.flush()])
  }

  async heal(): Promise<number> {
    const at = performance.now()
    this.a.lan?.peers.addPeer(this.address)
    return at
  }

  linkedAt(since: number): number {
    return this.linkUps.find((t) => t >= since) ?? NaN
  }

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
    return { payload: await this.lanBytes(), frames: this.frames, ip: null }
  }

  /** The listening node counts both directions of the link; the dialer counts nothing. */
  private async lanBytes(): Promise<number> {
    const { metrics } = this.b.server
    let total = 0
    for (const counter of [metrics.bytesIn, metrics.bytesOut])
      for (const v of (await counter.get()).values)
        if (v.labels.endpoint === 'lan') total += v.value
    return total
  }

  async stop(): Promise<void> {
    await this.a.stop()
    await this.b.stop()
    for (const d of this.dirs) await rm(d, { recursive: true, force: true })
  }
}
