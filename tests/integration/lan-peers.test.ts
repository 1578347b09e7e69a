import { afterEach, describe, expect, it } from 'vitest'
import type { NoteDoc } from '../../shared/engine/types'
import { LAN_BACKOFF } from '../../sync-server/lan/lan-peers'
import { newSecret } from '../../sync-server/lan/pairing-code'
import { LanTestNode } from './helpers/lan-nodes'
import { closedWithin, rawSocket, waitFor } from './helpers/relay-peers'

/*
 * LAN mode on one machine: real nodes (storage, listener, mDNS on 127.0.0.1) in this process.
 * tests/multi-host/ runs the same between network namespaces.
 */

const nodes: LanTestNode[] = []
afterEach(async () => {
  await Promise.all(nodes.splice(0).map((n) => n.stop()))
})

async function start(...args: Parameters<typeof LanTestNode.start>): Promise<LanTestNode> {
  const node = await LanTestNode.start(...args)
  nodes.push(node)
  return node
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms))

/** Frames every node sends from now on. */
function countFrames(of: readonly LanTestNode[]): { readonly sent: number } {
  const counter = { sent: 0 }
  for (const n of of)
    n.relay.node.replica.events.on((e) => {
      if (e.type === 'traffic' && e.direction === 'sent') counter.sent++
    })
  return counter
}

const converged = (notes: readonly NoteDoc[], tokens: readonly string[]) =>
  notes.every((n) => n.text() === notes[0]?.text()) &&
  tokens.every((t) => notes[0]?.text().includes(t))

describe('LAN mode on one machine', () => {
  it('finds peers with mDNS, keeps one link per pair, converges, then goes quiet', async () => {
    const secret = newSecret()
    const a = await start({ secret, peers: [] })
    const b = await start({ secret, peers: [] })
    // c also names b by address: discovery and the address lead to one link, not two.
    const c = await start({ secret, peers: [b.address] })
    const all = [a, b, c]
    await waitFor('every node to link with both others', () =>
      all.every((n) => n.peers.connectedPeers.length === 2),
    )
    const notes = await Promise.all(all.map((n) => n.note('lan-note')))
    notes.forEach((note, i) => note.insert(0, `[from ${i}]`))
    const tokens = notes.map((_, i) => `[from ${i}]`)
    await waitFor('the three copies to converge', () => converged(notes, tokens))
    // Links a dialer lost as duplicates close a moment after the handshake.
    await waitFor('one link per pair', () => all.every((n) => n.peers.linkCount === 2))
    // What is in flight at convergence (the last forwards, acknowledgements) lands; a loop
    // would never leave the nodes 300 ms of silence, nor then a whole second.
    const frames = countFrames(all)
    const deadline = Date.now() + 5_000
    for (let seen = -1; frames.sent !== seen; await sleep(300)) {
      if (Date.now() > deadline) throw new Error('the nodes never went quiet')
      seen = frames.sent
    }
    const settled = frames.sent
    await sleep(1_000)
    expect(frames.sent - settled, 'frames sent a second after the nodes went quiet').toBe(0)
    expect(new Set(notes.map((n) => n.digest())).size).toBe(1)
  })

  it('syncs with a peer named by address where there is no discovery', async () => {
    const secret = newSecret()
    const x = await start({ secret, peers: [], discover: false })
    const y = await start({ secret, peers: [x.address], discover: false })
    const [nx, ny] = await Promise.all([x.note('manual'), y.note('manual')])
    nx.insert(0, 'from x.')
    ny.insert(0, 'from y.')
    await waitFor('x and y to converge', () => converged([nx, ny], ['from x.', 'from y.']))
    expect(x.peers.connectedPeers).toEqual([y.id])
    expect(x.log.find('LAN peer discovered')).toBeUndefined()
  })

  it('keeps one link when both ends dial each other', async () => {
    const secret = newSecret()
    const x = await start({ secret, peers: [], discover: false })
    const y = await start({ secret, peers: [x.address], discover: false })
    x.peers.addPeer(y.address)
    await waitFor('x and y to link', () => x.peers.linkCount > 0 && y.peers.linkCount > 0)
    await sleep(500)
    expect([x.peers.linkCount, y.peers.linkCount]).toEqual([1, 1])
    // And it stays so: the dialer that lost does not come back while the link is up.
    const connects = () => x.log.entries.filter((e) => e.msg === 'LAN peer connected').length
    const before = connects()
    await sleep(LAN_BACKOFF.capMs + 500)
    expect(connects()).toBe(before)
    expect([x.peers.linkCount, y.peers.linkCount]).toEqual([1, 1])
    // Both keep the link the smaller id dialed; the other dialer waits, parked.
    const [small, large] = x.id < y.id ? [x, y] : [y, x]
    expect(small.log.find('LAN peer connected', { direction: 'out' })).toBeDefined()
    expect(large.log.find('LAN peer connected', { direction: 'in' })).toBeDefined()
  })

  it("refuses a node with another workspace's secret on both sides, and gives it nothing", async () => {
    const x = await start({ secret: newSecret(), peers: [], discover: false })
    ;(await x.note('private')).insert(0, 'not for strangers')
    const y = await start({ secret: newSecret(), peers: [x.address], discover: false })
    await waitFor('both sides to log the refusal', () =>
      [x, y].every((n) => n.log.find('LAN handshake refused', { code: 4403 })),
    )
    expect(x.log.find('LAN handshake refused')?.fields.reason).toBe('wrong workspace secret')
    await waitFor('y to stop dialing', () =>
      Boolean(y.log.find('stopped dialing a LAN peer: retrying cannot help', { code: 4403 })),
    )
    expect(y.relay.node.storedCount).toBe(0)
    expect(x.peers.connectedPeers).toEqual([])
    expect(y.peers.connectedPeers).toEqual([])
  })

  it('sends a client that skips the handshake only the hello, then closes it', async () => {
    const x = await start({ secret: newSecret(), peers: [], discover: false })
    ;(await x.note('private')).insert(0, 'secret text')
    const socket = rawSocket(`ws://${x.address}/lattice-lan`)
    expect(await socket.opened).toBe(true)
    // A Lattice HELLO where the LAN handshake's belongs.
    socket.ws.send(Uint8Array.from([0, 7, ...Buffer.from('lattice'), 1, 1, 65, 0]))
    expect(await closedWithin(socket, 5_000)).toEqual({
      code: 4400,
      reason: 'not a Lattice LAN handshake',
    })
    expect(socket.received).toHaveLength(1)
    expect(Buffer.from(socket.received[0] as Uint8Array).includes('secret text')).toBe(false)
  })
})
