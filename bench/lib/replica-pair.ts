import { createNote } from '../../shared/engine/create'
import type { NoteDoc } from '../../shared/engine/types'
import { replicaId, type DocId } from '../../shared/ids'
import { FaultyLink } from '../../shared/sync/faulty-link'
import { MemoryLinkPair } from '../../shared/sync/memory-link'
import { Replica } from '../../shared/sync/replica'
import { VirtualScheduler } from '../../shared/sync/virtual-scheduler'
import { Rng } from '../../shared/util/rng'

/** Virtual milliseconds per one-way trip, so elapsed virtual time / (2 × this) = round trips. */
export const ONE_WAY_MS = 1
/** Steps after which a run counts as never going idle (a sync loop). */
const MAX_STEPS = 1_000_000

/** What both replicas sent over the link during one heal. */
export interface Traffic {
  readonly bytes: number
  readonly frames: number
  /** Frames sent, by frame type (hello, digest, bucket, doc, ...). */
  readonly frameTypes: Readonly<Record<string, number>>
  readonly roundTrips: number
}

export interface ReplicaPair {
  readonly a: Replica
  readonly b: Replica
  disconnect(): void
  /** Connects, runs the virtual scheduler until idle, and reports what crossed the link. */
  heal(): Traffic
}

/**
 * Two full replicas over an in-memory link whose `a` end is a `FaultyLink` delaying each
 * direction by ONE_WAY_MS, on a virtual clock. Starts disconnected. Actors are seeded, so a run
 * replays exactly.
 */
export function replicaPair(seed: number): ReplicaPair {
  const scheduler = new VirtualScheduler()
  const replica = (name: string, actorSeed: number) => {
    const id = replicaId(name)
    return new Replica({
      id,
      mode: 'full',
      makeDoc: (doc, engine) => createNote(engine, { id: doc, replica: id, actorSeed }),
    })
  }
  const a = replica('a', 2 * seed + 1)
  const b = replica('b', 2 * seed + 2)
  const pair = new MemoryLinkPair('bench', scheduler)
  const faulty = new FaultyLink(pair.a, { rng: new Rng(seed), scheduler })
  faulty.set('both', { delayMs: ONE_WAY_MS })
  a.attach(faulty)
  b.attach(pair.b)

  let bytes = 0
  let frameTypes: Record<string, number> = {}
  const errors: string[] = []
  for (const r of [a, b]) {
    r.events.on((e) => {
      if (e.type === 'error') errors.push(`${r.id} (${e.side}): ${e.error.message}`)
      if (e.type !== 'traffic' || e.direction !== 'sent') return
      bytes += e.bytes
      frameTypes[e.frame] = (frameTypes[e.frame] ?? 0) + 1
    })
  }

  return {
    a,
    b,
    disconnect: () => pair.disconnect(),
    heal() {
      bytes = 0
      frameTypes = {}
      const t0 = scheduler.now()
      pair.connect()
      if (scheduler.run(MAX_STEPS) >= MAX_STEPS) throw new Error('sync never went idle')
      if (errors.length > 0) throw new Error(`sync errors: ${errors.join('; ')}`)
      const frames = Object.values(frameTypes).reduce((s, n) => s + n, 0)
      return { bytes, frames, frameTypes, roundTrips: (scheduler.now() - t0) / (2 * ONE_WAY_MS) }
    },
  }
}

/** The document as both replicas hold it; throws unless the two copies converged. */
export function converged(pair: ReplicaPair, id: DocId): [NoteDoc, NoteDoc] {
  const x = pair.a.getDoc(id)
  const y = pair.b.getDoc(id)
  if (!x || !y) throw new Error(`${id}: missing on replica ${x ? 'b' : 'a'}`)
  if (x.text() !== y.text()) throw new Error(`${id}: texts differ after heal`)
  if (x.digest() !== y.digest()) throw new Error(`${id}: digests differ after heal`)
  return [x, y]
}

/** Bytes of the two diffs each side actually lacks (the engine's own minimum for this heal). */
export function lackedBytes(x: NoteDoc, y: NoteDoc): number {
  return x.encodeDiff(y.encodeVersion()).length + y.encodeDiff(x.encodeVersion()).length
}

export const describeFrames = (t: Traffic): string =>
  Object.entries(t.frameTypes)
    .map(([type, n]) => `${n} ${type}`)
    .join(', ')
