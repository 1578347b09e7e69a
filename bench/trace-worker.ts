// Child process of trace-replay.ts: replays one trace with one variant, in a process of its own
// so no other library's allocations show in its memory, and prints one JSON line.
// Usage: node --import tsx --expose-gc bench/trace-worker.ts <trace> <variant> <maxReps> <budgetMs>
import { deltaMB, liveBytes, memoryAfterGc, percentile, timed } from './lib/measure'
import { isSequentialTraceName, loadTrace, type SequentialTrace } from './lib/traces'
import { isVariantName, loadVariant, type Replayer } from './trace-variants'

export interface Repetition {
  readonly wallMs: number
  readonly cpuMs: number
  readonly p99Us: number
}

export interface WorkerResult {
  readonly trace: string
  readonly variant: string
  readonly edits: number
  /** Every repetition's timing; memory and sizes come from the first, in a fresh process. */
  readonly reps: readonly Repetition[]
  readonly updateBytes: number
  readonly encodedBytes: number
  readonly rssDeltaMB: number
  /** RSS delta with V8's heap slack taken out: ΔRSS − Δ(heap resident) + Δ(heap used). */
  readonly liveDeltaMB: number
  readonly heapDeltaMB: number
}

/** Applies every transaction as one commit, timing each into `times` (ms). */
function replay(replayer: Replayer, trace: SequentialTrace, times: Float64Array): Repetition {
  if (trace.startContent.length > 0) replayer.apply({ patches: [[0, 0, trace.startContent]] })
  const { wallMs, cpuMs } = timed(() =>
    trace.txns.forEach((txn, i) => {
      const t0 = performance.now()
      replayer.apply(txn)
      times[i] = performance.now() - t0
    }),
  )
  return { wallMs, cpuMs, p99Us: percentile(times, 99) * 1000 }
}

function verify(replayer: Replayer, trace: SequentialTrace, what: string): void {
  const text = replayer.text()
  if (text === trace.endContent) return
  let i = 0
  while (i < text.length && text[i] === trace.endContent[i]) i++
  throw new Error(
    `${what}: final text differs from endContent at ${i} (length ${text.length} vs ${trace.endContent.length})`,
  )
}

async function main(): Promise<void> {
  const [traceName, variant, maxRepsArg = '1', budgetArg = '0'] = process.argv.slice(2)
  const maxReps = Number(maxRepsArg)
  const budgetMs = Number(budgetArg)
  if (!isSequentialTraceName(traceName) || !isVariantName(variant) || !(maxReps >= 1))
    throw new Error('usage: trace-worker.ts <trace> <variant> <maxReps> <budgetMs>')
  const what = `${traceName} / ${variant}`
  const make = await loadVariant(variant)
  const trace = loadTrace(traceName)
  const times = new Float64Array(trace.txns.length)
  const started = performance.now()

  const before = memoryAfterGc()
  const first = make()
  const reps = [replay(first, trace, times)]
  // The timings' own garbage (the percentile's sorted copy) goes before measuring.
  const after = memoryAfterGc()
  verify(first, trace, what)
  const updateBytes = first.updateBytes()
  const encodedBytes = first.encodedSize()
  first.destroy()

  // Repeat for the better time while the budget lasts (at least twice when maxReps allows).
  while (reps.length < maxReps && (reps.length < 2 || performance.now() - started < budgetMs)) {
    const again = make()
    reps.push(replay(again, trace, times))
    verify(again, trace, what)
    again.destroy()
  }

  const result: WorkerResult = {
    trace: traceName,
    variant,
    edits: trace.txns.length,
    reps,
    updateBytes,
    encodedBytes,
    rssDeltaMB: deltaMB(before, after, (m) => m.rss),
    liveDeltaMB: deltaMB(before, after, liveBytes),
    heapDeltaMB: deltaMB(before, after, (m) => m.heapUsed),
  }
  process.stdout.write(`${JSON.stringify(result)}\n`)
}

await main()
