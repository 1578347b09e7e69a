import { describe, expect, it } from 'vitest'
import { FaultGate, faultOf } from '../../../shared/sync/fault-gate'
import { VirtualScheduler } from '../../../shared/sync/virtual-scheduler'
import { wrappedPair } from './wrapped-pair'

/** A memory pair whose `a` end is under `gate`; counts bounces and frames at each end. */
const linkUnder = (gate: FaultGate, scheduler: VirtualScheduler) =>
  wrappedPair(scheduler, 'gated', (inner, bounce) => gate.wrap(inner, bounce))

describe('FaultGate', () => {
  it('cuts exactly the direction set, both ends of the switch, and heals to clean', () => {
    const scheduler = new VirtualScheduler()
    const gate = new FaultGate(scheduler)
    const { pair, link, atB, atLink } = linkUnder(gate, scheduler)
    gate.set('out')
    link.send(Uint8Array.of(1))
    pair.b.send(Uint8Array.of(2))
    scheduler.run()
    expect([atB, atLink]).toEqual([[], [2]])
    // From one direction to the other: the switch's setting, not the two added up.
    gate.set('in')
    expect(faultOf(link)).toBe('in')
    link.send(Uint8Array.of(3))
    pair.b.send(Uint8Array.of(4))
    scheduler.run()
    expect([atB, atLink]).toEqual([[3], [2]])
    gate.set('both')
    expect(faultOf(link)).toBe('both')
    gate.set('open')
    expect(faultOf(link)).toBe('open')
  })

  it('holds a cut for links made after it (a reconnect), and heals every link under it', () => {
    const scheduler = new VirtualScheduler()
    const gate = new FaultGate(scheduler)
    gate.set('both')
    const first = linkUnder(gate, scheduler)
    const second = linkUnder(gate, scheduler)
    for (const l of [first, second]) l.link.send(Uint8Array.of(7))
    scheduler.run()
    expect([first.atB, second.atB]).toEqual([[], []])
    gate.remove(second.link)
    gate.set('open')
    expect(gate.fault).toBe('open')
    expect(faultOf(first.link)).toBe('open')
    // A link taken out from under the switch keeps what it had.
    expect(faultOf(second.link)).toBe('both')
  })

  it('restarts the connection on heal only when frames were dropped', () => {
    const scheduler = new VirtualScheduler()
    const gate = new FaultGate(scheduler)
    const { link, bounces, atB } = linkUnder(gate, scheduler)
    gate.set('both')
    gate.set('open')
    expect(bounces).toEqual([])
    gate.set('out')
    link.send(Uint8Array.of(9))
    gate.set('open')
    expect(bounces).toHaveLength(1)
    scheduler.run()
    expect(link.isOpen).toBe(true)
    link.send(Uint8Array.of(10))
    scheduler.run()
    expect(atB).toEqual([10])
  })
})
