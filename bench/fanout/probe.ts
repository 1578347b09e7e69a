/**
 * Preloaded (`--import`) into every server process the relay fan-out benchmark starts, Lattice
 * and stock alike, and driven over IPC:
 * - 'memory': two full collections, then `process.memoryUsage()` and V8's resident heap, so
 *   both servers' memory is read the same way after the same collection;
 * - 'stalls-on' / 'stalls-off': count event-loop delay and GC pauses only between the two
 *   (while this server's clients type); 'stalls' reports them so far;
 * - 'heap-snapshot:<file>': writes one there (LATTICE_FANOUT_HEAP_SNAPSHOT_DIR: one at every memory reading), and 'heap-spaces' reports V8's heap spaces, for
 *   investigating a result by hand.
 * It does nothing else, and ends the server when the benchmark goes away.
 */
import { createHistogram, PerformanceObserver } from 'node:perf_hooks'
import { getHeapSpaceStatistics, getHeapStatistics, writeHeapSnapshot } from 'node:v8'
import type { MemoryReading, StallReading } from './servers'

const TICK_MS = 5
const send = process.send?.bind(process)
const gc = globalThis.gc

if (send) {
  // Event-loop delay: how late a 5 ms timer fires, recorded (in µs) only while counting.
  // (monitorEventLoopDelay, disabled and enabled again, counts the pause as one long delay.)
  const loop = createHistogram()
  let counting = false
  let last = performance.now()
  setInterval(() => {
    const now = performance.now()
    if (counting) loop.record(Math.max(1, Math.round((now - last - TICK_MS) * 1000)))
    last = now
  }, TICK_MS).unref()
  let gcMs = 0
  let gcMaxMs = 0
  let readings = 0
  new PerformanceObserver((list) => {
    if (!counting) return
    for (const entry of list.getEntries()) {
      gcMs += entry.duration
      gcMaxMs = Math.max(gcMaxMs, entry.duration)
    }
  }).observe({ entryTypes: ['gc'] })

  process.on('message', (message: unknown) => {
    if (typeof message === 'string' && message.startsWith('heap-snapshot:')) {
      gc?.()
      send({ snapshot: writeHeapSnapshot(message.slice('heap-snapshot:'.length)) })
    } else if (message === 'memory') {
      gc?.()
      gc?.()
      // For investigating a result by hand: a heap snapshot at every memory reading.
      const snapshots = process.env.LATTICE_FANOUT_HEAP_SNAPSHOT_DIR
      if (snapshots) writeHeapSnapshot(`${snapshots}/${process.pid}-${++readings}.heapsnapshot`)
      const m = process.memoryUsage()
      const reply: MemoryReading = {
        rss: m.rss,
        heapUsed: m.heapUsed,
        heapResident: getHeapStatistics().total_physical_size,
        external: m.external,
      }
      send(reply)
    } else if (message === 'heap-spaces') {
      const spaces = getHeapSpaceStatistics().map((s) => ({
        space: s.space_name,
        used: s.space_used_size,
        resident: s.physical_space_size,
      }))
      send({ spaces })
    } else if (message === 'stalls-on') {
      counting = true
      last = performance.now()
      send({ stalls: 'on' })
    } else if (message === 'stalls-off') {
      counting = false
      send({ stalls: 'off' })
    } else if (message === 'stalls') {
      const reply: StallReading = {
        loopP99Ms: loop.count > 0 ? loop.percentile(99) / 1e3 : 0,
        loopMaxMs: loop.count > 0 ? loop.max / 1e3 : 0,
        gcMs,
        gcMaxMs,
      }
      send(reply)
    }
  })
  // A server orphaned by a benchmark that crashed or was interrupted does not linger.
  process.on('disconnect', () => process.exit(0))
}
