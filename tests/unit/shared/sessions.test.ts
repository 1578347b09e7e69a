import { describe, expect, it } from 'vitest'
import { createNote } from '../../../shared/engine/create'
import { ENGINES, type EngineKind, type NoteDoc } from '../../../shared/engine/types'
import { docId, replicaId, type DocId } from '../../../shared/ids'
import { FaultyLink } from '../../../shared/sync/faulty-link'
import type { CloseInfo, Link } from '../../../shared/sync/link'
import { MemoryLinkPair } from '../../../shared/sync/memory-link'
import { Replica } from '../../../shared/sync/replica'
import type { SessionEvent } from '../../../shared/sync/session'
import { VirtualScheduler } from '../../../shared/sync/virtual-scheduler'
import { Rng } from '../../../shared/util/rng'
import { encodeFrame, type Frame, type Mode } from '../../../shared/wire/frames'
import {
  ERR_BAD_VERSION,
  ERR_ENGINE_MISMATCH,
  ERR_MALFORMED,
  PROTOCOL_VERSION,
  ProtocolError,
} from '../../../shared/wire/protocol'

const YDOC = docId('note-y')
const ADOC = docId('note-a')
const DOC_OF: Record<EngineKind, DocId> = { yjs: YDOC, automerge: ADOC }

/** Replicas and memory links on one virtual clock, with every session event recorded. */
class Net {
  readonly scheduler = new VirtualScheduler()
  readonly events = new Map<Replica, SessionEvent[]>()
  private nextSeed = 1

  replica(name: string, mode: Mode = 'full'): Replica {
    const id = replicaId(name)
    const replica = new Replica({
      id,
      mode,
      makeDoc: (doc, engine) =>
        createNote(engine, { id: doc, replica: id, actorSeed: this.nextSeed++ * 7919 }),
    })
    const log: SessionEvent[] = []
    replica.events.on((e) => log.push(e))
    this.events.set(replica, log)
    return replica
  }

  link(x: Replica, y: Replica): MemoryLinkPair {
    const pair = new MemoryLinkPair(`${x.id}-${y.id}`, this.scheduler)
    x.attach(pair.a)
    y.attach(pair.b)
    pair.connect()
    return pair
  }

  /** A link whose far end no replica drives: the test speaks the protocol on it by hand. */
  rawLink(x: Replica): { pair: MemoryLinkPair; raw: Link; received: Uint8Array[] } {
    const pair = new MemoryLinkPair(`${x.id}-raw`, this.scheduler)
    x.attach(pair.a)
    const received: Uint8Array[] = []
    pair.b.onFrame((f) => received.push(f))
    pair.connect()
    return { pair, raw: pair.b, received }
  }

  /** Runs the network until nothing is in flight; `limit` steps mean it never goes quiet. */
  settle(limit = 10_000): void {
    const steps = this.scheduler.run(limit)
    expect(steps, 'the replicas never went quiet').toBeLessThan(limit)
  }

  errors(replica: Replica): Array<Extract<SessionEvent, { type: 'error' }>> {
    return (this.events.get(replica) ?? []).filter(
      (e): e is Extract<SessionEvent, { type: 'error' }> => e.type === 'error',
    )
  }

  /** Frame types `replica` sent from now on, counted by type. */
  countSent(replica: Replica): Record<string, number> {
    const counts: Record<string, number> = {}
    replica.events.on((e) => {
      if (e.type === 'traffic' && e.direction === 'sent')
        counts[e.frame] = (counts[e.frame] ?? 0) + 1
    })
    return counts
  }
}

function docOf(replica: Replica, id: DocId): NoteDoc {
  const doc = replica.getDoc(id)
  if (!doc) throw new Error(`${replica.id} has no document ${id}`)
  return doc
}

function expectConverged(id: DocId, ...replicas: Replica[]): void {
  const [first, ...rest] = replicas.map((r) => docOf(r, id))
  if (!first) throw new Error('no replicas')
  for (const doc of rest) {
    expect(doc.text(), `${doc.replica} vs ${first.replica}`).toBe(first.text())
    expect(doc.title()).toBe(first.title())
    expect(doc.digest()).toBe(first.digest())
    expect(doc.version()).toEqual(first.version())
    expect(doc.held()).toBe(0)
  }
}

const send = (link: Link, frame: Frame) => link.send(encodeFrame(frame))
const hello = (peer: string, version = PROTOCOL_VERSION): Frame => ({
  type: 'hello',
  version,
  peer,
  mode: 'full',
})

describe('sync sessions', () => {
  it('converges two full replicas, on both engines, and keeps them converged live', () => {
    const net = new Net()
    const a = net.replica('a')
    const b = net.replica('b')
    for (const engine of ENGINES) {
      const id = DOC_OF[engine]
      a.createDoc(id, engine).insert(0, `from a (${engine}) `)
      b.createDoc(id, engine).insert(0, `from b (${engine}) `)
    }
    b.createDoc(docId('only-b'), 'automerge').setTitle('b alone')
    net.link(a, b)
    net.settle()
    for (const engine of ENGINES) {
      expectConverged(DOC_OF[engine], a, b)
      expect(docOf(a, DOC_OF[engine]).text()).toContain(`from b (${engine})`)
    }
    expectConverged(docId('only-b'), a, b)
    expect(docOf(a, docId('only-b')).title()).toBe('b alone')

    docOf(a, YDOC).setTitle('live title')
    docOf(b, ADOC).delete(0, 5)
    net.settle()
    expectConverged(YDOC, a, b)
    expectConverged(ADOC, a, b)
    expect(docOf(b, YDOC).title()).toBe('live title')
    expect(net.errors(a)).toEqual([])
    expect(net.errors(b)).toEqual([])
  })

  it.each(ENGINES)('converges after a healed partition (%s)', (engine) => {
    const net = new Net()
    const a = net.replica('a')
    const b = net.replica('b')
    const id = DOC_OF[engine]
    a.createDoc(id, engine).insert(0, 'base')
    const pair = net.link(a, b)
    net.settle()
    pair.disconnect()
    docOf(a, id).insert(4, ' +a')
    docOf(b, id).insert(0, 'b+ ')
    docOf(b, id).setTitle('b')
    net.settle()
    expect(docOf(a, id).text()).not.toBe(docOf(b, id).text())
    pair.connect()
    net.settle()
    expectConverged(id, a, b)
    expect(docOf(a, id).text()).toBe('b+ base +a')
  })

  it.each(ENGINES)('converges a chain A–B–C with A never linked to C (%s)', (engine) => {
    const net = new Net()
    const [a, b, c] = [net.replica('a'), net.replica('b'), net.replica('c')]
    const id = DOC_OF[engine]
    a.createDoc(id, engine).insert(0, '[a]')
    c.createDoc(id, engine).insert(0, '[c]')
    net.link(a, b)
    net.link(b, c)
    net.settle()
    expectConverged(id, a, b, c)
    expect(docOf(a, id).text()).toContain('[c]')
    // Live edits are gossiped along the chain too.
    docOf(c, id).insert(0, '[c2]')
    net.settle()
    expectConverged(id, a, b, c)
    expect(docOf(a, id).text()).toContain('[c2]')
    expect(a.links).toHaveLength(1)
    expect(c.links).toHaveLength(1)
  })

  it('gives a partial replica only the documents it opened, while a full peer takes in new ones', () => {
    const net = new Net()
    const node = net.replica('node')
    const win = net.replica('window', 'partial')
    const opened = docId('opened')
    const other = docId('not-opened')
    node.createDoc(opened, 'yjs').insert(0, 'wanted')
    node.createDoc(other, 'automerge').insert(0, 'not wanted')
    net.link(node, win)
    net.settle()
    expect(win.docCount).toBe(0)

    win.open(opened, 'yjs')
    const born = docId('born-in-window')
    win.createDoc(born, 'automerge').insert(0, 'new in the window')
    net.settle()
    expect(docOf(win, opened).text()).toBe('wanted')
    expect(win.getDoc(other)).toBeUndefined()
    expectConverged(born, node, win)

    // Edits to what the window opened reach it; edits to anything else do not.
    docOf(node, opened).insert(6, '!')
    docOf(node, other).insert(0, 'still ')
    net.settle()
    expect(docOf(win, opened).text()).toBe('wanted!')
    expect(win.getDoc(other)).toBeUndefined()
    const heardOf = (net.events.get(win) ?? []).flatMap((e) =>
      e.type === 'traffic' && e.direction === 'received' && e.doc ? [e.doc] : [],
    )
    expect(new Set(heardOf)).toEqual(new Set([opened, born]))
  })

  it.each(ENGINES)(
    'repairs a frame lost on a live link once a later frame gets through, and goes quiet (%s)',
    (engine) => {
      const net = new Net()
      const a = net.replica('a')
      const b = net.replica('b')
      const id = DOC_OF[engine]
      a.createDoc(id, engine).insert(0, 'base')
      const pair = new MemoryLinkPair('a-b', net.scheduler)
      const faulty = new FaultyLink(pair.a, { rng: new Rng(1), scheduler: net.scheduler })
      a.attach(faulty)
      b.attach(pair.b)
      pair.connect()
      net.settle()
      faulty.set('out', { loss: 1 })
      docOf(a, id).insert(4, ' one')
      net.settle()
      // The loss stops, but no heal: the link stays up and nothing bounces.
      faulty.set('out', { loss: 0 })
      docOf(a, id).insert(8, ' two')
      // A handful of frames repair this; a sync loop would spin forever (and slowly).
      net.settle(2_000)
      expectConverged(id, a, b)
      expect(docOf(b, id).text()).toBe('base one two')
    },
  )

  it('sends only hello and digest when in-sync peers reconnect', () => {
    const net = new Net()
    const a = net.replica('a')
    const b = net.replica('b')
    for (let i = 0; i < 40; i++) {
      const engine = ENGINES[i % 2] as EngineKind
      a.createDoc(docId(`note-${i}`), engine).insert(0, `text ${i}`)
    }
    const pair = net.link(a, b)
    net.settle()
    expect(b.docCount).toBe(40)
    pair.disconnect()
    net.settle()
    const sentByA = net.countSent(a)
    const sentByB = net.countSent(b)
    pair.connect()
    net.settle()
    expect(sentByA).toEqual({ hello: 1, digest: 1 })
    expect(sentByB).toEqual({ hello: 1, digest: 1 })
  })

  it('after reconnecting, syncs only the document that changed', () => {
    const net = new Net()
    const a = net.replica('a')
    const b = net.replica('b')
    for (let i = 0; i < 40; i++) a.createDoc(docId(`note-${i}`), 'yjs').insert(0, `text ${i}`)
    const pair = net.link(a, b)
    net.settle()
    pair.disconnect()
    docOf(a, docId('note-7')).insert(0, 'changed ')
    const docsTouched = new Set<DocId | null>()
    b.events.on((e) => {
      if (e.type === 'traffic' && e.frame === 'doc') docsTouched.add(e.doc)
    })
    pair.connect()
    net.settle()
    expectConverged(docId('note-7'), a, b)
    expect([...docsTouched]).toEqual([docId('note-7')])
  })

  it('closes only the link that sent a malformed frame; the replica syncs on over the others', () => {
    const net = new Net()
    const a = net.replica('a')
    const b = net.replica('b')
    a.createDoc(YDOC, 'yjs').insert(0, 'shared')
    net.link(a, b)
    const { pair, raw } = net.rawLink(a)
    const closes: CloseInfo[] = []
    raw.onClose((info) => closes.push(info))
    net.settle()

    const seed = 99
    const rng = new Rng(seed)
    const garbage = Uint8Array.from({ length: 32 }, () => rng.int(256))
    garbage[0] = 77 // an unknown frame type, whatever the seed
    raw.send(garbage)
    net.settle()

    const errors = net.errors(a)
    expect(errors, `seed ${seed}`).toHaveLength(1)
    const [error] = errors as [Extract<SessionEvent, { type: 'error' }>]
    expect(error.error).toBeInstanceOf(ProtocolError)
    expect(error.error.code).toBe(ERR_MALFORMED)
    expect(error.side).toBe('local')
    expect(error.link).toBe(pair.a)
    expect(pair.isConnected).toBe(false)
    expect(closes.map((c) => c.code)).toEqual([ERR_MALFORMED])

    docOf(b, YDOC).insert(6, ' and still syncing')
    a.createDoc(docId('after'), 'automerge').insert(0, 'new')
    net.settle()
    expectConverged(YDOC, a, b)
    expectConverged(docId('after'), a, b)
    expect(docOf(a, YDOC).text()).toBe('shared and still syncing')
    expect(net.errors(b)).toEqual([])
  })

  it('refuses a frame before hello', () => {
    const net = new Net()
    const a = net.replica('a')
    const { pair, raw } = net.rawLink(a)
    send(raw, { type: 'digest', docCount: 0, buckets: [[0, 0]] })
    net.settle()
    expect(net.errors(a).map((e) => e.error.code)).toEqual([ERR_MALFORMED])
    expect(pair.isConnected).toBe(false)
  })

  it('refuses a peer speaking protocol version 2 with ERR_BAD_VERSION', () => {
    const net = new Net()
    const a = net.replica('a')
    const { pair, raw } = net.rawLink(a)
    const closes: CloseInfo[] = []
    raw.onClose((info) => closes.push(info))
    send(raw, hello('from-the-future', 2))
    net.settle()
    expect(net.errors(a).map((e) => e.error.code)).toEqual([ERR_BAD_VERSION])
    expect(closes.map((c) => c.code)).toEqual([ERR_BAD_VERSION])
    expect(pair.isConnected).toBe(false)
  })

  it('refuses a doc frame whose engine differs from the existing document', () => {
    const net = new Net()
    const a = net.replica('a')
    a.createDoc(YDOC, 'yjs').insert(0, 'yjs text')
    const { pair, raw } = net.rawLink(a)
    const impostor = createNote('automerge', { id: YDOC, replica: replicaId('impostor') })
    impostor.insert(0, 'automerge text')
    const [payload] = impostor.createSync(pair.b.id).start()
    send(raw, hello('impostor'))
    send(raw, { type: 'doc', doc: YDOC, engine: 'automerge', payload: payload as Uint8Array })
    net.settle()
    expect(net.errors(a).map((e) => e.error.code)).toEqual([ERR_ENGINE_MISMATCH])
    expect(pair.isConnected).toBe(false)
    expect(docOf(a, YDOC).engine).toBe('yjs')
    expect(docOf(a, YDOC).text()).toBe('yjs text')
  })

  it('refuses a malformed sync payload inside a well-formed doc frame', () => {
    const net = new Net()
    const a = net.replica('a')
    a.createDoc(ADOC, 'automerge').insert(0, 'intact')
    const { pair, raw } = net.rawLink(a)
    send(raw, hello('peer'))
    send(raw, { type: 'doc', doc: ADOC, engine: 'automerge', payload: Uint8Array.of(1, 2, 3) })
    net.settle()
    expect(net.errors(a).map((e) => e.error.code)).toEqual([ERR_MALFORMED])
    expect(pair.isConnected).toBe(false)
    expect(docOf(a, ADOC).text()).toBe('intact')
  })

  it('reports an error frame from the peer as a remote error', () => {
    const net = new Net()
    const a = net.replica('a')
    const { raw } = net.rawLink(a)
    send(raw, hello('peer'))
    send(raw, { type: 'error', code: 4401, reason: 'who are you' })
    net.settle()
    expect(net.errors(a).map((e) => [e.side, e.error.code, e.error.message])).toEqual([
      ['remote', 4401, 'who are you'],
    ])
  })
})
