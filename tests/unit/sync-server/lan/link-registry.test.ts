import { describe, expect, it } from 'vitest'
import { replicaId, type ReplicaId } from '../../../../shared/ids'
import { CLOSE_DUPLICATE, LinkRegistry } from '../../../../sync-server/lan/link-registry'
import { silentLogger } from '../../../../sync-server/ops/logger'

const X = replicaId('node-x')
const Y = replicaId('node-y') // X < Y

/** A link both registries know, as two sockets' ends would: closing one end ends both. */
class Pair {
  closedWith: number | null = null
  private readonly ends: Array<() => void> = []

  constructor(readonly dialedBy: ReplicaId) {}

  close = (code: number) => {
    if (this.closedWith !== null) return
    this.closedWith = code
    for (const end of this.ends) end()
  }

  admitAt(registry: LinkRegistry, peer: ReplicaId): boolean {
    const result = registry.admit(peer, this.dialedBy, this.close)
    if (!result.ok) this.close(result.code)
    // Closed at the other end already: the close arrives right after this end's handshake.
    else if (this.closedWith !== null) result.ended()
    else this.ends.push(result.ended)
    return result.ok
  }
}

function registries() {
  const lastClosed: string[] = []
  return {
    x: new LinkRegistry(X, silentLogger, (p) => lastClosed.push(`x lost ${p}`)),
    y: new LinkRegistry(Y, silentLogger, (p) => lastClosed.push(`y lost ${p}`)),
    lastClosed,
  }
}

describe('LAN link registry', () => {
  for (const order of ['x first', 'y first'] as const) {
    it(`keeps the link the smaller id dialed when both dial, whatever finishes first (${order} at x)`, () => {
      const { x, y } = registries()
      const byX = new Pair(X)
      const byY = new Pair(Y)
      // Each end finishes the two handshakes in its own order.
      if (order === 'x first') {
        byX.admitAt(x, Y)
        byY.admitAt(x, Y)
      } else {
        byY.admitAt(x, Y)
        byX.admitAt(x, Y)
      }
      byY.admitAt(y, X)
      byX.admitAt(y, X)
      expect(byX.closedWith).toBeNull()
      expect(byY.closedWith).toBe(CLOSE_DUPLICATE)
      expect([x.count, y.count]).toEqual([1, 1])
      expect([x.peers, y.peers]).toEqual([[Y], [X]])
    })
  }

  it("refuses a second link from this node's own dialers to one peer", () => {
    const { x } = registries()
    expect(new Pair(X).admitAt(x, Y)).toBe(true)
    const second = new Pair(X)
    expect(second.admitAt(x, Y)).toBe(false)
    expect(second.closedWith).toBe(CLOSE_DUPLICATE)
    expect(x.count).toBe(1)
  })

  it('keeps a link the peer dialed again, beside its old one that may be dead', () => {
    const { x, lastClosed } = registries()
    const old = new Pair(Y)
    const fresh = new Pair(Y)
    expect(old.admitAt(x, Y)).toBe(true)
    expect(fresh.admitAt(x, Y)).toBe(true)
    expect(x.count).toBe(2)
    old.close(1006)
    expect(x.peers).toEqual([Y])
    expect(lastClosed).toEqual([])
    fresh.close(1006)
    expect(x.peers).toEqual([])
    expect(lastClosed).toEqual([`x lost ${Y}`])
  })

  it('tells when the last link to a peer closes, once, and notifies every change', () => {
    const { x, lastClosed } = registries()
    let changes = 0
    x.onChange(() => changes++)
    const link = new Pair(X)
    link.admitAt(x, Y)
    link.close(1000)
    link.close(1000)
    expect(lastClosed).toEqual([`x lost ${Y}`])
    expect(changes).toBe(2)
  })
})
