import type { Scheduler } from './link'

/** Deterministic simulated time: timers run in (time, insertion) order when `run` is called. */
export class VirtualScheduler implements Scheduler {
  private time = 0
  private seq = 0
  private queue: Array<{ at: number; seq: number; fn: () => void; cancelled: boolean }> = []

  now(): number {
    return this.time
  }

  after(ms: number, fn: () => void): () => void {
    const task = { at: this.time + Math.max(0, ms), seq: this.seq++, fn, cancelled: false }
    // Binary insertion keeps the queue sorted by (at, seq).
    let lo = 0
    let hi = this.queue.length
    while (lo < hi) {
      const mid = (lo + hi) >>> 1
      const m = this.queue[mid]!
      if (m.at < task.at || (m.at === task.at && m.seq < task.seq)) lo = mid + 1
      else hi = mid
    }
    this.queue.splice(lo, 0, task)
    return () => {
      task.cancelled = true
    }
  }

  get pending(): number {
    return this.queue.length
  }

  /** Runs one due task; false when nothing is queued. */
  step(): boolean {
    const task = this.queue.shift()
    if (!task) return false
    this.time = Math.max(this.time, task.at)
    if (!task.cancelled) task.fn()
    return true
  }

  /** Runs until idle or `maxSteps`; returns the steps taken (=== maxSteps means not idle). */
  run(maxSteps = 1_000_000): number {
    let n = 0
    while (n < maxSteps && this.step()) n++
    return n
  }

  /** Runs every task due up to `now() + ms`, then advances the clock to it. */
  advance(ms: number): void {
    const until = this.time + ms
    while (this.queue.length > 0 && this.queue[0]!.at <= until) this.step()
    this.time = until
  }
}
