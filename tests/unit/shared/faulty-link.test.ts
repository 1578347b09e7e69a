import { describe, expect, it } from 'vitest'
import { FaultyLink, type FaultEvent } from '../../../shared/sync/faulty-link'
import type { CloseInfo } from '../../../shared/sync/link'
import { MemoryLinkPair } from '../../../shared/sync/memory-link'
import { VirtualScheduler } from '../../../shared/sync/virtual-scheduler'
import { Rng } from '../../../shared/util/rng'
import { wrappedPair } from './wrapped-pair'

/**
 * A memory pair whose `a` end is wrapped in a FaultyLink: frames the faulty end sends arrive at
 * `b` ('out'), frames `b` sends arrive at the faulty end ('in').
 */
function setup(seed = 1) {
  const scheduler = new VirtualScheduler()
  const { pair, link, bounces, atB, atLink } = wrappedPair(
    scheduler,
    'faulty',
    (inner, bounce) => new FaultyLink(inner, { rng: new Rng(seed), scheduler, bounce }),
  )
  const faults: FaultEvent[] = []
  link.events.on((e) => faults.push(e))
  /** Sends frames [0], [1], ... [n - 1] from the faulty end. */
  const sendOut = (n: number) => {
    for (let i = 0; i < n; i++) link.send(Uint8Array.of(i))
  }
  const sendIn = (n: number) => {
    for (let i = 0; i < n; i++) pair.b.send(Uint8Array.of(i))
  }
  return { scheduler, pair, link, bounces, atB, atLink, faults, sendOut, sendIn }
}

const range = (n: number) => Array.from({ length: n }, (_, i) => i)

function isSorted(xs: readonly number[]): boolean {
  return xs.every((x, i) => i === 0 || (xs[i - 1] as number) <= x)
}

describe('FaultyLink', () => {
  it('delivers every frame in order both ways when clean', () => {
    const { scheduler, link, atB, atLink, sendOut, sendIn, faults } = setup()
    expect(link.isOpen).toBe(true)
    sendOut(20)
    sendIn(20)
    scheduler.run()
    expect(atB).toEqual(range(20))
    expect(atLink).toEqual(range(20))
    expect(faults.every((f) => f.kind === 'delivered')).toBe(true)
    expect(link.needsResync).toBe(false)
  })

  it('delays frames by the configured virtual time', () => {
    const { scheduler, link, atB, atLink, sendOut, sendIn } = setup()
    link.set('both', { delayMs: 50 })
    sendOut(1)
    sendIn(1)
    scheduler.advance(49)
    expect(atB).toEqual([])
    expect(atLink).toEqual([])
    scheduler.advance(1)
    expect(atB).toEqual([0])
    expect(atLink).toEqual([0])
    expect(scheduler.now()).toBe(50)
  })

  it('drops everything at loss 1 and marks the link for resync', () => {
    const { scheduler, link, atB, atLink, sendOut, sendIn, faults } = setup()
    link.set('both', { loss: 1 })
    sendOut(10)
    sendIn(10)
    scheduler.run()
    expect(atB).toEqual([])
    expect(atLink).toEqual([])
    expect(faults.filter((f) => f.kind === 'dropped')).toHaveLength(20)
    expect(link.needsResync).toBe(true)
  })

  it('delivers every frame twice at duplicate 1', () => {
    const { scheduler, link, atB, atLink, sendOut, sendIn } = setup()
    link.set('both', { duplicate: 1 })
    sendOut(5)
    sendIn(5)
    scheduler.run()
    const twice = range(5).flatMap((i) => [i, i])
    expect(atB).toEqual(twice)
    expect(atLink).toEqual(twice)
    expect(link.needsResync).toBe(false)
  })

  it('reorders frames when asked, the same way for the same seed', () => {
    const run = (seed: number) => {
      const { scheduler, link, atB, faults } = setup(seed)
      link.set('out', { reorder: 0.3, delayMs: 5 })
      for (let i = 0; i < 100; i++) link.send(Uint8Array.of(i))
      scheduler.run()
      return { atB, reordered: faults.filter((f) => f.kind === 'reordered').length }
    }
    const first = run(42)
    expect(first.reordered, 'seed 42').toBeGreaterThan(0)
    expect(isSorted(first.atB), `seed 42 kept order: ${first.atB.join(',')}`).toBe(false)
    // Reordered, not lost or duplicated.
    expect([...first.atB].sort((x, y) => x - y)).toEqual(range(100))
    expect(run(42)).toEqual(first)
  })

  it('keeps order under jitter when reorder is 0', () => {
    for (const seed of [1, 2, 3, 4, 5]) {
      const { scheduler, link, atB, atLink, sendIn } = setup(seed)
      link.set('both', { delayMs: 3, jitterMs: 40 })
      for (let i = 0; i < 100; i++) {
        link.send(Uint8Array.of(i))
        // Spread the sends so jitter could overtake earlier frames if order weren't kept.
        scheduler.advance(1)
      }
      sendIn(100)
      scheduler.run()
      expect(atB, `seed ${seed}`).toEqual(range(100))
      expect(atLink, `seed ${seed}`).toEqual(range(100))
    }
  })

  it("cut('out') blocks only the outgoing direction", () => {
    const { scheduler, link, atB, atLink, sendOut, sendIn } = setup()
    link.cut('out')
    sendOut(3)
    sendIn(3)
    scheduler.run()
    expect(atB).toEqual([])
    expect(atLink).toEqual([0, 1, 2])
    expect(link.settings.out.blocked).toBe(true)
    expect(link.settings.in.blocked).toBe(false)
  })

  it("cut('in') blocks only the incoming direction", () => {
    const { scheduler, link, atB, atLink, sendOut, sendIn } = setup()
    link.cut('in')
    sendOut(3)
    sendIn(3)
    scheduler.run()
    expect(atB).toEqual([0, 1, 2])
    expect(atLink).toEqual([])
  })

  it('bounces the connection on heal after a loss, so both sides resync', () => {
    const { scheduler, link, pair, bounces, atB, sendOut, faults } = setup()
    const closes: CloseInfo[] = []
    let opens = 0
    link.onClose((info) => closes.push(info))
    link.onOpen(() => opens++)
    link.cut('both')
    sendOut(2)
    scheduler.run()
    expect(link.needsResync).toBe(true)
    link.heal()
    expect(bounces).toHaveLength(1)
    expect(closes).toEqual([{ code: 4000, reason: 'resync after faults' }])
    expect(link.isOpen).toBe(false)
    scheduler.run()
    expect(opens).toBe(1)
    expect(link.isOpen).toBe(true)
    expect(pair.isConnected).toBe(true)
    expect(link.needsResync).toBe(false)
    expect(faults.filter((f) => f.kind === 'bounced')).toHaveLength(1)
    // The lost frames stay lost; resending is the fresh session's job.
    sendOut(1)
    scheduler.run()
    expect(atB).toEqual([0])
  })

  it('heals without a bounce when nothing was lost', () => {
    const { scheduler, link, bounces, atB, sendOut } = setup()
    let closes = 0
    link.onClose(() => closes++)
    link.set('both', { delayMs: 10, duplicate: 1 })
    link.heal()
    sendOut(2)
    scheduler.run()
    expect(bounces).toEqual([])
    expect(closes).toBe(0)
    expect(atB).toEqual([0, 1])
  })

  it('closes the inner link on heal after a loss when no bounce is given', () => {
    const scheduler = new VirtualScheduler()
    const pair = new MemoryLinkPair('plain', scheduler)
    pair.connect()
    const link = new FaultyLink(pair.a, { rng: new Rng(7), scheduler })
    const closes: CloseInfo[] = []
    link.onClose((info) => closes.push(info))
    link.set('out', { loss: 1 })
    link.send(Uint8Array.of(1))
    link.heal()
    expect(closes).toEqual([{ code: 4000, reason: 'resync after faults' }])
    expect(pair.isConnected).toBe(false)
  })

  it('never delivers frames delayed across a reconnect to the new connection', () => {
    const { scheduler, link, pair, atB, atLink, sendOut, sendIn } = setup()
    link.set('both', { delayMs: 100 })
    sendOut(3)
    sendIn(3)
    scheduler.advance(10)
    pair.disconnect()
    pair.connect()
    expect(link.isOpen).toBe(true)
    scheduler.run()
    expect(atB).toEqual([])
    expect(atLink).toEqual([])
    // The new connection works.
    link.set('both', { delayMs: 0 })
    sendOut(1)
    scheduler.run()
    expect(atB).toEqual([0])
  })

  it('sends nothing while closed', () => {
    const { scheduler, pair, atB, sendOut } = setup()
    pair.disconnect()
    sendOut(2)
    scheduler.run()
    expect(atB).toEqual([])
  })

  it('replays the same fault pattern from the same seed', () => {
    const trace = (seed: number) => {
      const { scheduler, link, atB, atLink, faults, sendIn } = setup(seed)
      link.set('both', { loss: 0.2, duplicate: 0.2, reorder: 0.2, delayMs: 2, jitterMs: 5 })
      for (let i = 0; i < 60; i++) {
        link.send(Uint8Array.of(i))
        scheduler.advance(1)
      }
      sendIn(60)
      scheduler.run()
      return { atB, atLink, faults: faults.map((f) => `${f.direction}:${f.kind}`) }
    }
    const seed = 2024
    expect(trace(seed), `seed ${seed}`).toEqual(trace(seed))
    expect(trace(seed + 1)).not.toEqual(trace(seed))
  })
})
