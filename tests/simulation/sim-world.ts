import { createNote } from '../../shared/engine/create'
import type { CausalEvent, Dot, EngineKind, NoteDoc } from '../../shared/engine/types'
import type { VersionVector } from '../../shared/vv/version-vector'
import { yjsStructuralDeps } from './yjs-deps'
import { docId, replicaId, type DocId } from '../../shared/ids'
import { FaultyLink } from '../../shared/sync/faulty-link'
import { MemoryLinkPair } from '../../shared/sync/memory-link'
import { Replica } from '../../shared/sync/replica'
import { VirtualScheduler } from '../../shared/sync/virtual-scheduler'
import type { Unsubscribe } from '../../shared/util/emitter'
import { Rng } from '../../shared/util/rng'

/** What one replica has durably written: acknowledged updates, plus a tail a crash may lose. */
interface Disk {
  saved: Map<DocId, Uint8Array[]>
  unflushed: Array<[DocId, Uint8Array]>
}

export interface SimNode {
  index: number
  replica: Replica | null
  disk: Disk
  incarnation: number
  detach: Unsubscribe[]
}

export interface SimEdge {
  pair: MemoryLinkPair
  ends: [FaultyLink, FaultyLink]
  nodes: [number, number]
}

export const DOCS: ReadonlyArray<{ id: DocId; engine: EngineKind }> = [
  { id: docId('note-y'), engine: 'yjs' },
  { id: docId('note-a'), engine: 'automerge' },
]

/**
 * A simulated network of replicas with crash-prone disks and faulty links, on virtual time.
 * Everything random comes from one seed.
 */
export class SimWorld {
  readonly scheduler = new VirtualScheduler()
  readonly nodes: SimNode[] = []
  readonly edges: SimEdge[] = []
  /** Each commit's dot and what it needs first (Automerge: causal past; Yjs: structural). */
  readonly commits: Array<{ doc: DocId; dot: Dot | null; deps: VersionVector }> = []
  readonly applies: CausalEvent[] = []
  framesSent: Record<string, number> = {}
  errors: string[] = []

  constructor(
    readonly rng: Rng,
    nodeCount: number,
  ) {
    for (let i = 0; i < nodeCount; i++) {
      const node: SimNode = {
        index: i,
        replica: null,
        disk: { saved: new Map(), unflushed: [] },
        incarnation: 0,
        detach: [],
      }
      this.nodes.push(node)
    }
    this.buildTopology()
    for (const node of this.nodes) this.boot(node)
    for (const e of this.edges) e.pair.connect()
  }

  /** A random spanning tree plus a few extra edges: chains, stars and cycles all happen. */
  private buildTopology(): void {
    const n = this.nodes.length
    const seen = new Set<string>()
    const add = (a: number, b: number) => {
      const key = a < b ? `${a}-${b}` : `${b}-${a}`
      if (a === b || seen.has(key)) return
      seen.add(key)
      const pair = new MemoryLinkPair(`l${key}`, this.scheduler)
      const edge: SimEdge = {
        pair,
        nodes: [a, b],
        ends: [null, null] as unknown as [FaultyLink, FaultyLink],
      }
      const bounce = () => {
        pair.disconnect({ code: 4000, reason: 'resync after faults' })
        this.scheduler.after(1, () => this.reconnect(edge))
      }
      edge.ends = [
        new FaultyLink(pair.a, { rng: this.rng.fork(), scheduler: this.scheduler, bounce }),
        new FaultyLink(pair.b, { rng: this.rng.fork(), scheduler: this.scheduler, bounce }),
      ]
      this.edges.push(edge)
      // Like a dialer: a connection refused for a protocol error is dialled again later.
      pair.a.onClose(({ code }) => {
        if (code >= 4400) this.scheduler.after(20 + this.rng.int(20), () => this.reconnect(edge))
      })
    }
    for (let i = 1; i < n; i++) add(i, this.rng.int(i))
    const extra = this.rng.int(n)
    for (let k = 0; k < extra; k++) add(this.rng.int(n), this.rng.int(n))
  }

  private endsOf(node: SimNode): FaultyLink[] {
    const out: FaultyLink[] = []
    for (const e of this.edges) {
      if (e.nodes[0] === node.index) out.push(e.ends[0])
      if (e.nodes[1] === node.index) out.push(e.ends[1])
    }
    return out
  }

  reconnect(edge: SimEdge): void {
    if (this.nodes[edge.nodes[0]]!.replica && this.nodes[edge.nodes[1]]!.replica)
      edge.pair.connect()
  }

  /** Starts (or restarts) a replica from what its disk holds. */
  boot(node: SimNode): void {
    node.incarnation++
    const actorSeed = (node.index + 1) * 1000 + node.incarnation
    const replica = new Replica({
      id: replicaId(`r${node.index}`),
      mode: 'full',
      makeDoc: (id, engine) =>
        createNote(engine, {
          id,
          replica: replicaId(`r${node.index}`),
          actorSeed: actorSeed * 7 + (engine === 'yjs' ? 1 : 2),
        }),
    })
    for (const { id, engine } of DOCS) {
      const doc = replica.createDoc(id, engine)
      for (const u of node.disk.saved.get(id) ?? []) doc.applyUpdate(u, 'load')
    }
    const watch = (doc: NoteDoc) => {
      doc.onCausal((e) => {
        if (e.kind === 'apply') this.applies.push(e)
        else if (doc.engine === 'automerge')
          this.commits.push({ doc: doc.id, dot: e.dot, deps: e.deps })
      })
      doc.onChange((change) => {
        if (change.origin === 'load') return
        const bytes = change.update()
        if (doc.engine === 'yjs' && change.origin === 'local')
          this.commits.push({ doc: doc.id, ...yjsStructuralDeps(bytes, Number(doc.actor)) })
        // Local edits are acknowledged only once written; remote ones may sit in a write buffer.
        if (change.origin === 'local') this.write(node, doc.id, bytes)
        else node.disk.unflushed.push([doc.id, bytes])
      })
    }
    for (const doc of replica.allDocs()) watch(doc)
    replica.docAdded.on(watch)
    replica.events.on((e) => {
      if (e.type === 'traffic' && e.direction === 'sent')
        this.framesSent[e.frame] = (this.framesSent[e.frame] ?? 0) + 1
      if (e.type === 'error') this.errors.push(`${e.side}: ${e.error.message}`)
    })
    node.replica = replica
    node.detach = this.endsOf(node).map((end) => replica.attach(end))
  }

  private write(node: SimNode, id: DocId, bytes: Uint8Array): void {
    const list = node.disk.saved.get(id) ?? []
    list.push(bytes)
    node.disk.saved.set(id, list)
  }

  flush(node: SimNode): void {
    for (const [id, bytes] of node.disk.unflushed) this.write(node, id, bytes)
    node.disk.unflushed = []
  }

  /** kill -9: the process and its unflushed writes are gone; links drop. */
  crash(node: SimNode): void {
    if (!node.replica) return
    for (const off of node.detach) off()
    node.replica.destroy()
    node.replica = null
    node.disk.unflushed = []
    for (const e of this.edges)
      if (e.nodes.includes(node.index)) e.pair.disconnect({ code: 1006, reason: 'peer crashed' })
  }

  restart(node: SimNode): void {
    if (node.replica) return
    this.boot(node)
    for (const e of this.edges) if (e.nodes.includes(node.index)) this.reconnect(e)
  }

  /** Faults stop: every link clean, every replica up, every connection open. */
  healAll(): void {
    for (const e of this.edges) for (const end of e.ends) end.heal()
    for (const node of this.nodes) this.restart(node)
    for (const e of this.edges) this.reconnect(e)
  }

  alive(): SimNode[] {
    return this.nodes.filter((n) => n.replica)
  }
}

export function makeRng(seed: number): Rng {
  return new Rng(seed)
}
