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
  private commitCount = 0
  private readonly hostCounts = new Map<string, number>()

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
    if (e.kind === 'commit') this.commitCount++
    this.hostCounts.set(host, (this.hostCounts.get(host) ?? 0) + 1)
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

  /** How many events are local edits and how many remote applies. */
  get counts(): { commits: number; applies: number } {
    return { commits: this.commitCount, applies: this.events.length - this.commitCount }
  }

  /** Per host, how many events it has had. */
  perHost(): Record<string, number> {
    return Object.fromEntries(this.hostCounts)
  }

  /**
   * The commit that made `actor`'s counter reach `seq` (Yjs: one past the character's clock;
   * Automerge: the change's sequence number); null if the Lab did not see it happen.
   */
  commitFor(actor: string, seq: number): LabEvent | null {
    const list = this.commits.get(actor)
    if (!list) return null
    const i = firstAtLeast(list, seq)
    const hit = list[i]
    if (!hit) return null
    const event = this.events[hit[1]] as LabEvent
    return (event.deps[actor] ?? 0) < seq ? event : null
  }

  /** Events that happened before `id` (its causal past), by vector clock. */
  causalPast(id: number): Set<number> {
    return this.around(id).past
  }

  /** Events neither before nor after `id`. */
  concurrentWith(id: number): Set<number> {
    return this.around(id).concurrent
  }

  /** Both at once, in one pass: what happened before `id` and what is concurrent with it. */
  around(id: number): { past: Set<number>; concurrent: Set<number> } {
    const e = this.events[id]
    const past = new Set<number>()
    const concurrent = new Set<number>()
    if (!e) return { past, concurrent }
    for (const o of this.events) {
      if (o.id === id) continue
      if (happenedBefore(o, e)) past.add(o.id)
      else if (!happenedBefore(e, o)) concurrent.add(o.id)
    }
    return { past, concurrent }
  }

  /** Commits whose dot `deps → version` newly covers. */
  private delivered(deps: VersionVector, version: VersionVector): number[] {
    const out: number[] = []
    for (const actor in version) {
      const from = deps[actor] ?? 0
      const to = version[actor] ?? 0
      if (to <= from) continue
      const list = this.commits.get(actor) ?? []
      for (let i = firstAtLeast(list, from + 1); i < list.length; i++) {
        const [counter, id] = list[i] as [number, number]
        if (counter > to) break
        out.push(id)
      }
    }
    return out.sort((a, b) => a - b)
  }
}

/** Index of the first entry whose counter is at least `counter` (entries sorted by counter). */
function firstAtLeast(list: ReadonlyArray<readonly [number, number]>, counter: number): number {
  let lo = 0
  let hi = list.length
  while (lo < hi) {
    const mid = (lo + hi) >>> 1
    if ((list[mid] as readonly [number, number])[0] < counter) lo = mid + 1
    else hi = mid
  }
  return lo
}

function mergeClock(a: HostClock, b: HostClock): Record<string, number> {
  const out: Record<string, number> = { ...a }
  for (const k in b) out[k] = Math.max(out[k] ?? 0, b[k] ?? 0)
  return out
}

/**
 * Event a happened before event b. Each host's clock entry counts that host's events, so it is
 * enough to ask whether b had seen a's own tick: O(1), where comparing whole clocks is O(hosts).
 */
export function happenedBefore(a: LabEvent, b: LabEvent): boolean {
  return a.id !== b.id && (a.clock[a.host] ?? 0) <= (b.clock[a.host] ?? 0)
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
