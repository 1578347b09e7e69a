import { describe, expect, it } from 'vitest'
import { ENGINES } from '../../../shared/engine/types'
import { runScript, type LabStep } from '../../../shared/lab/script'
import { star } from '../../../shared/lab/topology'
import { labWorld } from './lab-fixture'

const A = 'A'
const B = 'B'

/** Both lose the node, A makes `edits` edits and B one, both heal. */
function splitBrain(edits: number): LabStep[] {
  return [
    { kind: 'type', lane: A, text: 'base' },
    { kind: 'settle' },
    { kind: 'cut', link: 'A–node', direction: 'both' },
    { kind: 'cut', link: 'B–node', direction: 'both' },
    { kind: 'scribble', lane: A, edits, seed: 7 },
    { kind: 'type', lane: B, text: '!' },
    { kind: 'heal', link: 'A–node' },
    { kind: 'heal', link: 'B–node' },
    { kind: 'settle' },
  ]
}

for (const engine of ENGINES) {
  describe(`heal cost (${engine})`, () => {
    it('measures a heal from the links: time to converge, sync frames, trips and bytes', async () => {
      const { world, clock } = labWorld(engine, star([A, B]))
      const result = await runScript(world, splitBrain(3), clock)
      expect(result.verdict).toEqual({ kind: 'converged' })
      const cost = world.meter.last
      expect(cost).not.toBeNull()
      expect(cost?.links).toEqual(['A–node', 'B–node'])
      expect(cost?.frames).toBeGreaterThan(0)
      expect(cost?.bytes).toBeGreaterThan(0)
      expect(cost?.trips).toBeGreaterThanOrEqual(1)
      expect(cost?.ms).toBeGreaterThanOrEqual(0)
      expect(cost?.msSinceFirst).toBeGreaterThanOrEqual(cost?.ms ?? 0)
    })

    it('costs what differs: more edits while cut cost more bytes, not a frame per edit', async () => {
      const small = labWorld(engine, star([A, B]))
      await runScript(small.world, splitBrain(2), small.clock)
      const big = labWorld(engine, star([A, B]))
      await runScript(big.world, splitBrain(120), big.clock)
      const s = small.world.meter.last
      const b = big.world.meter.last
      expect(b?.bytes).toBeGreaterThan(s?.bytes ?? Infinity)
      expect(b?.frames).toBeLessThan(40)
    })

    it('measures nothing when a link that was whole is healed', async () => {
      const { world, clock } = labWorld(engine, star([A, B]))
      await runScript(world, [{ kind: 'type', lane: A, text: 'x' }, { kind: 'settle' }], clock)
      world.heal('A–node')
      expect(world.meter.measuring).toBe(false)
      expect(world.meter.last).toBeNull()
    })
  })
}
