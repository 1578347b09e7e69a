import { describe, expect, it } from 'vitest'
import { compareEngines } from '../../../shared/lab/engine-compare'
import { presetLanes, SAME_SPOT } from '../../../shared/lab/presets'
import { virtualClock } from '../../../shared/lab/script'
import { diffText } from '../../../shared/lab/text-diff'
import { VirtualScheduler } from '../../../shared/sync/virtual-scheduler'
import { labWorld } from './lab-fixture'

describe('engines side by side', () => {
  it('runs one concurrent scenario on Yjs and Automerge together and shows where the merges differ', async () => {
    const scheduler = new VirtualScheduler()
    const make = (engine: 'yjs' | 'automerge') =>
      labWorld(engine, SAME_SPOT.topology, presetLanes(SAME_SPOT), {}, scheduler).world
    const worlds = { yjs: make('yjs'), automerge: make('automerge') }
    const c = await compareEngines(worlds, SAME_SPOT.steps(1), virtualClock(scheduler))
    expect(c.results.yjs.verdict).toEqual({ kind: 'converged' })
    expect(c.results.automerge.verdict).toEqual({ kind: 'converged' })
    // Both keep every character typed; they order the concurrent ones differently.
    for (const text of Object.values(c.texts))
      expect([...text].sort().join('')).toBe([...'abc123The cat| sat ran'].sort().join(''))
    expect(c.same).toBe(false)
    // Yjs keeps each side's backwards-typed run whole; Automerge interleaves them.
    expect(c.texts.yjs).toMatch(/^(abc123|123abc)/)
    expect(c.texts.automerge).not.toMatch(/^(abc123|123abc)/)
    expect(c.diff.map((p) => (p.kind === 'b' ? '' : p.text)).join('')).toBe(c.texts.yjs)
    expect(c.diff.map((p) => (p.kind === 'a' ? '' : p.text)).join('')).toBe(c.texts.automerge)
  })
})

describe('text diff', () => {
  it('keeps what is common and marks what is only in one text', () => {
    expect(diffText('same', 'same')).toEqual([{ kind: 'same', text: 'same' }])
    expect(diffText('the cat sat', 'the dog sat')).toEqual([
      { kind: 'same', text: 'the ' },
      { kind: 'a', text: 'cat' },
      { kind: 'b', text: 'dog' },
      { kind: 'same', text: ' sat' },
    ])
    expect(diffText('ab', 'axb')).toEqual([
      { kind: 'same', text: 'a' },
      { kind: 'b', text: 'x' },
      { kind: 'same', text: 'b' },
    ])
  })

  it('shows a middle too big for the table as replaced', () => {
    expect(diffText('xaaay', 'xbbby', 4)).toEqual([
      { kind: 'same', text: 'x' },
      { kind: 'a', text: 'aaa' },
      { kind: 'b', text: 'bbb' },
      { kind: 'same', text: 'y' },
    ])
  })
})
