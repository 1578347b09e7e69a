/** What it took to converge after links healed, measured from the frames the links carried. */
export interface HealCost {
  /** The links healed before it converged, in order. */
  readonly links: readonly string[]
  /** Milliseconds from the last heal (the one that let it converge) to convergence. */
  readonly ms: number
  /** Milliseconds from the first of those heals. */
  readonly msSinceFirst: number
  /** Sync frames of this document across the Lab's links, both directions, and their bytes. */
  readonly frames: number
  readonly bytes: number
  /**
   * One-way trips on the busiest link: runs of frames in one direction. A request and its
   * reply are two; it counts the waits, where frames only count the messages.
   */
  readonly trips: number
}

interface Open {
  links: string[]
  first: number
  last: number
  frames: number
  bytes: number
  /** Per link: the direction of its last frame and the runs so far. */
  runs: Map<string, { last: 'sent' | 'received'; count: number }>
}

/**
 * Measures heals: opens at a heal, counts every sync frame of the document on the Lab's links,
 * closes when the replicas converge. Heals while open join the same measurement.
 */
export class HealMeter {
  private open: Open | null = null
  private lastCost: HealCost | null = null

  get measuring(): boolean {
    return this.open !== null
  }

  get last(): HealCost | null {
    return this.lastCost
  }

  healed(link: string, now: number): void {
    if (!this.open)
      this.open = { links: [], first: now, last: now, frames: 0, bytes: 0, runs: new Map() }
    this.open.links.push(link)
    this.open.last = now
  }

  frame(link: string, direction: 'sent' | 'received', bytes: number): void {
    const o = this.open
    if (!o) return
    o.frames++
    o.bytes += bytes
    const run = o.runs.get(link)
    if (!run) o.runs.set(link, { last: direction, count: 1 })
    else if (run.last !== direction) {
      run.last = direction
      run.count++
    }
  }

  /** The replicas are equal: the open measurement, if any, ends here. */
  converged(now: number): HealCost | null {
    const o = this.open
    if (!o) return null
    this.open = null
    let trips = 0
    for (const r of o.runs.values()) trips = Math.max(trips, r.count)
    this.lastCost = {
      links: o.links,
      ms: now - o.last,
      msSinceFirst: now - o.first,
      frames: o.frames,
      bytes: o.bytes,
      trips,
    }
    return this.lastCost
  }
}

/** "84 ms after the heal, 6 sync frames in 3 trips, 1.2 kB". */
export function describeHealCost(c: HealCost): string {
  const since =
    c.links.length > 1 ? ` (${c.msSinceFirst} ms after the first of ${c.links.length})` : ''
  const kb = c.bytes < 1024 ? `${c.bytes} B` : `${(c.bytes / 1024).toFixed(1)} kB`
  return `${Math.round(c.ms)} ms after the heal${since}, ${c.frames} sync frames in ${c.trips} trips, ${kb}`
}
