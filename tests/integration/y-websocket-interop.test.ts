import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import * as decoding from 'lib0/decoding'
import * as encoding from 'lib0/encoding'
import { afterAll, afterEach, describe, expect, it } from 'vitest'
import WebSocket from 'ws'
import { WebsocketProvider } from 'y-websocket'
import * as Y from 'yjs'
import type { EngineKind } from '../../shared/engine/types'
import type { DocId } from '../../shared/ids'
import { startServer } from '../../sync-server/net/server'
import { LatticeNode } from '../../sync-server/node/lattice-node'
import { silentLogger } from '../../sync-server/ops/logger'
import { startRelay, type Relay } from '../../sync-server/relay'
import { MemoryDocStore } from '../../sync-server/storage/memory-store'
import { LatticeClient } from './helpers/lattice-client'
import { spawnRelay } from './helpers/relay-process'

const dirs: string[] = []
const cleanups: Array<() => unknown> = []

afterEach(async () => {
  for (const fn of cleanups.splice(0).reverse()) await fn()
})
afterAll(async () => {
  for (const d of dirs) await rm(d, { recursive: true, force: true })
})

async function dataDir(): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'lattice-yws-'))
  dirs.push(dir)
  return dir
}

async function inProcessRelay(): Promise<Relay> {
  const relay = await startRelay({
    host: '127.0.0.1',
    port: 0,
    data: await dataDir(),
    token: undefined,
    logLevel: 'silent',
  })
  cleanups.push(() => relay.stop())
  return relay
}

interface StockClient {
  readonly doc: Y.Doc
  readonly provider: WebsocketProvider
  readonly text: Y.Text
}

/** An unmodified y-websocket client, as any Yjs app would run it in Node. */
function stockClient(url: string, room: string): StockClient {
  const doc = new Y.Doc()
  const provider = new WebsocketProvider(url, room, doc, {
    WebSocketPolyfill: WebSocket as unknown as typeof globalThis.WebSocket,
    disableBc: true,
  })
  cleanups.push(() => {
    provider.destroy()
    doc.destroy()
  })
  return { doc, provider, text: doc.getText('body') }
}

async function until(what: string, ok: () => boolean, timeoutMs = 10_000): Promise<void> {
  const deadline = Date.now() + timeoutMs
  while (!ok()) {
    if (Date.now() > deadline)
      throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`)
    await new Promise((r) => setTimeout(r, 10))
  }
}

const synced = (c: StockClient) => until('the provider to sync', () => c.provider.synced)

/** The text a client holds the moment its first sync completes: what the relay served it. */
function servedText(c: StockClient): Promise<string> {
  return new Promise((done) => {
    const onSync = (isSynced: boolean) => {
      if (!isSynced) return
      c.provider.off('sync', onSync)
      done(c.text.toString())
    }
    c.provider.on('sync', onSync)
  })
}

/** The other clients' awareness states as seen by `c`. */
function peersOf(c: StockClient): Array<Record<string, unknown>> {
  return [...c.provider.awareness.getStates()]
    .filter(([id]) => id !== c.doc.clientID)
    .map(([, state]) => state)
}

/** A raw socket to a room, recording what it receives and how it closed. */
async function rawSocket(url: string, room: string) {
  const ws = new WebSocket(`${url}/${room}`)
  const received: Uint8Array[] = []
  ws.on('message', (data: Buffer) => received.push(new Uint8Array(data)))
  const closed = new Promise<{ code: number; reason: string }>((done) =>
    ws.on('close', (code, reason) => done({ code, reason: reason.toString() })),
  )
  await new Promise<void>((ok, fail) => {
    ws.once('open', () => ok())
    ws.once('error', fail)
  })
  cleanups.push(() => ws.terminate())
  return { ws, received, closed }
}

function message(...parts: Array<number | Uint8Array | string>): Uint8Array {
  const enc = encoding.createEncoder()
  for (const p of parts) {
    if (typeof p === 'number') encoding.writeVarUint(enc, p)
    else if (typeof p === 'string') encoding.writeVarString(enc, p)
    else encoding.writeVarUint8Array(enc, p)
  }
  return encoding.toUint8Array(enc)
}

describe('y-websocket endpoint with stock clients', () => {
  it('syncs text, a map and awareness between two stock clients, and drops a closed or vanished one from awareness', async () => {
    const relay = await inProcessRelay()
    const alice = stockClient(relay.server.url, 'shared-room')
    const bob = stockClient(relay.server.url, 'shared-room')
    alice.provider.awareness.setLocalStateField('user', 'alice')
    bob.provider.awareness.setLocalStateField('user', 'bob')
    await Promise.all([synced(alice), synced(bob)])

    alice.text.insert(0, 'hello from alice. ')
    bob.text.insert(0, 'bob was here. ')
    alice.doc.getMap('meta').set('title', 'Shared')
    bob.doc.getMap<number>('counts').set('bob', 3)
    await until('both texts to converge', () => {
      const a = alice.text.toString()
      return a === bob.text.toString() && a.includes('alice') && a.includes('bob was here')
    })
    await until('both maps to converge', () => bob.doc.getMap('meta').get('title') === 'Shared')
    await until('both maps to converge', () => alice.doc.getMap('counts').get('bob') === 3)

    await until('each to see the other', () => {
      const a = peersOf(alice).map((s) => s.user)
      const b = peersOf(bob).map((s) => s.user)
      return a.includes('bob') && b.includes('alice')
    })

    bob.provider.destroy()
    await until('bob to leave alice’s awareness', () => peersOf(alice).length === 0)

    // A client that vanishes without saying goodbye: the relay removes what it set.
    const carol = await rawSocket(relay.server.url, 'shared-room')
    carol.ws.send(message(1, message(1, 777, 1, JSON.stringify({ user: 'carol' }))))
    await until('alice to see carol', () => peersOf(alice).some((s) => s.user === 'carol'))
    carol.ws.terminate()
    await until('carol to leave alice’s awareness', () => peersOf(alice).length === 0)
    expect(relay.node.loadedCount).toBe(1)
  })

  it('converges a stock client and a Lattice client on the same Yjs note', async () => {
    const relay = await inProcessRelay()
    const stock = stockClient(relay.server.url, 'note-42')
    await synced(stock)
    stock.text.insert(0, 'typed in a stock Yjs app. ')

    const lattice = new LatticeClient('window-1')
    cleanups.push(() => lattice.disconnect())
    const note = lattice.open('note-42', 'yjs')
    await lattice.connect(relay.server.url)
    await until('the Lattice client to receive the stock edit', () =>
      note.text().includes('stock Yjs app'),
    )

    note.insert(note.text().length, 'typed in Lattice.')
    note.setTitle('Both ways')
    await until('the stock client to receive the Lattice edit', () =>
      stock.text.toString().includes('typed in Lattice.'),
    )
    expect(stock.doc.getMap('meta').get('title')).toBe('Both ways')

    stock.text.insert(0, '> ')
    await until('both to converge', () => note.text() === stock.text.toString())
    expect(note.text()).toBe('> typed in a stock Yjs app. typed in Lattice.')
  })

  it('bridges awareness between a stock client and a Lattice client of the same note', async () => {
    const relay = await inProcessRelay()
    const stock = stockClient(relay.server.url, 'aware-note')
    stock.provider.awareness.setLocalStateField('user', 'stock')
    await synced(stock)
    const lattice = new LatticeClient('window-2')
    cleanups.push(() => lattice.disconnect())
    const heard: string[] = []
    lattice.replica.events.on((e) => {
      if (e.type === 'awareness' && e.doc === 'aware-note')
        heard.push(new TextDecoder().decode(e.payload))
    })
    const note = lattice.open('aware-note', 'yjs')
    await lattice.connect(relay.server.url)
    note.insert(0, 'x')
    await until('the note to sync', () => stock.text.toString() === 'x')

    const [link] = lattice.replica.links
    const session = link && lattice.replica.session(link)
    session?.sendAwareness(note.id, message(1, 4242, 1, JSON.stringify({ user: 'lattice' })))
    await until('the stock client to see the Lattice user', () =>
      peersOf(stock).some((s) => s.user === 'lattice'),
    )
    stock.provider.awareness.setLocalStateField('cursor', 7)
    await until('the Lattice client to hear the stock user', () =>
      heard.some((h) => h.includes('"cursor":7')),
    )
    lattice.disconnect()
    await until('the Lattice user to leave', () => peersOf(stock).length === 0)
  })

  it('tells a Lattice client the last stock user left, and sends nothing of its own as the room closes', async () => {
    const relay = await inProcessRelay()
    const stock = stockClient(relay.server.url, 'closing-room')
    stock.provider.awareness.setLocalStateField('user', 'stock')
    await synced(stock)
    const lattice = new LatticeClient('window-3')
    cleanups.push(() => lattice.disconnect())
    /** The client ids each awareness frame the Lattice client hears is about. */
    const heard: number[][] = []
    lattice.replica.events.on((e) => {
      if (e.type !== 'awareness' || e.doc !== 'closing-room') return
      const d = decoding.createDecoder(e.payload)
      const ids: number[] = []
      for (let n = decoding.readVarUint(d); n > 0; n--) {
        ids.push(decoding.readVarUint(d))
        decoding.readVarUint(d) // clock
        decoding.readVarString(d) // state
      }
      heard.push(ids)
    })
    lattice.open('closing-room', 'yjs')
    await lattice.connect(relay.server.url)
    const stockId = stock.doc.clientID
    stock.provider.awareness.setLocalStateField('cursor', 1)
    await until('the Lattice client to hear the stock user', () =>
      heard.some((ids) => ids.includes(stockId)),
    )
    const before = heard.length
    stock.provider.destroy()
    await until('the stock user’s removal to reach the Lattice client', () =>
      heard.slice(before).some((ids) => ids.includes(stockId)),
    )
    await new Promise((done) => setTimeout(done, 200))
    // The room is gone with its last socket; had it reported its own (empty) state on the
    // way out, a frame about another client would be here.
    expect(heard.slice(before).flat()).toEqual([stockId])
  })

  it('closes a socket that sends a malformed message, with a reason, while the room keeps syncing', async () => {
    const relay = await inProcessRelay()
    const alice = stockClient(relay.server.url, 'busy-room')
    const bob = stockClient(relay.server.url, 'busy-room')
    await Promise.all([synced(alice), synced(bob)])
    alice.text.insert(0, 'before. ')

    const bad: Array<[string, Uint8Array | string, RegExp]> = [
      ['a varint that never ends', new Uint8Array([0xff, 0xff, 0xff]), /unexpected end/i],
      ['an unknown message type', message(9), /unknown message type 9/],
      ['an unknown sync subtype', message(0, 7), /unknown sync message subtype 7/],
      ['a truncated update', new Uint8Array([0, 2, 50, 1]), /malformed message/],
      ['an update Yjs refuses', message(0, 2, new Uint8Array([1, 1, 255, 255, 255])), /Yjs/],
      ['trailing bytes', message(3, 3), /trailing bytes/],
      ['awareness that is not JSON', message(1, message(1, 5, 1, '{nope')), /awareness|JSON/i],
      ['a text frame', 'hello', /binary/],
    ]
    for (const [what, bytes, reason] of bad) {
      const raw = await rawSocket(relay.server.url, 'busy-room')
      raw.ws.send(bytes)
      const closed = await raw.closed
      expect(closed.code, what).toBe(4400)
      expect(closed.reason, what).toMatch(reason)
    }

    alice.text.insert(alice.text.length, 'after.')
    await until('bob to keep syncing', () => bob.text.toString() === 'before. after.')
    expect(alice.provider.wsconnected && bob.provider.wsconnected).toBe(true)
    const health = (await (
      await fetch(`http://127.0.0.1:${relay.server.port}/healthz`)
    ).json()) as {
      status: string
    }
    expect(health.status).toBe('ok')
  })

  it('answers query-awareness with every state and shrugs off a client auth message', async () => {
    const relay = await inProcessRelay()
    const alice = stockClient(relay.server.url, 'aware-room')
    alice.provider.awareness.setLocalStateField('user', 'alice')
    await synced(alice)
    const raw = await rawSocket(relay.server.url, 'aware-room')
    raw.ws.send(message(2, 0, 'a client has no business denying'))
    raw.ws.send(message(3))
    await until('an awareness reply naming alice', () =>
      raw.received.some((m) => m[0] === 1 && new TextDecoder().decode(m).includes('"alice"')),
    )
    expect(raw.ws.readyState).toBe(WebSocket.OPEN)
  })

  it('closes an Automerge note’s room with 4409 instead of serving it as Yjs', async () => {
    const relay = await inProcessRelay()
    const lattice = new LatticeClient('window-am')
    cleanups.push(() => lattice.disconnect())
    const note = lattice.open('am-note', 'automerge')
    note.insert(0, 'automerge text')
    const acked = lattice.nextAck('am-note')
    await lattice.connect(relay.server.url)
    await acked
    const raw = await rawSocket(relay.server.url, 'am-note')
    const closed = await raw.closed
    expect(closed.code).toBe(4409)
    expect(closed.reason).toMatch(/automerge/)
  })
})

/** A store whose appends wait while `hold()` is in force: a disk that has not answered yet. */
class SlowStore extends MemoryDocStore {
  private gate: Promise<void> | null = null
  private openGate = () => {}
  appendsStarted = 0

  hold(): void {
    this.gate = new Promise((done) => (this.openGate = done))
  }

  release(): void {
    this.gate = null
    this.openGate()
  }

  override async append(id: DocId, engine: EngineKind, update: Uint8Array): Promise<number> {
    this.appendsStarted++
    await this.gate
    return super.append(id, engine, update)
  }
}

/** A store that fails appends on demand: a full or failing disk. */
class FailingStore extends MemoryDocStore {
  failing: 'no' | 'once' | 'always' = 'no'

  override async append(id: DocId, engine: EngineKind, update: Uint8Array): Promise<number> {
    if (this.failing !== 'no') {
      if (this.failing === 'once') this.failing = 'no'
      throw new Error('disk full')
    }
    return super.append(id, engine, update)
  }

  async storedText(id: string): Promise<string> {
    const doc = new Y.Doc()
    for (const u of (await this.load(id as DocId))?.updates ?? []) Y.applyUpdate(doc, u)
    return doc.getText('body').toString()
  }
}

describe('y-websocket endpoint durability', () => {
  async function serve(store: MemoryDocStore) {
    const node = await LatticeNode.open({ store })
    const server = await startServer(node, { host: '127.0.0.1', port: 0, store, log: silentLogger })
    cleanups.push(async () => {
      await server.close()
      await node.close()
    })
    return server
  }

  it('holds a sync step 2 until the node has written what it carries', async () => {
    const store = new SlowStore()
    cleanups.push(() => store.release())
    const server = await serve(store)
    const writer = stockClient(server.url, 'slow-disk')
    await synced(writer)
    store.hold()
    writer.text.insert(0, 'not on disk yet')
    await until('the relay to start writing the edit', () => store.appendsStarted > 0)

    const witness = stockClient(server.url, 'slow-disk')
    const served = servedText(witness)
    await new Promise((r) => setTimeout(r, 300))
    expect(witness.provider.wsconnected).toBe(true)
    expect(witness.provider.synced).toBe(false)
    store.release()
    expect(await served).toBe('not on disk yet')
  })

  it('serves a step 2 only after a failed write is repaired, and closes with 4500 while it cannot be', async () => {
    const store = new FailingStore()
    const server = await serve(store)
    cleanups.push(() => (store.failing = 'no'))
    const writer = stockClient(server.url, 'bad-disk')
    await synced(writer)
    store.failing = 'once'
    writer.text.insert(0, 'first write fails')
    await new Promise((r) => setTimeout(r, 100))
    const witness = stockClient(server.url, 'bad-disk')
    expect(await servedText(witness)).toBe('first write fails')
    expect(await store.storedText('bad-disk')).toBe('first write fails')

    store.failing = 'always'
    writer.text.insert(0, 'no disk: ')
    await new Promise((r) => setTimeout(r, 100))
    const refused = stockClient(server.url, 'bad-disk')
    const closed = await new Promise<CloseEvent | null>((done) =>
      refused.provider.once('connection-close', (e) => done(e)),
    )
    expect(closed?.code).toBe(4500)
    expect(closed?.reason).toMatch(/storage failed: disk full/)
    expect(refused.provider.synced).toBe(false)
  })
})

describe('y-websocket endpoint of a real relay process', () => {
  it('keeps a stock client’s text through a SIGTERM restart', async () => {
    const data = await dataDir()
    const first = await spawnRelay(['--data', data])
    cleanups.push(() => first.child.kill('SIGKILL'))
    const writer = stockClient(first.url, 'restart-room')
    await synced(writer)
    writer.text.insert(0, 'written before the restart')
    // A fresh client served the text proves the relay applied it (and, since replies wait for
    // durable writes, stored it); SIGTERM then flushes whatever else is pending anyway.
    const witness = stockClient(first.url, 'restart-room')
    await until('a witness to see the text', () =>
      witness.text.toString().includes('before the restart'),
    )
    writer.provider.destroy()
    witness.provider.destroy()
    first.child.kill('SIGTERM')
    expect(await first.exited).toBe(0)

    const second = await spawnRelay(['--data', data])
    cleanups.push(() => second.child.kill('SIGKILL'))
    const reader = stockClient(second.url, 'restart-room')
    await synced(reader)
    expect(reader.text.toString()).toBe('written before the restart')
  })

  it('keeps text a stock client was served through kill -9, since sync replies wait for disk', async () => {
    const data = await dataDir()
    const first = await spawnRelay(['--data', data])
    cleanups.push(() => first.child.kill('SIGKILL'))
    const writer = stockClient(first.url, 'crash-room')
    await synced(writer)
    for (let i = 0; i < 50; i++) writer.text.insert(writer.text.length, `[${i}]`)
    const expected = writer.text.toString()
    // Once one client has seen every edit, all are on the relay; a later client's first sync
    // (a step 2, which waits for the relay's disk) then carries all of them.
    const seen = stockClient(first.url, 'crash-room')
    await until('all 50 edits to reach the relay', () => seen.text.toString() === expected)
    const witness = stockClient(first.url, 'crash-room')
    expect(await servedText(witness)).toBe(expected)
    first.child.kill('SIGKILL')
    await first.exited

    const second = await spawnRelay(['--data', data])
    cleanups.push(() => second.child.kill('SIGKILL'))
    const reader = stockClient(second.url, 'crash-room')
    await synced(reader)
    expect(reader.text.toString()).toBe(expected)
  })
})
