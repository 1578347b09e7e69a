import type { CausalEvent, Dot } from '../engine/types'
import type { LinkId } from '../ids'
import type { VersionVector } from '../vv/version-vector'

/** Events per host: the clock ShiViz draws, one tick per event on its own host. */
export type HostClock = Readonly<Record<string, number>>

/** One dot in the space-time diagram: a local edit or a remote apply on one replica. */
export interface LabEvent {
  /** Position in the log. */
  readonly id: number
  readonly host: string
  readonly kind: 'commit' | 'apply'
  readonly dot: Dot | null
  /** The engine version before and after this event. */
  readonly deps: VersionVector
  readonly version: VersionVector
  readonly link: LinkId | null
  /** Updates waiting on a missing dependency after this event. */
  readonly held: number
  readonly summary: string
  readonly time: number
  readonly clock: HostClock
  /** For an apply: the commits (event ids, on other hosts) it delivered; the diagram's arrows. */
  readonly delivers: readonly number[]
}

/**
 * The causal history of one document across replicas, as the Lab records it: every commit and
 * apply, with a vector clock per host (so "happened before" is exact and exportable) and the
 * commits each apply delivered (so messages can be drawn as arrows).
 */
export class LabLog {
  private readonly events: LabEvent[] = []
  private readonly clocks = new Map<string, HostClock>()
  /** Per engine actor, its commits in counter order: [counter, event id]. */
  private readonly commits = new Map<string, Array<[number, number]>>()

  add(host: string, e: CausalEvent, time: number): LabEvent {
    const id = this.events.length
    const delivers = e.kind === 'apply' ? this.delivered(e.deps, e.version) : []
    let clock: Record<string, number> = { ...(this.clocks.get(host) ?? {}) }
    for (const d of delivers) clock = mergeClock(clock, (this.events[d] as LabEvent).clock)
    clock[host] = (clock[host] ?? 0) + 1
    this.clocks.set(host, clock)
    const event: LabEvent = {
      id,
      host,
      kind: e.kind,
      dot: e.dot,
      deps: e.deps,
      version: e.version,
      link: e.link,
      held: e.held,
      summary: e.summary,
      time,
      clock,
      delivers,
    }
    this.events.push(event)
    if (e.kind === 'commit' && e.dot) {
      const list = this.commits.get(e.dot.actor) ?? []
      list.push([e.dot.counter, id])
      this.commits.set(e.dot.actor, list)
    }
    return event
  }

  all(): readonly LabEvent[] {
    return this.events
  }

  get size(): number {
    return this.events.length
  }

  /** Events that happened before `id` (its causal past), by vector clock. */
  causalPast(id: number): Set<number> {
    const e = this.events[id]
    const out = new Set<number>()
    if (!e) return out
    for (const other of this.events)
      if (other.id !== id && before(other.clock, e.clock)) out.add(other.id)
    return out
  }

  /** Events neither before nor after `id`. */
  concurrentWith(id: number): Set<number> {
    const e = this.events[id]
    const out = new Set<number>()
    if (!e) return out
    for (const o of this.events)
      if (o.id !== id && !before(o.clock, e.clock) && !before(e.clock, o.clock)) out.add(o.id)
    return out
  }

  /** Commits whose dot `deps → version` newly covers. */
  private delivered(deps: VersionVector, version: VersionVector): number[] {
    const out: number[] = []
    for (const actor in version) {
      const from = deps[actor] ?? 0
      const to = version[actor] ?? 0
      if (to <= from) continue
      for (const [counter, id] of this.commits.get(actor) ?? [])
        if (counter > from && counter <= to) out.push(id)
    }
    return out.sort((a, b) => a - b)
  }
}

function mergeClock(a: HostClock, b: HostClock): Record<string, number> {
  const out: Record<string, number> = { ...a }
  for (const k in b) out[k] = Math.max(out[k] ?? 0, b[k] ?? 0)
  return out
}

/** a happened before b: a ≤ b pointwise and a ≠ b. */
export function before(a: HostClock, b: HostClock): boolean {
  let strictly = false
  for (const k in a) {
    const av = a[k] ?? 0
    const bv = b[k] ?? 0
    if (av > bv) return false
    if (av < bv) strictly = true
  }
  for (const k in b) if (!(k in a) && (b[k] ?? 0) > 0) strictly = true
  return strictly
}
