import { describe, expect, it } from 'vitest'
import { ENGINES } from '../../../shared/engine/types'
import { PRESETS, presetById } from '../../../shared/lab/presets'
import { runScript } from '../../../shared/lab/script'
import { NODE } from '../../../shared/lab/topology'
import { labWorld } from './lab-fixture'

const SEED = Number(process.env.LATTICE_LAB_SEED ?? 42)

for (const engine of ENGINES) {
  describe(`Lab presets (${engine}, seed ${SEED})`, () => {
    for (const preset of PRESETS) {
      it(`${preset.title}: converges through the real links and ends with a verdict and heal cost`, async () => {
        const { world, clock } = labWorld(engine, preset.topology, {}, {})
        const result = await runScript(world, preset.steps(SEED), clock)
        expect(result.verdict, `seed ${SEED}`).toEqual({ kind: 'converged' })
        const texts = Object.values(result.texts)
        expect(new Set(texts).size).toBe(1)
        expect(result.cost?.frames).toBeGreaterThan(0)
      })
    }

    it('chain: A and C converge with no link between them, only through B', async () => {
      const preset = presetById('chain')!
      expect(
        preset.topology.links.some((l) => [l.from, l.to].includes('Lab A') && l.to !== NODE),
      ).toBe(false)
      const { world, clock } = labWorld(engine, preset.topology)
      const steps = preset.steps(SEED)
      const healMiddle = steps.findIndex((s) => s.kind === 'heal' && s.link === 'Lab B–node')
      // Up to healing B's link to the node: B and C agree, A has neither's edits.
      await runScript(world, steps.slice(0, healMiddle), clock)
      const text = (lane: string) => world.lane(lane).doc.text()
      expect(text('Lab B')).toBe(text('Lab C'))
      expect(text('Lab A')).not.toContain('from C')
      await runScript(world, steps.slice(healMiddle), clock)
      expect(text('Lab A')).toContain(' from C.')
      expect(text('Lab A')).toBe(text('Lab C'))
    })

    it('one-way: while cut, A has B’s edit and B lacks A’s', async () => {
      const preset = presetById('one-way')!
      const { world, clock } = labWorld(engine, preset.topology)
      const steps = preset.steps(SEED)
      await runScript(
        world,
        steps.slice(
          0,
          steps.findIndex((s) => s.kind === 'heal'),
        ),
        clock,
      )
      expect(world.lane('Lab A').doc.text()).toContain('B gets through.')
      expect(world.lane('Lab B').doc.text()).not.toContain('A is unheard.')
      expect(world.relations()[0]?.[1]).toBe('after')
    })

    it('offline: every edit of the long session reaches the other replica', async () => {
      const preset = presetById('offline')!
      const { world, clock } = labWorld(engine, preset.topology)
      const result = await runScript(world, preset.steps(SEED), clock)
      expect(result.verdict).toEqual({ kind: 'converged' })
      const commits = world.log.all().filter((e) => e.kind === 'commit')
      expect(commits.filter((e) => e.host === 'Lab A').length).toBeGreaterThanOrEqual(150)
      // Every commit reached the other lane: A applied B's, B applied A's.
      const applied = new Set(world.log.all().flatMap((e) => e.delivers))
      for (const c of commits) if (c.dot) expect(applied.has(c.id), `seed ${SEED}`).toBe(true)
    })
  })
}
