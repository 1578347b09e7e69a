import { createNote } from '../engine/create'
import type { EngineKind, NoteDoc } from '../engine/types'
import { randomId, replicaId, type DocId } from '../ids'
import { FaultyLink, type Direction, type DirectionFaults } from '../sync/faulty-link'
import type { Link, Scheduler } from '../sync/link'
import { MemoryLinkPair } from '../sync/memory-link'
import { Replica } from '../sync/replica'
import { Emitter, type Unsubscribe } from '../util/emitter'
import { Rng } from '../util/rng'
import { compare, equals, type Relation, type VersionVector } from '../vv/version-vector'
import { applyEdit, watchLocalEdits, type EditOp, type LocalEdit } from './edit-ops'
import { HealMeter } from './heal-cost'
import { LabLog } from './lab-log'
import type { MergeReport } from './merge-report'
import { MergeTracker } from './merge-tracker'
import { toShiViz } from './shiviz'
import { linkName, NODE, type LinkSpec, type TopologySpec } from './topology'
import { verdictOf, type Verdict } from './verdict'

/** One connection from a Lab replica to the node (a WebSocket or port in the app). */
export interface NodeConnection {
  readonly link: Link
  /** Restarts the connection so both sides resync after frames were lost. */
  bounce(): void
  close(): void
}

export interface LabWorldOptions {
  readonly doc: DocId
  readonly engine: EngineKind
  readonly scheduler: Scheduler
  /** A fresh connection to the node for the Lab replica named `lane`. */
  readonly connect: (lane: string) => NodeConnection
  /** Seeds the fault decisions of the links this world makes (each gets its own, recorded). */
  readonly seed: number
}

export interface LaneOptions {
  /** A fixed engine actor, so ties between concurrent edits break the same way every run. */
  readonly actorSeed?: number
  /** Engine state to start from (a recording's), loaded before any link opens. */
  readonly initial?: Uint8Array
}

/** One replica the Lab watches, drawn as one lane of the diagram. */
export interface LabLane {
  readonly name: string
  readonly doc: NoteDoc
  /** Created by the Lab (its own editor); false for the window the Lab opened in. */
  readonly own: boolean
}

/** A link the Lab's switches drive: a FaultyLink at the `from` lane's end. */
export interface LabLink extends LinkSpec {
  readonly name: string
  readonly link: FaultyLink
  /** Seeds its fault decisions; null when the Lab did not make the link (the window's own). */
  readonly seed: number | null
}

/** A span of time a link was cut, for shading the diagram. */
export interface Partition {
  readonly host: string
  readonly link: string
  readonly direction: Direction | 'both'
  readonly fromEvent: number
  toEvent: number | null
}

/** What a person (or a script) did to the links. */
export type LabAction =
  | { readonly kind: 'cut'; readonly link: string; readonly direction: Direction | 'both' }
  | { readonly kind: 'heal'; readonly link: string }
  | { readonly kind: 'faults'; readonly link: string; readonly faults: Partial<DirectionFaults> }

export interface LaneEdit {
  readonly lane: string
  readonly edit: LocalEdit
}

/**
 * The Lab's world: replicas of one note, each a lane of the diagram, linked to the node and to
 * each other through FaultyLinks the switches drive. It records every causal event, measures
 * what each heal costs, and keeps what the merge report compares against.
 */
export class LabWorld {
  /** The node's last ACK of this note to a lane, and that lane's copy, which reads it. */
  private nodeAck: { doc: NoteDoc; version: Uint8Array } | null = null
  readonly log = new LabLog()
  readonly lanes: LabLane[] = []
  readonly links: LabLink[] = []
  readonly partitions: Partition[] = []
  readonly meter = new HealMeter()
  /** Every switch thrown and every local edit, for the recorder. */
  readonly actions = new Emitter<LabAction>()
  readonly edits = new Emitter<LaneEdit>()
  private readonly changed = new Emitter<void>()
  private readonly replicas = new Map<string, Replica>()
  private readonly offs: Unsubscribe[] = []
  private readonly closers: Array<() => void> = []
  private readonly merges = new MergeTracker()
  private destroyed = false
  private readonly seeds: Rng

  constructor(readonly opts: LabWorldOptions) {
    this.seeds = new Rng(opts.seed)
  }

  /** A world of Lab replicas shaped like `spec`; links named in `seeds` get those seeds. */
  static build(
    opts: LabWorldOptions,
    spec: TopologySpec,
    lanes: Readonly<Record<string, LaneOptions>> = {},
    seeds: Readonly<Record<string, number>> = {},
  ): LabWorld {
    const world = new LabWorld(opts)
    for (const name of spec.lanes) world.addLane(name, lanes[name])
    for (const l of spec.links) world.connect(l, seeds[linkName(l)])
    world.markBase()
    return world
  }

  get topology(): TopologySpec {
    return {
      lanes: this.lanes.map((l) => l.name),
      links: this.links.map(({ from, to }) => ({ from, to })),
    }
  }

  /** The window the Lab opened in: its replica, with its own link to the node. */
  addWindow(w: { name: string; doc: NoteDoc; link: FaultyLink; replica?: Replica }): void {
    this.watch({ name: w.name, doc: w.doc, own: false }, w.replica)
    this.links.push({
      from: w.name,
      to: NODE,
      name: linkName({ from: w.name, to: NODE }),
      link: w.link,
      seed: null,
    })
  }

  addLane(name: string, o: LaneOptions = {}): LabLane {
    const id = replicaId(`lab-${randomId()}`)
    const replica = new Replica({
      id,
      mode: 'partial',
      makeDoc: (doc, engine) =>
        createNote(engine, { id: doc, replica: id, actorSeed: o.actorSeed }),
    })
    const doc = replica.open(this.opts.doc, this.opts.engine)
    if (o.initial) doc.applyUpdate(o.initial, 'load')
    this.replicas.set(name, replica)
    this.closers.push(() => replica.destroy())
    const lane = { name, doc, own: true }
    this.watch(lane, replica)
    return lane
  }

  /** Links a Lab lane to the node or to another Lab lane (an in-page link). */
  connect(spec: LinkSpec, seed = this.seeds.int(2 ** 32)): LabLink {
    const from = this.replicaOf(spec.from)
    const { scheduler } = this.opts
    let link: FaultyLink
    if (spec.to === NODE) {
      const c = this.opts.connect(spec.from)
      link = new FaultyLink(c.link, { rng: new Rng(seed), scheduler, bounce: () => c.bounce() })
      from.attach(link)
      this.closers.push(() => c.close())
    } else {
      const pair = new MemoryLinkPair(`lab-${randomId()}`, scheduler)
      link = new FaultyLink(pair.a, {
        rng: new Rng(seed),
        scheduler,
        bounce: () => {
          pair.disconnect({ code: 4000, reason: 'resync after the link was cut' })
          scheduler.after(1, () => this.destroyed || pair.connect())
        },
      })
      from.attach(link)
      this.replicaOf(spec.to).attach(pair.b)
      pair.connect()
      this.closers.push(() => pair.disconnect())
    }
    const l = { ...spec, name: linkName(spec), link, seed }
    this.links.push(l)
    return l
  }

  private replicaOf(lane: string): Replica {
    const r = this.replicas.get(lane)
    if (!r) throw new Error(`no Lab replica named ${lane}`)
    return r
  }

  private watch(lane: LabLane, replica?: Replica): void {
    this.lanes.push(lane)
    this.offs.push(
      lane.doc.onCausal((e) => {
        this.log.add(lane.name, e, this.opts.scheduler.now())
        this.observe()
        this.changed.emit()
      }),
      watchLocalEdits(lane.doc, (edit) => {
        // The edit's commit is the event just logged.
        this.merges.deleted(edit.deleted, { host: lane.name, event: this.log.size - 1 })
        this.edits.emit({ lane: lane.name, edit })
      }),
    )
    if (replica)
      this.offs.push(
        replica.events.on((e) => {
          if (e.type === 'ack' && e.doc === this.opts.doc) {
            // The node ACKs what of this note is on its disk: the node as a replica.
            const l = this.links.find((x) => x.link === e.link)
            if (l?.to === NODE) {
              this.nodeAck = { doc: lane.doc, version: e.version }
              this.changed.emit()
            }
            return
          }
          if (e.type !== 'traffic' || e.frame !== 'doc' || e.doc !== this.opts.doc) return
          const l = this.links.find((x) => x.link === e.link)
          if (l) this.meter.frame(l.name, e.direction, e.bytes)
        }),
      )
  }

  onChange(listener: () => void): Unsubscribe {
    return this.changed.on(listener)
  }

  lane(name: string): LabLane {
    const l = this.lanes.find((x) => x.name === name)
    if (!l) throw new Error(`no lane named ${name}`)
    return l
  }

  link(name: string): LabLink {
    const l = this.links.find((x) => x.name === name)
    if (!l) throw new Error(`no link named ${name}`)
    return l
  }

  /** The link from `lane` to the node, if it has one. */
  nodeLink(lane: string): LabLink | undefined {
    return this.links.find((l) => l.from === lane && l.to === NODE)
  }

  edit(lane: string, ops: readonly EditOp[]): void {
    applyEdit(this.lane(lane).doc, ops)
  }

  cut(name: string, direction: Direction | 'both' = 'both'): void {
    const l = this.link(name)
    const first = this.lanes[0]
    if (first) this.merges.cut(first.doc, this.log.size)
    l.link.cut(direction)
    for (const host of l.to === NODE ? [l.from] : [l.from, l.to])
      this.partitions.push({ host, link: name, direction, fromEvent: this.log.size, toEvent: null })
    this.actions.emit({ kind: 'cut', link: name, direction })
    this.changed.emit()
  }

  heal(name: string): void {
    const l = this.link(name)
    const faulty = this.isCut(name) !== null || hasFaults(l.link.settings.out)
    l.link.heal()
    for (const p of this.partitions)
      if (p.link === name && p.toEvent === null) p.toEvent = this.log.size
    if (faulty) this.meter.healed(name, this.opts.scheduler.now())
    this.actions.emit({ kind: 'heal', link: name })
    this.observe()
    this.changed.emit()
  }

  setFaults(name: string, faults: Partial<DirectionFaults>): void {
    this.link(name).link.set('both', faults)
    this.actions.emit({ kind: 'faults', link: name, faults })
    this.changed.emit()
  }

  isCut(name: string): Direction | 'both' | null {
    const s = this.link(name).link.settings
    if (s.out.blocked && s.in.blocked) return 'both'
    return s.out.blocked ? 'out' : s.in.blocked ? 'in' : null
  }

  /**
   * This machine's node as a replica of the note: the version its last ACK to any lane said is
   * on its disk, read by that lane; null before the first ACK.
   */
  nodeVersion(): VersionVector | null {
    return this.nodeAck ? this.nodeAck.doc.versionAt(this.nodeAck.version) : null
  }

  versions(): Array<{ name: string; version: VersionVector }> {
    return this.lanes.map((r) => ({ name: r.name, version: r.doc.version() }))
  }

  /** relation[i][j]: how lane i's version relates to lane j's. */
  relations(): Relation[][] {
    const v = this.lanes.map((r) => r.doc.version())
    return v.map((a) => v.map((b) => compare(a, b)))
  }

  verdict(): Verdict {
    return verdictOf(
      this.lanes.map((r) => ({ host: r.name, digest: r.doc.digest(), version: r.doc.version() })),
    )
  }

  /** Every lane holds the same state (versions compared first: they are cheap). */
  converged(): boolean {
    const [first, ...rest] = this.lanes
    if (!first) return true
    const v = first.doc.version()
    if (!rest.every((l) => equals(l.doc.version(), v))) return false
    const d = first.doc.digest()
    return rest.every((l) => l.doc.digest() === d)
  }

  /** Ends a heal measurement, and a partition, once the lanes are equal again. */
  private observe(): void {
    if (!this.meter.measuring && !this.merges.inPartition) return
    if (!this.converged()) return
    this.meter.converged(this.opts.scheduler.now())
    if (this.links.every((l) => this.isCut(l.name) === null)) this.merges.healed()
  }

  /** From now on the merge report measures against the first lane as it is now. */
  markBase(): void {
    const first = this.lanes[0]
    if (first) this.merges.mark(first.doc, this.log.size)
  }

  /** Who contributed what since the replicas last agreed before the latest partition. */
  mergeReport(): MergeReport {
    const first = this.lanes[0]
    if (!first) return { spans: [], contributions: [], conflicts: 0 }
    return this.merges.report(
      first.doc,
      this.log,
      this.lanes.map((l) => l.name),
    )
  }

  shiviz(): string {
    return toShiViz(this.log.all())
  }

  json(): string {
    return JSON.stringify(
      { topology: this.topology, events: this.log.all(), partitions: this.partitions },
      null,
      1,
    )
  }

  destroy(): void {
    this.destroyed = true
    for (const off of this.offs) off()
    for (const close of this.closers.reverse()) close()
  }
}

function hasFaults(f: Readonly<DirectionFaults>): boolean {
  return f.loss > 0 || f.duplicate > 0 || f.reorder > 0 || f.delayMs > 0 || f.jitterMs > 0
}
