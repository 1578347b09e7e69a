import { describe, expect, it } from 'vitest'
import type { NoteDoc } from '../../../shared/engine/types'
import { docId, replicaId } from '../../../shared/ids'
import { before, happenedBefore, LabLog } from '../../../shared/lab/lab-log'
import { SHIVIZ_REGEX, toShiViz } from '../../../shared/lab/shiviz'
import { verdictOf } from '../../../shared/lab/verdict'
import { FaultyLink } from '../../../shared/sync/faulty-link'
import { MemoryLinkPair } from '../../../shared/sync/memory-link'
import { Replica } from '../../../shared/sync/replica'
import { VirtualScheduler } from '../../../shared/sync/virtual-scheduler'
import { ENGINES } from '../../../shared/engine/types'
import { Rng } from '../../../shared/util/rng'
import { presetById } from '../../../shared/lab/presets'
import { runScript } from '../../../shared/lab/script'
import { labWorld } from './lab-fixture'

/** Two replicas of one note over a faulty link, every causal event recorded in a LabLog. */
function splitBrain(engine: (typeof ENGINES)[number]) {
  const scheduler = new VirtualScheduler()
  const pair = new MemoryLinkPair('ab', scheduler)
  const link = new FaultyLink(pair.a, {
    rng: new Rng(1),
    scheduler,
    bounce: () => {
      pair.disconnect({ code: 4000, reason: 'resync' })
      scheduler.after(1, () => pair.connect())
    },
  })
  const log = new LabLog()
  const docs: Record<string, NoteDoc> = {}
  for (const [host, end] of [
    ['A', link],
    ['B', pair.b],
  ] as const) {
    const replica = new Replica({ id: replicaId(host), mode: 'full' })
    replica.attach(end)
    const doc = replica.open(docId('note'), engine)
    doc.onCausal((e) => log.add(host, e, scheduler.now()))
    docs[host] = doc
  }
  pair.connect()
  scheduler.run()
  return { log, link, scheduler, a: docs.A as NoteDoc, b: docs.B as NoteDoc }
}

const state = (host: string, d: NoteDoc) => ({ host, digest: d.digest(), version: d.version() })

for (const engine of ENGINES) {
  describe(`the Lab's log (${engine})`, () => {
    it('shows edits made apart as concurrent, heal as applies that deliver them, and converges', () => {
      const { log, link, scheduler, a, b } = splitBrain(engine)
      a.insert(0, 'base')
      scheduler.run()
      link.cut()
      a.insert(4, ' left')
      b.insert(4, ' right')
      scheduler.run()
      const diverged = verdictOf([state('A', a), state('B', b)])
      expect(diverged).toEqual({
        kind: 'diverged',
        lacking: { A: expect.any(Number), B: expect.any(Number) },
      })
      const [left, right] = log
        .all()
        .filter((e) => e.kind === 'commit')
        .slice(-2)
      expect(left && right && log.concurrentWith(left.id).has(right.id)).toBe(true)

      link.heal()
      scheduler.run()
      expect(a.text()).toBe(b.text())
      expect(verdictOf([state('A', a), state('B', b)])).toEqual({ kind: 'converged' })
      // Each side applied the other's edit: an arrow from that commit.
      const applies = log.all().filter((e) => e.kind === 'apply' && e.delivers.length > 0)
      expect(
        applies.some((e) => e.host === 'A' && e.delivers.includes((right as { id: number }).id)),
      ).toBe(true)
      expect(
        applies.some((e) => e.host === 'B' && e.delivers.includes((left as { id: number }).id)),
      ).toBe(true)
      // The base edit is in the causal past of everything after it on both hosts.
      const base = log.all().find((e) => e.kind === 'commit') as { id: number }
      const last = log.all().at(-1) as { id: number }
      expect(log.causalPast(last.id).has(base.id)).toBe(true)
    })

    it('exports a ShiViz log that parses with its default regex, each clock ticking once per host event', () => {
      const { log, link, scheduler, a, b } = splitBrain(engine)
      a.insert(0, 'x')
      scheduler.run()
      link.cut()
      a.insert(1, 'y')
      b.insert(0, 'z')
      link.heal()
      scheduler.run()
      const text = toShiViz(log.all())
      const regex = new RegExp(SHIVIZ_REGEX, 'g')
      const parsed = [...text.matchAll(regex)].map((m) => ({
        host: m.groups?.host as string,
        clock: JSON.parse(m.groups?.clock as string) as Record<string, number>,
      }))
      expect(parsed).toHaveLength(log.size)
      const seen: Record<string, number> = {}
      for (const { host, clock } of parsed) {
        expect(clock[host]).toBe((seen[host] ?? 0) + 1)
        seen[host] = clock[host] as number
      }
      for (let i = 1; i < parsed.length; i++) {
        const prev = log.all()[i - 1]
        const cur = log.all()[i]
        if (prev && cur && prev.host === cur.host) expect(before(prev.clock, cur.clock)).toBe(true)
      }
    })
  })
}

describe('the Lab log’s clocks', () => {
  it('answer "happened before" from one entry exactly as comparing whole clocks does', async () => {
    const chain = presetById('chain')!
    const { world, clock } = labWorld('yjs', chain.topology)
    await runScript(world, chain.steps(3), clock)
    const events = world.log.all()
    expect(events.length).toBeGreaterThan(30)
    for (const a of events)
      for (const b of events) expect(happenedBefore(a, b)).toBe(before(a.clock, b.clock))
    const last = events.at(-1)!
    const { past, concurrent } = world.log.around(last.id)
    expect(past.size + concurrent.size).toBe(events.length - 1)
  })
})
