import { expect, it } from 'vitest'
import { runScenario } from './sim-scenario'

/**
 * The default `npm test` runs 10,000 scenarios from seed 1, split over the batch files so both
 * cores work. LATTICE_SIM_RUNS=1000000 runs a million (overnight); LATTICE_SIM_BASE moves the
 * first seed; LATTICE_SIM_SEED=n replays one scenario.
 */
const runs = Number(process.env.LATTICE_SIM_RUNS ?? 10_000)
const base = Number(process.env.LATTICE_SIM_BASE ?? 1)
const only = process.env.LATTICE_SIM_SEED
export const BATCHES = 4

export function simulationBatch(batch: number): void {
  const seeds: number[] = []
  if (only !== undefined) {
    if (batch === 0) seeds.push(Number(only))
  } else for (let s = base + batch; s < base + runs; s += BATCHES) seeds.push(s)
  const label =
    only !== undefined
      ? `seed ${only}`
      : `${seeds.length} seeded scenarios (seeds ${base + batch}, ${base + batch + BATCHES}, … below ${base + runs})`
  it.runIf(seeds.length > 0)(
    `2–8 replicas on both engines converge with no lost or duplicated edit, causal order and quiescence, under link faults and crashes: ${label}`,
    () => {
      let edits = 0
      let crashes = 0
      for (const seed of seeds) {
        const stats = runScenario(seed)
        edits += stats.edits
        crashes += stats.crashes
      }
      console.log(`batch ${batch}: ${seeds.length} scenarios, ${edits} edits, ${crashes} crashes`)
      expect(edits).toBeGreaterThan(seeds.length)
      expect(crashes).toBeGreaterThan(0)
    },
    Math.max(120_000, seeds.length * 1_000),
  )
}
