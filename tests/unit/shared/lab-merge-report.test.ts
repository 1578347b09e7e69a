import { describe, expect, it } from 'vitest'
import { ENGINES } from '../../../shared/engine/types'
import type { MergeSpan } from '../../../shared/lab/merge-report'
import { runScript, type LabStep } from '../../../shared/lab/script'
import { star } from '../../../shared/lab/topology'
import { labWorld } from './lab-fixture'

const A = 'A'
const B = 'B'
const apart: LabStep[] = [
  { kind: 'cut', link: 'A–node', direction: 'both' },
  { kind: 'cut', link: 'B–node', direction: 'both' },
]
const together: LabStep[] = [
  { kind: 'heal', link: 'A–node' },
  { kind: 'heal', link: 'B–node' },
  { kind: 'settle' },
]

async function merged(engine: (typeof ENGINES)[number], base: string, steps: LabStep[]) {
  const { world, clock } = labWorld(engine, star([A, B]))
  const result = await runScript(
    world,
    [{ kind: 'type', lane: A, text: base }, { kind: 'settle' }, ...apart, ...steps, ...together],
    clock,
  )
  expect(result.verdict).toEqual({ kind: 'converged' })
  return { report: world.mergeReport(), text: world.lanes[0]?.doc.text() }
}

const show = (spans: readonly MergeSpan[]) =>
  spans.map(
    (s) =>
      `${s.kind}${s.host ? `:${s.host}` : ''}${s.conflict ? '!' : ''} ${JSON.stringify(s.text)}`,
  )

for (const engine of ENGINES) {
  describe(`merge report (${engine})`, () => {
    it('marks what each side inserted and flags both sides typing at the same place', async () => {
      const { report, text } = await merged(engine, 'Start.', [
        { kind: 'type', lane: A, text: ' Left.' },
        { kind: 'type', lane: B, text: ' Right.' },
      ])
      expect(report.spans.map((s) => s.text).join('')).toBe(text)
      const left = report.spans.find((s) => s.text === ' Left.')
      const right = report.spans.find((s) => s.text === ' Right.')
      expect(left).toMatchObject({ kind: 'inserted', host: A, conflict: true })
      expect(right).toMatchObject({ kind: 'inserted', host: B, conflict: true })
      expect(report.spans[0]).toMatchObject({ kind: 'base', text: 'Start.', conflict: false })
      expect(report.conflicts).toBe(1)
      expect(report.contributions).toEqual([
        { host: A, commits: 6, typed: ' Left.', kept: 6, deleted: 0 },
        { host: B, commits: 7, typed: ' Right.', kept: 7, deleted: 0 },
      ])
    })

    it('does not flag concurrent edits far apart', async () => {
      const { report } = await merged(engine, 'one two three', [
        { kind: 'type', lane: A, text: '>> ', at: 0 },
        { kind: 'type', lane: B, text: ' <<' },
      ])
      expect(show(report.spans)).toEqual([
        'inserted:A ">> "',
        'base "one two three"',
        'inserted:B " <<"',
      ])
      expect(report.conflicts).toBe(0)
    })

    it('shows base text one side deleted where the other typed, flagged', async () => {
      const { report, text } = await merged(engine, 'hello world', [
        { kind: 'edit', lane: A, ops: [{ at: 6, delete: 5 }] },
        { kind: 'type', lane: B, text: 'big ', at: 6 },
      ])
      expect(text).toBe('hello big ')
      expect(show(report.spans)).toEqual([
        'base "hello "',
        'deleted:A! "world"',
        'inserted:B! "big "',
      ])
      expect(report.contributions.find((c) => c.host === A)?.deleted).toBe(5)
    })

    it('does not flag edits at one place made in turn', async () => {
      const { world, clock } = labWorld(engine, star([A, B]))
      await runScript(
        world,
        [
          { kind: 'type', lane: A, text: 'base' },
          { kind: 'settle' },
          ...apart,
          ...together,
          { kind: 'type', lane: A, text: ' then' },
          { kind: 'settle' },
          { kind: 'type', lane: B, text: ' now' },
          { kind: 'settle' },
        ],
        clock,
      )
      const report = world.mergeReport()
      expect(report.conflicts).toBe(0)
      expect(show(report.spans)).toEqual(['base "base"', 'inserted:A " then"', 'inserted:B " now"'])
    })
  })
}
