import { fromBase64, toBase64 } from 'lib0/buffer'
import { isEngineKind, type EngineKind } from '../engine/types'
import type { Unsubscribe } from '../util/emitter'
import type { LabWorld, LaneOptions } from './lab-world'
import type { LabClock, LabStep } from './script'
import { laneSignature } from './signature'
import type { TopologySpec } from './topology'

/** A step as recorded: when (ms from the start) and how many events each lane had had by then. */
export interface RecordedStep {
  readonly step: LabStep
  readonly at: number
  readonly expect: Readonly<Record<string, number>>
}

/** A whole Lab session as data: enough to replay it on fresh replicas. JSON-safe. */
export interface Recording {
  readonly format: 'lattice-lab-recording'
  readonly version: 1
  readonly engine: EngineKind
  readonly topology: TopologySpec
  /** Per lane: its engine actor and its state (base64) when recording began. */
  readonly lanes: ReadonlyArray<{
    readonly name: string
    readonly actor: string
    readonly initial: string
  }>
  /** Fault seeds of the links the Lab made (the window's own link has none to give). */
  readonly seeds: Readonly<Record<string, number>>
  readonly steps: readonly RecordedStep[]
  /** What it came to: each lane's text and what the diagram drew per lane. */
  readonly final: {
    readonly texts: Readonly<Record<string, string>>
    readonly signature: Readonly<Record<string, readonly string[]>>
  }
}

/** Records a Lab session from now: edits with positions and text, and every switch thrown. */
export class Recorder {
  private readonly steps: RecordedStep[] = []
  private readonly start: number
  private readonly startEvent: number
  private readonly startCounts: Record<string, number>
  private readonly lanes: Recording['lanes']
  private readonly offs: Unsubscribe[]

  constructor(
    private readonly world: LabWorld,
    private readonly clock: LabClock,
  ) {
    this.start = clock.now()
    this.startEvent = world.log.size
    this.startCounts = world.log.perHost()
    this.lanes = world.lanes.map((l) => ({
      name: l.name,
      actor: l.doc.actor,
      initial: toBase64(l.doc.encodeState()),
    }))
    this.offs = [
      // The edit's own commit is already in the log; the step comes before it.
      world.edits.on(({ lane, edit }) => this.push({ kind: 'edit', lane, ops: edit.ops }, lane)),
      world.actions.on((a) => this.push(a)),
    ]
  }

  get size(): number {
    return this.steps.length
  }

  private push(step: LabStep, ownCommitOf?: string): void {
    const expect = this.counts()
    if (ownCommitOf) expect[ownCommitOf] = (expect[ownCommitOf] ?? 1) - 1
    this.steps.push({ step, at: this.clock.now() - this.start, expect })
  }

  /** Events per lane since recording began. */
  private counts(): Record<string, number> {
    const now = this.world.log.perHost()
    const out: Record<string, number> = {}
    for (const l of this.world.lanes)
      out[l.name] = (now[l.name] ?? 0) - (this.startCounts[l.name] ?? 0)
    return out
  }

  stop(): Recording {
    for (const off of this.offs) off()
    const w = this.world
    const seeds: Record<string, number> = {}
    for (const l of w.links) if (l.seed !== null) seeds[l.name] = l.seed
    return {
      format: 'lattice-lab-recording',
      version: 1,
      engine: w.opts.engine,
      topology: w.topology,
      lanes: this.lanes,
      seeds,
      steps: this.steps,
      final: {
        texts: Object.fromEntries(w.lanes.map((l) => [l.name, l.doc.text()])),
        signature: laneSignature(w.log.all().slice(this.startEvent)),
      },
    }
  }
}

/** Reads a recording back from JSON, or says what is wrong with it. */
export function parseRecording(json: string): Recording {
  const r = JSON.parse(json) as Partial<Recording>
  if (r.format !== 'lattice-lab-recording' || r.version !== 1)
    throw new Error('not a Lattice Lab recording (format lattice-lab-recording, version 1)')
  if (
    !isEngineKind(r.engine) ||
    !r.topology ||
    !Array.isArray(r.lanes) ||
    !Array.isArray(r.steps) ||
    !r.final
  )
    throw new Error('the recording is missing its engine, topology, lanes, steps or final state')
  return r as Recording
}

/**
 * Actor seeds for replaying `actors` on fresh replicas. Engines break ties between concurrent
 * edits by comparing actors, so the new ones keep the old ones' order: Yjs by client number,
 * Automerge by actor bytes. They start at a random base clear of the actors in `taken`.
 */
export function replaySeeds(
  engine: EngineKind,
  actors: readonly string[],
  taken: ReadonlySet<string>,
  random: () => number,
): number[] {
  const key = (a: string) => (engine === 'yjs' ? Number(a) : a)
  const order = actors
    .map((a, i) => ({ a: key(a), i }))
    .sort((x, y) => (x.a < y.a ? -1 : x.a > y.a ? 1 : 0))
  for (;;) {
    const base = 1 + Math.floor(random() * 2 ** 30)
    const seeds: number[] = []
    order.forEach((o, rank) => (seeds[o.i] = base + rank))
    const names = seeds.map((s) =>
      engine === 'yjs' ? String(s) : s.toString(16).padStart(8, '0').repeat(4),
    )
    if (!names.some((n) => taken.has(n))) return seeds
  }
}

/** Lane options that rebuild the recording's starting point with order-keeping actors. */
export function replayLanes(rec: Recording, random: () => number): Record<string, LaneOptions> {
  const taken = new Set(rec.lanes.map((l) => l.actor))
  const seeds = replaySeeds(
    rec.engine,
    rec.lanes.map((l) => l.actor),
    taken,
    random,
  )
  return Object.fromEntries(
    rec.lanes.map((l, i) => [l.name, { actorSeed: seeds[i], initial: fromBase64(l.initial) }]),
  )
}
