import type { EngineKind, NoteDoc } from '../../shared/engine/types'
import { linkId, randomId, replicaId, type DocId } from '../../shared/ids'
import { LabLog } from '../../shared/lab/lab-log'
import { toShiViz } from '../../shared/lab/shiviz'
import { verdictOf, type Verdict } from '../../shared/lab/verdict'
import { DialerLink, type Dial } from '../../shared/sync/dialer-link'
import { FaultyLink, type Direction, type DirectionFaults } from '../../shared/sync/faulty-link'
import { realScheduler } from '../../shared/sync/link'
import { Replica } from '../../shared/sync/replica'
import { Emitter, type Unsubscribe } from '../../shared/util/emitter'
import { Rng } from '../../shared/util/rng'
import { compare, type Relation, type VersionVector } from '../../shared/vv/version-vector'

/** One replica the Lab watches: its document and its one (faulty) link to the node. */
export interface LabReplica {
  readonly name: string
  readonly doc: NoteDoc
  readonly link: FaultyLink
  /** Created by the Lab (its own editor); false for the window the Lab opened in. */
  readonly own: boolean
}

/** A span of time a link was cut, for shading the diagram. */
export interface Partition {
  readonly host: string
  readonly direction: Direction | 'both'
  readonly fromEvent: number
  toEvent: number | null
}

export interface LabOptions {
  doc: DocId
  engine: EngineKind
  url: string
  token?: string
  dial: Dial
  /** The window the Lab opens in, joined as the first replica. */
  window: { name: string; doc: NoteDoc; link: FaultyLink }
  /** How many Lab windows to open beside it. */
  extra: number
}

const LANE_NAMES = ['Lab B', 'Lab C', 'Lab D', 'Lab E']

/**
 * The Lab's world: this window plus Lab windows, each a real replica of the note with its own
 * link to the node, every link a FaultyLink the switches drive, every causal event recorded.
 */
export class LabWorld {
  readonly log = new LabLog()
  readonly replicas: LabReplica[] = []
  readonly partitions: Partition[] = []
  private readonly changed = new Emitter<void>()
  private readonly offs: Unsubscribe[] = []
  private readonly owned: Array<{ replica: Replica; dialer: DialerLink }> = []

  constructor(private readonly opts: LabOptions) {
    this.watch({ ...opts.window, own: false })
    for (let i = 0; i < opts.extra; i++) this.addWindow(LANE_NAMES[i] ?? `Lab ${i + 2}`)
  }

  private addWindow(name: string): void {
    const id = replicaId(`lab-${randomId()}`)
    const replica = new Replica({ id, mode: 'partial' })
    const dialer = new DialerLink({
      url: this.opts.url,
      token: this.opts.token,
      dial: this.opts.dial,
      id: linkId(`${id}-node`),
      backoff: { baseMs: 100, capMs: 2_000 },
    })
    const link: FaultyLink = new FaultyLink(dialer, {
      rng: new Rng((Math.random() * 2 ** 32) >>> 0),
      scheduler: realScheduler,
      bounce: () => dialer.reconnect('resync after the link was cut'),
    })
    replica.attach(link)
    const doc = replica.open(this.opts.doc, this.opts.engine)
    this.owned.push({ replica, dialer })
    this.watch({ name, doc, link, own: true })
  }

  private watch(r: LabReplica): void {
    this.replicas.push(r)
    this.offs.push(
      r.doc.onCausal((e) => {
        this.log.add(r.name, e, Date.now())
        this.changed.emit()
      }),
    )
  }

  onChange(listener: () => void): Unsubscribe {
    return this.changed.on(listener)
  }

  cut(index: number, direction: Direction | 'both'): void {
    const r = this.replicas[index]
    if (!r) return
    r.link.cut(direction)
    this.partitions.push({ host: r.name, direction, fromEvent: this.log.size, toEvent: null })
    this.changed.emit()
  }

  heal(index: number): void {
    const r = this.replicas[index]
    if (!r) return
    r.link.heal()
    for (const p of this.partitions)
      if (p.host === r.name && p.toEvent === null) p.toEvent = this.log.size
    this.changed.emit()
  }

  setFaults(index: number, faults: Partial<DirectionFaults>): void {
    this.replicas[index]?.link.set('both', faults)
    this.changed.emit()
  }

  isCut(index: number): Direction | 'both' | null {
    const s = this.replicas[index]?.link.settings
    if (!s) return null
    if (s.out.blocked && s.in.blocked) return 'both'
    return s.out.blocked ? 'out' : s.in.blocked ? 'in' : null
  }

  versions(): Array<{ name: string; version: VersionVector }> {
    return this.replicas.map((r) => ({ name: r.name, version: r.doc.version() }))
  }

  /** relation[i][j]: how replica i's version relates to replica j's. */
  relations(): Relation[][] {
    const v = this.replicas.map((r) => r.doc.version())
    return v.map((a) => v.map((b) => compare(a, b)))
  }

  verdict(): Verdict {
    return verdictOf(
      this.replicas.map((r) => ({
        host: r.name,
        digest: r.doc.digest(),
        version: r.doc.version(),
      })),
    )
  }

  shiviz(): string {
    return toShiViz(this.log.all())
  }

  json(): string {
    return JSON.stringify({ events: this.log.all(), partitions: this.partitions }, null, 1)
  }

  destroy(): void {
    for (const off of this.offs) off()
    for (const { replica, dialer } of this.owned) {
      dialer.close(1000, 'Lab closed')
      replica.destroy()
    }
  }
}
