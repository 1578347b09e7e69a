import { createServer, type Server } from 'node:http'
import type { AddressInfo } from 'node:net'
import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterEach, describe, expect, it } from 'vitest'
import type { NodeLinkResult, NodeLinksStatus } from '../../shared/desktop/node-links'
import type { NoteDoc } from '../../shared/engine/types'
import { docId, type ReplicaId } from '../../shared/ids'
import { newSecret } from '../../sync-server/lan/pairing-code'
import { LanControl } from '../../sync-server/node/lan-control'
import { NodeLinks } from '../../sync-server/node/node-links'
import { RelayUplink } from '../../sync-server/node/relay-uplink'
import { startRelay, type Relay } from '../../sync-server/relay'
import { nodeApi } from '../../sync-server/web/api'
import { LanTestNode } from './helpers/lan-nodes'
import { waitFor } from './helpers/relay-peers'

/*
 * The switches on a node's own links (its relay uplink, its LAN peers): real nodes on
 * 127.0.0.1 with LevelDB in temp folders, real WebSockets, the fault gate inside each node.
 */

const NOTE = docId('switched-note')
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms))
/** How long a frame that was going to cross loopback has surely crossed. */
const SETTLE_MS = 400

const cleanups: Array<() => Promise<void>> = []
afterEach(async () => {
  for (const clean of cleanups.splice(0).reverse()) await clean()
})

async function tempDir(): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'lattice-node-links-'))
  cleanups.push(() => rm(dir, { recursive: true, force: true }))
  return dir
}

/** A headless node on 127.0.0.1 (a relay, or a machine's node); stopped after the test. */
async function relayNode(data?: string, port = 0): Promise<Relay> {
  const relay = await startRelay({
    host: '127.0.0.1',
    port,
    data: data ?? (await tempDir()),
    token: undefined,
    logLevel: 'silent',
  })
  let stopped: Promise<void> | null = null
  const stop = () => (stopped ??= relay.stop())
  cleanups.push(stop)
  return { ...relay, stop }
}

/** A machine: its node (as the app opens it), its relay uplink and LAN control, its links. */
interface Machine {
  readonly relay: Relay
  readonly uplink: RelayUplink
  readonly lan: LanControl
  readonly links: NodeLinks
  readonly note: NoteDoc
}

async function machine(relayUrl?: string): Promise<Machine> {
  const dir = await tempDir()
  const relay = await relayNode()
  const uplink = await RelayUplink.open(relay.node, join(dir, 'relay.json'))
  const lan = await LanControl.open({
    node: relay.node,
    store: relay.store,
    file: join(dir, 'lan.json'),
    sealer: null,
    port: 0,
    interface: '127.0.0.1',
  })
  cleanups.push(async () => {
    uplink.close()
    await lan.close()
  })
  if (relayUrl) await uplink.configure({ url: relayUrl, token: '' })
  const note = await relay.node.retain(NOTE, 'yjs')
  return { relay, uplink, lan, links: new NodeLinks(uplink, lan), note }
}

function setFault(m: Machine, fault: string): NodeLinksStatus {
  const result = m.links.request({ link: 'relay', fault })
  if (!result.ok) throw new Error(result.error)
  return result.status
}

const relayLink = (m: Machine) => m.links.status(NOTE).links.find((l) => l.key === 'relay')
const append = (doc: NoteDoc, text: string) => doc.insert(doc.text().length, text)

/** The relay's copy of the note, once it has one. */
const textAt = (relay: Relay) => relay.node.replica.getDoc(NOTE)?.text() ?? ''

/** Sessions the machine's node starts (each connection of a link starts one). */
function countSessions(m: Machine): { readonly started: number } {
  const counter = { started: 0 }
  m.relay.node.replica.events.on((e) => {
    if (e.type === 'peer') counter.started++
  })
  return counter
}

async function twoMachinesOnARelay() {
  const hub = await relayNode()
  const a = await machine(hub.server.url)
  const b = await machine(hub.server.url)
  append(a.note, 'base')
  await waitFor('both machines and the relay to hold the base text', () =>
    [textAt(hub), b.note.text()].every((t) => t === 'base'),
  )
  await waitFor('the relay to acknowledge the base text', () => relayLink(a)?.pendingNotes === 0)
  const converged = (...tokens: string[]) =>
    waitFor(`the two machines and the relay to converge holding ${tokens.join(', ')}`, () => {
      const texts = [a.note.text(), b.note.text(), textAt(hub)]
      return texts.every((t) => t === texts[0]) && tokens.every((t) => texts[0]?.includes(t))
    })
  return { hub, a, b, converged }
}

describe("a node's relay link, switched", () => {
  it('cut both ways: edits stop reaching the relay while the socket stays up; heal converges', async () => {
    const { hub, a, b, converged } = await twoMachinesOnARelay()
    const sessions = countSessions(a)
    const cut = setFault(a, 'both')
    expect(cut.links[0]).toMatchObject({ key: 'relay', fault: 'both', connection: 'open' })

    append(a.note, ' from A')
    append(b.note, ' from B')
    await sleep(SETTLE_MS)
    expect(textAt(hub)).not.toContain('from A')
    expect(b.note.text()).not.toContain('from A')
    expect(a.note.text()).not.toContain('from B')
    expect(relayLink(a)).toMatchObject({ connection: 'open', pendingNotes: 1, fault: 'both' })
    // The relay's last ACK of the note is older than this node's copy.
    expect(relayLink(a)?.noteRelation).toBe('before')
    // The partition is the gate's, not a dropped connection: no session was restarted.
    expect(sessions.started).toBe(0)

    setFault(a, 'open')
    await converged(' from A', ' from B')
    await waitFor('the relay to acknowledge every note', () => relayLink(a)?.pendingNotes === 0)
    await waitFor('the relay to ACK what A holds', () => relayLink(a)?.noteRelation === 'equal')
    // Heal restarted the session once: its anti-entropy sent what the relay lacked.
    expect(sessions.started).toBe(1)
  })

  it('cut one way delivers in the other direction only; heal converges', async () => {
    const { hub, a, b, converged } = await twoMachinesOnARelay()

    // Sending cut: A still receives B's edit; nothing of A's reaches the relay.
    expect(setFault(a, 'out').links[0]?.fault).toBe('out')
    append(a.note, ' a1')
    append(b.note, ' b1')
    await waitFor("A to receive B's edit over its half-cut link", () =>
      a.note.text().includes(' b1'),
    )
    await sleep(SETTLE_MS)
    expect(textAt(hub)).not.toContain(' a1')
    expect(b.note.text()).not.toContain(' a1')
    expect(relayLink(a)?.pendingNotes).toBe(1)
    setFault(a, 'open')
    await converged(' a1', ' b1')

    // Receiving cut: A's edit reaches the relay and B; B's edit never reaches A.
    setFault(a, 'in')
    append(a.note, ' a2')
    append(b.note, ' b2')
    await waitFor("B to receive A's edit over A's half-cut link", () =>
      b.note.text().includes(' a2'),
    )
    await sleep(SETTLE_MS)
    expect(textAt(hub)).toContain(' b2')
    expect(a.note.text()).not.toContain(' b2')
    // The relay's ACKs are cut too: A cannot know the relay stored its edit.
    expect(relayLink(a)?.pendingNotes).toBe(1)
    setFault(a, 'open')
    await converged(' a1', ' b1', ' a2', ' b2')
    await waitFor('the relay to acknowledge every note', () => relayLink(a)?.pendingNotes === 0)
  })

  it('a cut holds across a reconnect of the socket (the relay restarts)', async () => {
    const hubData = await tempDir()
    const hub = await relayNode(hubData)
    const a = await machine(hub.server.url)
    append(a.note, 'base')
    await waitFor('the relay to hold the base text', () => textAt(hub) === 'base')
    setFault(a, 'both')
    const port = hub.server.port
    await hub.stop()
    await waitFor('A to lose the relay', () => a.uplink.status().connection !== 'open')
    const again = await relayNode(hubData, port)
    await waitFor('A to redial the restarted relay', () => relayLink(a)?.connection === 'open')
    append(a.note, ' after the restart')
    const stored = await again.node.retain(NOTE, 'yjs')
    await sleep(SETTLE_MS)
    expect(stored.text()).toBe('base')
    expect(relayLink(a)).toMatchObject({ fault: 'both', pendingNotes: 1 })
    setFault(a, 'open')
    await waitFor('the restarted relay to get the edit', () =>
      stored.text().includes(' after the restart'),
    )
    await waitFor('the relay to acknowledge it', () => relayLink(a)?.pendingNotes === 0)
  })

  it('refuses bad requests with a reason, over HTTP with a 400', async () => {
    const hub = await relayNode()
    const a = await machine(hub.server.url)
    for (const [input, reason] of [
      [null, /no request/],
      [{ link: 'relay', fault: 'sideways' }, /unknown fault "sideways"/],
      [{ link: 'mars', fault: 'both' }, /unknown link "mars"/],
      [{ link: 'lan:nobody', fault: 'both' }, /no link lan:nobody/],
    ] as const) {
      const result = a.links.request(input)
      expect(result.ok).toBe(false)
      if (!result.ok) expect(result.error).toMatch(reason)
    }
    expect(relayLink(a)?.fault).toBe('open')

    const api = nodeApi(a.uplink, a.lan, a.links)
    const server: Server = createServer((req, res) => {
      if (!api(req, res)) res.writeHead(404).end()
    })
    await new Promise<void>((ok) => server.listen(0, '127.0.0.1', ok))
    cleanups.push(() => new Promise((ok) => server.close(() => ok())))
    const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}/api/node-links`
    const post = (body: string) =>
      fetch(base, { method: 'POST', headers: { 'content-type': 'application/json' }, body })

    const listed = await fetch(`${base}?note=${NOTE}`)
    expect(listed.status).toBe(200)
    expect(((await listed.json()) as NodeLinksStatus).links[0]).toMatchObject({
      key: 'relay',
      fault: 'open',
    })
    const badNote = await fetch(`${base}?note=${encodeURIComponent('../etc')}`)
    expect(badNote.status).toBe(400)
    expect(await badNote.json()).toMatchObject({ ok: false, error: /invalid note id/ })
    for (const body of ['{"link":"relay","fault":"sideways"}', '{"link":"lan:x"}', 'not json']) {
      const res = await post(body)
      expect(res.status, body).toBe(400)
      expect(((await res.json()) as NodeLinkResult).ok).toBe(false)
    }
    const ok = await post('{"link":"relay","fault":"in"}')
    expect(ok.status).toBe(200)
    expect(((await ok.json()) as NodeLinkResult).ok).toBe(true)
    expect(relayLink(a)?.fault).toBe('in')
    const put = await fetch(base, { method: 'PUT', body: '{}' })
    expect(put.status).toBe(405)
  })
})

describe("a node's LAN peer link, switched", () => {
  it('is listed and switched through the same request; pending while cut; heal converges', async () => {
    const x = await machine()
    const y = await machine()
    const made = await x.lan.request({ action: 'create' })
    if (!made.ok) throw new Error(made.error)
    await y.lan.request({ action: 'join', code: made.pairingCode })
    await y.lan.request({ action: 'add-peer', address: `127.0.0.1:${x.lan.status().port}` })
    const key = `lan:${y.relay.node.id}`
    const linkToY = () => x.links.status(NOTE).links.find((l) => l.key === key)
    await waitFor('x to link with y', () => linkToY()?.connection === 'open')
    append(x.note, 'base')
    await waitFor('y to receive the base text', () => y.note.text() === 'base')
    await waitFor('y to acknowledge it', () => linkToY()?.noteRelation === 'equal')

    expect(x.links.request({ link: key, fault: 'both' })).toMatchObject({ ok: true })
    append(x.note, ' x')
    append(y.note, ' y')
    await sleep(SETTLE_MS)
    expect([x.note.text(), y.note.text()]).toEqual(['base x', 'base y'])
    expect(linkToY()).toMatchObject({
      kind: 'lan',
      connection: 'open',
      fault: 'both',
      pendingNotes: 1,
      noteRelation: 'before',
    })

    expect(x.links.request({ link: key, fault: 'open' })).toMatchObject({ ok: true })
    await waitFor(
      'x and y to converge',
      () => x.note.text() === y.note.text() && /^base( x y| y x)$/.test(x.note.text()),
    )
    await waitFor('y to acknowledge every note', () => linkToY()?.pendingNotes === 0)
  })

  const nodes: LanTestNode[] = []
  afterEach(async () => {
    await Promise.all(nodes.splice(0).map((n) => n.stop()))
  })

  it('cut at one end stops both directions, holds while the peer redials, and heals', async () => {
    const secret = newSecret()
    const x = await LanTestNode.start({ secret, peers: [], discover: false })
    nodes.push(x)
    const y = await LanTestNode.start({ secret, peers: [x.address], discover: false })
    nodes.push(y)
    const [nx, ny] = await Promise.all([x.note('lan-switched'), y.note('lan-switched')])
    append(nx, 'base')
    await waitFor('y to receive the base text', () => ny.text() === 'base')

    // x accepted the link y dialed: x's gate cuts it, the socket stays up.
    x.peers.setFault(y.id as ReplicaId, 'both')
    expect(x.peers.faultOf(y.id as ReplicaId)).toBe('both')
    append(nx, ' x')
    append(ny, ' y')
    await sleep(SETTLE_MS)
    expect(ny.text()).toBe('base y')
    expect(nx.text()).toBe('base x')
    expect(x.peers.connectedPeers).toEqual([y.id])

    // y redials (it stopped and started dialing x): the new link is cut at x too.
    y.peers.removePeer(x.address)
    await waitFor('the link to close', () => x.peers.linkCount === 0)
    expect(x.peers.cutPeers).toEqual([y.id])
    y.peers.addPeer(x.address)
    await waitFor('y to link with x again', () => x.peers.linkCount === 1)
    append(ny, '!')
    await sleep(SETTLE_MS)
    expect(nx.text()).toBe('base x')
    expect(x.peers.cutPeers).toEqual([y.id])

    x.peers.setFault(y.id as ReplicaId, 'open')
    await waitFor(
      'x and y to converge',
      () =>
        nx.text() === ny.text() && ['base', ' x', ' y', '!'].every((t) => nx.text().includes(t)),
    )
  })
})
