import { describe, expect, it } from 'vitest'
import { ENGINES, type EngineKind } from '../../../shared/engine/types'
import {
  parseRecording,
  Recorder,
  replayLanes,
  replaySeeds,
  type Recording,
} from '../../../shared/lab/recording'
import { replay } from '../../../shared/lab/replay'
import { runScript, type LabStep } from '../../../shared/lab/script'
import { laneSignature } from '../../../shared/lab/signature'
import { NODE, type TopologySpec } from '../../../shared/lab/topology'
import { Rng } from '../../../shared/util/rng'
import { labWorld } from './lab-fixture'

const TOPOLOGY: TopologySpec = {
  lanes: ['A', 'B', 'C'],
  links: [
    { from: 'A', to: NODE },
    { from: 'B', to: NODE },
    { from: 'B', to: 'C' },
  ],
}

/** A person's session: typing at the same spots while links are cut, slowed and lossy. */
const SESSION: LabStep[] = [
  { kind: 'type', lane: 'A', text: 'Shared.' },
  { kind: 'settle' },
  { kind: 'faults', link: 'A–node', faults: { delayMs: 120 } },
  { kind: 'type', lane: 'A', text: ' slow', everyMs: 30 },
  { kind: 'type', lane: 'C', text: ' quick', everyMs: 30 },
  { kind: 'wait', ms: 400 },
  { kind: 'cut', link: 'A–node', direction: 'both' },
  { kind: 'cut', link: 'B–C', direction: 'out' },
  { kind: 'type', lane: 'A', text: ' left' },
  { kind: 'type', lane: 'B', text: ' mid' },
  { kind: 'type', lane: 'C', text: 'xyz', at: 0, backward: true },
  { kind: 'type', lane: 'B', text: '123', at: 0, backward: true },
  { kind: 'scribble', lane: 'A', edits: 20, seed: 5 },
  { kind: 'faults', link: 'B–node', faults: { loss: 0.3, duplicate: 0.3, reorder: 0.3 } },
  { kind: 'scribble', lane: 'B', edits: 10, seed: 6 },
  { kind: 'wait', ms: 300 },
  { kind: 'heal', link: 'B–C' },
  { kind: 'heal', link: 'A–node' },
  { kind: 'wait', ms: 300 },
  { kind: 'heal', link: 'B–node' },
  { kind: 'settle' },
]

async function record(engine: EngineKind, seed: number): Promise<Recording> {
  const rng = new Rng(seed)
  const seeds = { 'A–node': rng.int(2 ** 31), 'B–node': rng.int(2 ** 31), 'B–C': rng.int(2 ** 31) }
  const { world, clock } = labWorld(engine, TOPOLOGY, {}, seeds)
  const recorder = new Recorder(world, clock)
  await runScript(world, SESSION, clock)
  const rec = recorder.stop()
  world.destroy()
  return rec
}

async function replayed(rec: Recording, seed: number) {
  const rng = new Rng(seed)
  const { world, clock } = labWorld(
    rec.engine,
    rec.topology,
    replayLanes(rec, () => rng.next()),
    rec.seeds,
  )
  return { world, result: await replay(world, rec, clock) }
}

for (const engine of ENGINES) {
  describe(`record and replay (${engine})`, () => {
    it('records edits with positions, switches and sliders, and exports JSON', async () => {
      const rec = await record(engine, 1)
      const kinds = new Set(rec.steps.map((s) => s.step.kind))
      expect([...kinds].sort()).toEqual(['cut', 'edit', 'faults', 'heal'])
      const first = rec.steps.find((s) => s.step.kind === 'edit')
      expect(first?.step).toEqual({ kind: 'edit', lane: 'A', ops: [{ at: 0, insert: 'S' }] })
      expect(parseRecording(JSON.stringify(rec))).toEqual(rec)
      expect(() => parseRecording('{"format":"other"}')).toThrow(/not a Lattice Lab recording/)
    })

    for (const seed of [1, 2, 3]) {
      it(`a recorded session replays to the same text on every replica and the same diagram (seed ${seed})`, async () => {
        const rec = parseRecording(JSON.stringify(await record(engine, seed)))
        const { world, result } = await replayed(rec, seed + 100)
        expect(result.notes, `seed ${seed}`).toEqual([])
        expect(result.texts, `seed ${seed}`).toEqual(rec.final.texts)
        expect(new Set(Object.values(result.texts)).size).toBe(1)
        expect(result.signature, `seed ${seed}`).toEqual(rec.final.signature)
        expect(result.sameText && result.sameDiagram).toBe(true)
        // Same events per lane, edit by edit: the diagram draws the same dots and arrows.
        expect(laneSignature(world.log.all())).toEqual(rec.final.signature)
      })
    }
  })
}

describe('replay actors', () => {
  it('keep the recorded actors’ order, so concurrent ties break the same way', () => {
    const random = () => 0.5
    const yjs = replaySeeds('yjs', ['500', '20', '3000'], new Set(), random)
    expect(yjs[1]! < yjs[0]! && yjs[0]! < yjs[2]!).toBe(true)
    const am = replaySeeds(
      'automerge',
      ['ff'.repeat(16), '00'.repeat(16), '7a'.repeat(16)],
      new Set(),
      random,
    )
    expect(am[1]! < am[2]! && am[2]! < am[0]!).toBe(true)
  })

  it('avoid actors already taken', () => {
    let n = 0
    const random = () => [0, 0.25][n++ % 2]!
    const taken = new Set(['1', '2'])
    expect(replaySeeds('yjs', ['9', '8'], taken, random)).toEqual([2 ** 28 + 2, 2 ** 28 + 1])
  })
})
