// `npm run bench [-- <filter>]`: runs every benchmark whose name contains the filter, prints a
// table for each, and writes bench/results/<name>.json.
import path from 'node:path'
import { appLatency } from './app-latency'
import { appStartup } from './app-startup'
import { heal } from './heal'
import { lanHeal } from './lan-heal'
import type { Benchmark } from './lib/benchmark'
import { REPO_ROOT } from './lib/measure'
import { formatTable, targetMet, writeResults, type Row } from './lib/results'
import { notebookDigest } from './notebook-digest'
import { relayFanout } from './relay-fanout'
import { traceReplay } from './trace-replay'

const BENCHMARKS: readonly Benchmark[] = [
  traceReplay,
  heal,
  lanHeal,
  notebookDigest,
  relayFanout,
  appLatency,
  appStartup,
]

async function main(): Promise<void> {
  const filter = process.argv[2] ?? ''
  const selected = BENCHMARKS.filter((b) => b.name.includes(filter))
  if (selected.length === 0) {
    console.error(
      `no benchmark matches "${filter}"; have: ${BENCHMARKS.map((b) => b.name).join(', ')}`,
    )
    process.exitCode = 2
    return
  }
  const checked: Row[] = []
  for (const bench of selected) {
    const started = performance.now()
    const { rows, notes } = await bench.run()
    const file = writeResults(bench.name, rows)
    const seconds = ((performance.now() - started) / 1000).toFixed(1)
    console.log(`\n${formatTable(`${bench.title} [${bench.name}, ${seconds} s]`, rows)}`)
    for (const note of notes) console.log(`  ${note}`)
    console.log(`  → ${path.relative(REPO_ROOT, file)}`)
    checked.push(...rows.filter((r) => targetMet(r) !== null))
  }
  const missed = checked.filter((r) => targetMet(r) === false)
  console.log(`\nTargets: ${checked.length - missed.length} of ${checked.length} met.`)
  for (const r of missed) console.log(`  MISSED: ${r.name}`)
}

await main()
