import path from 'node:path'
import type { Benchmark } from './lib/benchmark'
import { progress } from './lib/benchmark'
import { median, runInFreshProcess } from './lib/measure'
import { ratioAtMost, row, valueBelow, type Row } from './lib/results'
import { SEQUENTIAL_TRACES, TRACE_ATTRIBUTION, type SequentialTraceName } from './lib/traces'
import { BASELINE_OF, VARIANTS, type VariantName } from './trace-variants'
import type { Repetition, WorkerResult } from './trace-worker'

const NAME = 'trace-replay'
const WORKER = path.resolve(import.meta.dirname, 'trace-worker.ts')
/**
 * The machine may be busy with other work, so variants run interleaved in ROUNDS rounds of
 * fresh processes (raw, Lattice, raw, Lattice, ...); a child slower than SLOW_CHILD_MS runs in
 * the first round only. Each child repeats the replay while under CHILD_BUDGET_MS (2 to
 * CHILD_MAX_REPS times).
 */
const ROUNDS = 5
const SLOW_CHILD_MS = 20_000
const CHILD_MAX_REPS = 3
const CHILD_BUDGET_MS = 10_000

const TIME_TARGET = ratioAtMost(1.1)
const MEMORY_TARGET = ratioAtMost(1.1)
const YJS_P99_TARGET_US = valueBelow(1000)

const isNum = (v: unknown): v is number => typeof v === 'number' && Number.isFinite(v)
const isRecord = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null

function isRepetition(v: unknown): v is Repetition {
  return isRecord(v) && isNum(v.wallMs) && isNum(v.cpuMs) && isNum(v.p99Us)
}

function isWorkerResult(v: unknown): v is WorkerResult {
  return (
    isRecord(v) &&
    typeof v.trace === 'string' &&
    typeof v.variant === 'string' &&
    isNum(v.edits) &&
    Array.isArray(v.reps) &&
    v.reps.length > 0 &&
    v.reps.every(isRepetition) &&
    ['updateBytes', 'encodedBytes', 'rssDeltaMB', 'liveDeltaMB', 'heapDeltaMB'].every((k) =>
      isNum(v[k]),
    )
  )
}

/** One variant's numbers: timings are the best over every repetition of every child. */
interface VariantNumbers {
  readonly edits: number
  /** Range of the targeted memory figure over the processes, to show its noise. */
  readonly memoryRange: readonly [number, number]
  readonly children: number
  readonly reps: number
  readonly metrics: ReadonlyArray<{ metric: string; unit: string; value: number }>
}

function numbersOf(runs: readonly WorkerResult[]): VariantNumbers {
  const first = runs[0]
  if (!first) throw new Error('numbersOf: no runs')
  const reps = runs.flatMap((r) => r.reps)
  const best = (f: (rep: Repetition) => number) => Math.min(...reps.map(f))
  /** Memory: the median over the fresh processes. */
  const mid = (f: (r: WorkerResult) => number) => median(runs.map(f))
  const live = runs.map((r) => r.liveDeltaMB)
  return {
    edits: first.edits,
    memoryRange: [Math.min(...live), Math.max(...live)],
    children: runs.length,
    reps: reps.length,
    metrics: [
      { metric: 'total time', unit: 'ms', value: best((x) => x.wallMs) },
      { metric: 'CPU time', unit: 'ms', value: best((x) => x.cpuMs) },
      { metric: 'p99 per edit', unit: 'µs', value: best((x) => x.p99Us) },
      { metric: 'update bytes', unit: 'B', value: first.updateBytes },
      { metric: 'encoded size', unit: 'B', value: first.encodedBytes },
      { metric: 'RSS delta', unit: 'MB', value: mid((r) => r.rssDeltaMB) },
      {
        metric: 'RSS delta excl. V8 heap slack',
        unit: 'MB',
        value: median(live),
      },
      { metric: 'heap used delta', unit: 'MB', value: mid((r) => r.heapDeltaMB) },
    ],
  }
}

async function runChild(trace: SequentialTraceName, variant: VariantName): Promise<WorkerResult> {
  const args = [trace, variant, String(CHILD_MAX_REPS), String(CHILD_BUDGET_MS)]
  const out = await runInFreshProcess(WORKER, args)
  if (!isWorkerResult(out) || out.trace !== trace || out.variant !== variant)
    throw new Error(`${trace} / ${variant}: unexpected worker output ${JSON.stringify(out)}`)
  return out
}

/** Every variant's child runs, interleaved round by round. */
async function measureTrace(trace: SequentialTraceName): Promise<Map<VariantName, VariantNumbers>> {
  const runs = new Map<VariantName, WorkerResult[]>(VARIANTS.map((v) => [v, []]))
  const slow = new Set<VariantName>()
  for (let round = 0; round < ROUNDS; round++) {
    for (const variant of VARIANTS) {
      if (slow.has(variant)) continue
      const t0 = performance.now()
      const out = await runChild(trace, variant)
      const ms = performance.now() - t0
      if (ms > SLOW_CHILD_MS) slow.add(variant)
      runs.get(variant)?.push(out)
      progress(
        NAME,
        `${trace} / ${variant}, round ${round + 1}: ${out.reps.length} repetitions, best ` +
          `${Math.min(...out.reps.map((r) => r.wallMs)).toFixed(0)} ms (${(ms / 1000).toFixed(1)} s)`,
      )
    }
  }
  return new Map(Array.from(runs, ([v, r]) => [v, numbersOf(r)]))
}

function targetFor(variant: VariantName, metric: string) {
  const lattice = BASELINE_OF[variant] !== undefined
  if (metric === 'p99 per edit' && variant.endsWith('-yjs')) return YJS_P99_TARGET_US
  if (lattice && metric === 'total time') return TIME_TARGET
  if (lattice && metric === 'RSS delta excl. V8 heap slack') return MEMORY_TARGET
  return undefined
}

function rowsFor(
  trace: SequentialTraceName,
  results: ReadonlyMap<VariantName, VariantNumbers>,
): Row[] {
  const rows: Row[] = []
  for (const variant of VARIANTS) {
    const numbers = results.get(variant)
    if (!numbers) continue
    const raw = BASELINE_OF[variant]
    const rawNumbers = raw ? results.get(raw) : undefined
    for (const { metric, unit, value } of numbers.metrics) {
      const baseline = rawNumbers?.metrics.find((m) => m.metric === metric)?.value ?? null
      rows.push(
        row(`${trace} · ${variant} · ${metric}`, value, unit, {
          baseline,
          target: targetFor(variant, metric),
        }),
      )
    }
  }
  return rows
}

export const traceReplay: Benchmark = {
  name: NAME,
  title: 'Trace replay: one commit per trace transaction (Lattice engine layer vs raw library)',
  async run() {
    const rows: Row[] = []
    const reps: string[] = []
    for (const trace of SEQUENTIAL_TRACES) {
      const results = await measureTrace(trace)
      rows.push(...rowsFor(trace, results))
      for (const variant of VARIANTS) {
        const n = results.get(variant)
        if (!n) continue
        const [lo, hi] = n.memoryRange
        reps.push(
          `${trace} / ${variant}: ${n.edits.toLocaleString('en-US')} transactions, ${n.reps} ` +
            `repetitions in ${n.children} processes; RSS excl. heap slack ${lo.toFixed(1)} to ${hi.toFixed(1)} MB`,
        )
      }
    }
    return {
      rows,
      notes: [
        'Variants run interleaved in fresh Node processes. Times: best over all repetitions (wall;',
        'CPU = user + system of the whole process). Memory: median over the processes of the',
        'first repetition (gc() before and after; deltas from the parsed trace). "excl. V8 heap',
        'slack" = ΔRSS − Δ(V8 heap resident) + Δ(heap used): it drops the committed-but-free heap',
        'V8 keeps (its young generation alone grows by up to 32 MB when a program allocates fast);',
        'the memory target applies to it. The ranges below show its spread over the processes.',
        'Baseline of lattice-yjs is raw-yjs; of lattice-automerge, raw-automerge.',
        ...reps,
        TRACE_ATTRIBUTION,
      ],
    }
  },
}
